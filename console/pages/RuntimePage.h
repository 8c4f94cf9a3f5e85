// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/Wire.h"
#include "models/RowTableModel.h"
#include "pages/Page.h"

#include <memory>

class QTimer;

namespace Gestalt::Console {

namespace Ui {
class RuntimePage;
}

using ProvidersModel = RowTableModel<RuntimeProvider>;
using SessionsModel = RowTableModel<RuntimeSession>;
using LogModel = RowTableModel<LogLine>;

// Runtime providers → the sessions of the selected one (paged) → the logs of the selected
// session, following new lines while the page is shown and "Follow" is on.
class RuntimePage final : public Page
{
    Q_OBJECT

public:
    explicit RuntimePage(ApiClient &api, QWidget *parent = nullptr);
    ~RuntimePage() override;
    Q_DISABLE_COPY_MOVE(RuntimePage)

    void refresh() override;
    void setActive(bool active) override;

    [[nodiscard]] ProvidersModel *providers() const { return m_providers; }
    [[nodiscard]] SessionsModel *sessions() const { return m_sessions; }
    [[nodiscard]] LogModel *logs() const { return m_logs; }
    void selectProvider(int row);
    void selectSession(int row);
    // Asks for log lines after the last one now (the follow timer does this every second).
    void pollLogs();

    // Sessions asked for at a time ("Load more sessions" asks for the next page).
    void setSessionPageSize(int size) { m_sessionPageSize = size; }

    static constexpr int defaultSessionPageSize = 50;
    static constexpr int maxLogLines = 5000;

private:
    void loadSessions(bool more);
    void showProvider(const RuntimeProvider *provider);
    void updateFollow();

    const std::unique_ptr<Ui::RuntimePage> m_ui; // the form: RuntimePage.ui
    ProvidersModel *m_providers;
    SessionsModel *m_sessions;
    LogModel *m_logs;
    QTimer *m_followTimer;
    QString m_provider;
    QString m_session;
    QString m_nextPageToken;
    qint64 m_lastSeq = 0;
    int m_sessionPageSize = defaultSessionPageSize;
    bool m_polling = false;
};

} // namespace Gestalt::Console
