// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/Wire.h"
#include "models/RowTableModel.h"
#include "pages/Page.h"

#include <functional>
#include <memory>

namespace Gestalt::Console {

namespace Ui {
class MembersPage;
}

using MembersModel = RowTableModel<MemberRow>;

// Who may do what: the apps with an authorization policy and the built-in admins (first in the
// list), each with its merged static and dynamic members. Dynamic rows can be added (by email or
// subject id), given another role and removed; static rows come from the config and are
// read-only, with the reason shown. Admin writes follow X-Gestalt-Can-Write.
class MembersPage final : public Page
{
    Q_OBJECT

public:
    explicit MembersPage(ApiClient &api, QWidget *parent = nullptr);
    ~MembersPage() override;
    Q_DISABLE_COPY_MOVE(MembersPage)

    void refresh() override;

    // Asks before a removal; tests answer without a dialog.
    using Confirm = std::function<bool(const QString &question)>;
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }

    // After a 202 (saved, pending reload) the list loads again after this delay.
    void setPendingReloadDelay(int milliseconds) { m_pendingReloadMs = milliseconds; }

    [[nodiscard]] MembersModel *model() const { return m_model; }
    // The selected target: "" for the built-in admins, else an app name.
    [[nodiscard]] QString target() const { return m_target; }
    void selectTarget(const QString &app);

private:
    void loadApps();
    void loadMembers();
    void showTarget(const QString &target, const QString &policy);
    void addMember();
    void changeRole();
    void removeMember();
    void afterWrite(const ApiReply &reply, const QString &what);
    void updateActions();
    [[nodiscard]] const MemberRow *selectedRow() const;

    const std::unique_ptr<Ui::MembersPage> m_ui; // the form: MembersPage.ui
    MembersModel *m_model;
    QString m_target;
    QString m_policy;
    bool m_canWrite = true;
    int m_pendingReloadMs = 3000;
    bool m_shownOnce = false; // a target was shown: a reload keeps it
    Confirm m_confirm;
};

} // namespace Gestalt::Console
