// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/MembersPage.h"

#include "api/ApiClient.h"
#include "ui_MembersPage.h"
#include "widgets/TableViews.h"

#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPalette>
#include <QPushButton>
#include <QTableView>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

const QStringList roles = {u"viewer"_s, u"editor"_s, u"admin"_s};

// Why a row cannot be changed, or is not in force; empty for an ordinary dynamic row.
QString rowNote(const MemberRow &row)
{
    if (row.isStatic()) {
        return row.policy.isEmpty()
                   ? MembersPage::tr("Defined by the config (the admin policy): read-only")
                   : MembersPage::tr("Defined by config policy %1: read-only").arg(row.policy);
    }
    if (!row.effective) {
        return MembersPage::tr("Not effective: shadowed by %1").arg(row.shadowedBy);
    }
    return {};
}

// A column of member text; static and shadowed rows say why in their tooltip, and rows that
// are not in force are greyed.
MembersModel::Column memberColumn(const QString &header,
                                  std::function<QString(const MemberRow &)> text)
{
    return {header, [text = std::move(text)](const MemberRow &row, int role) -> QVariant {
                switch (role) {
                case Qt::DisplayRole:
                    return text(row);
                case Qt::ToolTipRole: {
                    const QString note = rowNote(row);
                    return note.isEmpty() ? text(row) : note;
                }
                case Qt::ForegroundRole:
                    if (!row.effective) {
                        return QPalette().brush(QPalette::Disabled, QPalette::Text);
                    }
                    return {};
                default:
                    return {};
                }
            }};
}

QList<MembersModel::Column> memberColumns()
{
    using Row = MemberRow;
    const auto yesNo = [](bool value) {
        return value ? MembersPage::tr("yes") : MembersPage::tr("no");
    };
    return {
        memberColumn(MembersPage::tr("Subject"), [](const Row &r) { return r.subject(); }),
        memberColumn(MembersPage::tr("Email"), [](const Row &r) { return r.email; }),
        memberColumn(MembersPage::tr("Role"), [](const Row &r) { return r.role; }),
        memberColumn(MembersPage::tr("Source"),
                     [](const Row &r) {
                         return r.isStatic() ? MembersPage::tr("config")
                                             : MembersPage::tr("dynamic");
                     }),
        memberColumn(MembersPage::tr("Effective"),
                     [yesNo](const Row &r) { return yesNo(r.effective); }),
        memberColumn(MembersPage::tr("Mutable"),
                     [yesNo](const Row &r) { return yesNo(r.isMutable); }),
        memberColumn(MembersPage::tr("Shadowed by"), [](const Row &r) { return r.shadowedBy; }),
    };
}

} // namespace

MembersPage::MembersPage(ApiClient &api, QWidget *parent)
    : Page(api, parent)
    , m_ui(std::make_unique<Ui::MembersPage>())
    , m_model(new MembersModel(memberColumns(), this))
    , m_confirm([this](const QString &question) {
        return QMessageBox::question(this, tr("Remove member"), question) == QMessageBox::Yes;
    })
{
    m_ui->setupUi(this);
    QFont headerFont = m_ui->membersHeaderLabel->font();
    headerFont.setBold(true);
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.2);
    m_ui->membersHeaderLabel->setFont(headerFont);
    setUpTableView(m_ui->membersTableView, m_model);
    m_ui->roleComboBox->addItems(roles);
    m_ui->newRoleComboBox->addItems(roles);
    m_ui->membersSplitter->setStretchFactor(1, 1);
    m_ui->membersSplitter->setSizes({220, 680});

    connect(m_ui->targetsListWidget, &QListWidget::currentRowChanged, this, [this](int row) {
        if (QListWidgetItem *item = m_ui->targetsListWidget->item(row)) {
            showTarget(item->data(Qt::UserRole).toString(),
                       item->data(Qt::UserRole + 1).toString());
        }
    });
    connect(m_ui->membersTableView->selectionModel(),
            &QItemSelectionModel::selectionChanged,
            this,
            &MembersPage::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MembersPage::updateActions);
    connect(m_ui->subjectLineEdit, &QLineEdit::textChanged, this, &MembersPage::updateActions);
    connect(m_ui->subjectLineEdit, &QLineEdit::returnPressed, this, &MembersPage::addMember);
    connect(m_ui->addPushButton, &QPushButton::clicked, this, &MembersPage::addMember);
    connect(m_ui->changeRolePushButton, &QPushButton::clicked, this, &MembersPage::changeRole);
    connect(m_ui->removePushButton, &QPushButton::clicked, this, &MembersPage::removeMember);
    updateActions();
}

MembersPage::~MembersPage() = default;

void MembersPage::refresh()
{
    loadApps();
}

void MembersPage::selectTarget(const QString &app)
{
    for (int i = 0; i < m_ui->targetsListWidget->count(); ++i) {
        if (m_ui->targetsListWidget->item(i)->data(Qt::UserRole).toString() == app) {
            m_ui->targetsListWidget->setCurrentRow(i);
            return;
        }
    }
}

void MembersPage::loadApps()
{
    m_admin.apps(this, [this](const ApiReply &reply, const QList<AppPolicy> &apps) {
        if (!check(reply, tr("Loading apps"))) {
            return;
        }
        const QString keep = m_target;
        const QSignalBlocker blocker(m_ui->targetsListWidget);
        m_ui->targetsListWidget->clear();
        auto *admins = new QListWidgetItem(tr("Built-in admins"), m_ui->targetsListWidget);
        admins->setData(Qt::UserRole, QString());
        admins->setToolTip(
            tr("Who may use the operator surface (server.admin.authorizationPolicy)"));
        QFont bold = admins->font();
        bold.setBold(true);
        admins->setFont(bold);
        for (const AppPolicy &app : apps) {
            //: an app and its authorization policy
            auto *item = new QListWidgetItem(tr("%1 (policy %2)").arg(app.name, app.policy),
                                             m_ui->targetsListWidget);
            item->setData(Qt::UserRole, app.name);
            item->setData(Qt::UserRole + 1, app.policy);
        }
        // The target shown before, else the first app (the admins when there is none).
        int row = m_ui->targetsListWidget->count() > 1 ? 1 : 0;
        for (int i = 0; m_shownOnce && i < m_ui->targetsListWidget->count(); ++i) {
            if (m_ui->targetsListWidget->item(i)->data(Qt::UserRole).toString() == keep) {
                row = i;
            }
        }
        m_shownOnce = true;
        m_ui->targetsListWidget->setCurrentRow(row);
        showTarget(m_ui->targetsListWidget->item(row)->data(Qt::UserRole).toString(),
                   m_ui->targetsListWidget->item(row)->data(Qt::UserRole + 1).toString());
    });
}

void MembersPage::showTarget(const QString &target, const QString &policy)
{
    m_target = target;
    m_policy = policy;
    m_ui->membersHeaderLabel->setText(target.isEmpty()
                                          ? tr("Built-in admins")
                                          : tr("Members of %1 (policy %2)").arg(target, policy));
    loadMembers();
}

void MembersPage::loadMembers()
{
    const QString target = m_target;
    m_admin.members(target, this, [this, target](const ApiReply &reply, const MemberList &list) {
        if (target != m_target || !check(reply, tr("Loading members"))) {
            return;
        }
        m_canWrite = list.canWrite;
        QList<MemberRow> rows = list.rows;
        for (MemberRow &row : rows) {
            row.policy = m_policy;
        }
        m_model->setRows(std::move(rows));
        Q_EMIT refreshed();
    });
}

const MemberRow *MembersPage::selectedRow() const
{
    const QModelIndexList rows = m_ui->membersTableView->selectionModel()->selectedRows();
    return rows.isEmpty() ? nullptr : m_model->rowAt(rows.first().row());
}

void MembersPage::updateActions()
{
    const MemberRow *row = selectedRow();
    const bool writable = m_canWrite && row != nullptr && row->isMutable && !row->isStatic();
    m_ui->addPushButton->setEnabled(m_canWrite
                                    && !m_ui->subjectLineEdit->text().trimmed().isEmpty());
    m_ui->subjectLineEdit->setEnabled(m_canWrite);
    m_ui->roleComboBox->setEnabled(m_canWrite);
    m_ui->changeRolePushButton->setEnabled(writable);
    m_ui->newRoleComboBox->setEnabled(writable);
    m_ui->removePushButton->setEnabled(writable);
    if (!m_canWrite) {
        m_ui->readOnlyReasonLabel->setText(tr("Your token may read this list but not change it "
                                              "(the server says X-Gestalt-Can-Write: false)."));
    } else if (row && row->isStatic()) {
        m_ui->readOnlyReasonLabel->setText(
            tr("%1. Change it in the config file.").arg(rowNote(*row)));
    } else if (row && !row->effective) {
        m_ui->readOnlyReasonLabel->setText(rowNote(*row));
    } else {
        m_ui->readOnlyReasonLabel->clear();
    }
    if (row) {
        m_ui->newRoleComboBox->setCurrentText(row->role);
    }
}

void MembersPage::addMember()
{
    const QString subject = m_ui->subjectLineEdit->text().trimmed();
    if (subject.isEmpty() || !m_canWrite) {
        return;
    }
    const bool email = subject.contains(u'@') && !subject.contains(u':');
    const MemberGrant grant{email ? QString() : subject,
                            email ? subject : QString(),
                            m_ui->roleComboBox->currentText()};
    m_admin.putMember(m_target, grant, this, [this](const ApiReply &reply) {
        if (reply.ok()) {
            m_ui->subjectLineEdit->clear();
        }
        afterWrite(reply, tr("Adding the member"));
    });
}

void MembersPage::changeRole()
{
    const MemberRow *row = selectedRow();
    if (!row || !m_canWrite) {
        return;
    }
    const MemberGrant grant{row->subject(), QString(), m_ui->newRoleComboBox->currentText()};
    m_admin.putMember(m_target, grant, this, [this](const ApiReply &reply) {
        afterWrite(reply, tr("Changing the role"));
    });
}

void MembersPage::removeMember()
{
    const MemberRow *row = selectedRow();
    if (!row || !m_canWrite) {
        return;
    }
    const QString subject = row->subject();
    if (!m_confirm(tr("Remove %1 from %2?")
                       .arg(row->email.isEmpty() ? subject : row->email,
                            m_target.isEmpty() ? tr("the built-in admins") : m_target))) {
        return;
    }
    m_admin.removeMember(m_target, subject, this, [this](const ApiReply &reply) {
        afterWrite(reply, tr("Removing the member"));
    });
}

void MembersPage::afterWrite(const ApiReply &reply, const QString &what)
{
    if (!check(reply, what)) {
        return;
    }
    if (reply.status == 202) {
        Q_EMIT notice(tr("Saved — pending reload: the change takes effect when the server "
                         "reloads its authorization data; the list refreshes again shortly."));
        QTimer::singleShot(m_pendingReloadMs, this, &MembersPage::loadMembers);
    }
    loadMembers();
}

} // namespace Gestalt::Console
