// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminApi.h"

#include <QWidget>

namespace Gestalt::Console {

// One page of the main window. Pages talk to the server only through the AdminApi and report
// what went wrong through problem() (the window shows it in its banner, never as a dialog).
class Page : public QWidget
{
    Q_OBJECT

public:
    Page(ApiClient &api, QWidget *parent);

    // Loads what the page shows again (F5; also after connecting and reconnecting).
    virtual void refresh() = 0;
    // Whether the page is the one shown: pages poll only while visible.
    virtual void setActive(bool active) { m_active = active; }
    [[nodiscard]] bool isActive() const { return m_active; }

Q_SIGNALS:
    void problem(const QString &message);
    void notice(const QString &message);
    // A load finished well (for "last refresh" in the status bar).
    void refreshed();

protected:
    // Emits problem() for a failed reply that reached the server (network failures are the
    // window's to show) and says whether the reply is ok.
    bool check(const ApiReply &reply, const QString &what);

    ApiClient &m_api;
    AdminApi m_admin; // the operator routes, typed

private:
    bool m_active = false;
};

} // namespace Gestalt::Console
