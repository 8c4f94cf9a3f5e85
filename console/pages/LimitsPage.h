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
class LimitsPage;
}

using LimitRulesModel = RowTableModel<LimitRule>;
using LimitUsageModel = RowTableModel<LimitUsage>;
using BlockedUpstreamModel = RowTableModel<BlockedUpstream>;

// Rate limits and concurrency caps: the configured limits with their overrides and their current
// use (GET /admin/api/v1/limits), and the upstream credentials an upstream told to slow down
// (GET /admin/api/v1/limits/upstream). Reloads every few seconds while shown, and on Refresh.
class LimitsPage final : public Page
{
    Q_OBJECT

public:
    explicit LimitsPage(ApiClient &api, QWidget *parent = nullptr);
    ~LimitsPage() override;
    Q_DISABLE_COPY_MOVE(LimitsPage)

    void refresh() override;
    void setActive(bool active) override;

    [[nodiscard]] LimitRulesModel *rules() const { return m_rules; }
    [[nodiscard]] LimitUsageModel *usage() const { return m_usage; }
    [[nodiscard]] BlockedUpstreamModel *blocked() const { return m_blocked; }
    // Shows an answer of GET /admin/api/v1/limits (also for tests of the wire shape).
    void showLimits(const LimitsAnswer &limits);

    static constexpr int refreshIntervalMs = 5000;

    // In words: "each caller, per app" for app-subject.
    [[nodiscard]] static QString scopeText(const QString &scope);
    // "600 / 1 min"; "–" when not configured.
    [[nodiscard]] static QString rateText(const std::optional<qint64> &requests,
                                          const std::optional<qint64> &perSeconds);

private:
    const std::unique_ptr<Ui::LimitsPage> m_ui; // the form: LimitsPage.ui
    LimitRulesModel *m_rules;
    LimitUsageModel *m_usage;
    BlockedUpstreamModel *m_blocked;
    QTimer *m_timer;
};

} // namespace Gestalt::Console
