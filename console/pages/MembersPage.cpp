// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/MembersPage.h"

#include "api/ApiClient.h"
#include "widgets/TableViews.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPalette>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

const QString base = u"/admin/api/v1/authorization"_s;
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
    , m_targets(new QListWidget(this))
    , m_header(new QLabel(this))
    , m_table(nullptr)
    , m_model(new MembersModel(memberColumns(), this))
    , m_subject(new QLineEdit(this))
    , m_role(new QComboBox(this))
    , m_add(new QPushButton(tr("&Add"), this))
    , m_newRole(new QComboBox(this))
    , m_changeRole(new QPushButton(tr("&Change role"), this))
    , m_remove(new QPushButton(tr("&Remove"), this))
    , m_reason(new QLabel(this))
    , m_confirm([this](const QString &question) {
        return QMessageBox::question(this, tr("Remove member"), question) == QMessageBox::Yes;
    })
{
    m_targets->setObjectName(u"targetsListWidget"_s);
    m_targets->setAccessibleName(tr("Apps"));
    m_header->setObjectName(u"membersHeaderLabel"_s);
    m_header->setTextFormat(Qt::PlainText);
    QFont headerFont = m_header->font();
    headerFont.setBold(true);
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.2);
    m_header->setFont(headerFont);
    m_table = makeTableView(u"membersTableView"_s, m_model, this);
    m_subject->setObjectName(u"subjectLineEdit"_s);
    m_subject->setPlaceholderText(tr("Email or subject id (user:…, service_account:…)"));
    m_subject->setClearButtonEnabled(true);
    m_role->setObjectName(u"roleComboBox"_s);
    m_role->addItems(roles);
    m_add->setObjectName(u"addPushButton"_s);
    m_newRole->setObjectName(u"newRoleComboBox"_s);
    m_newRole->addItems(roles);
    m_changeRole->setObjectName(u"changeRolePushButton"_s);
    m_remove->setObjectName(u"removePushButton"_s);
    m_reason->setObjectName(u"readOnlyReasonLabel"_s);
    m_reason->setWordWrap(true);
    m_reason->setTextFormat(Qt::PlainText);

    auto *addBox = new QGroupBox(tr("Add a member"), this);
    auto *addLayout = new QHBoxLayout(addBox);
    addLayout->addWidget(m_subject, 1);
    addLayout->addWidget(m_role);
    addLayout->addWidget(m_add);
    auto *rowBox = new QGroupBox(tr("Selected member"), this);
    auto *rowLayout = new QVBoxLayout(rowBox);
    auto *rowButtons = new QHBoxLayout;
    rowButtons->addWidget(new QLabel(tr("New role:"), rowBox));
    rowButtons->addWidget(m_newRole);
    rowButtons->addWidget(m_changeRole);
    rowButtons->addStretch(1);
    rowButtons->addWidget(m_remove);
    rowLayout->addLayout(rowButtons);
    rowLayout->addWidget(m_reason);

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_header);
    rightLayout->addWidget(m_table, 1);
    rightLayout->addWidget(addBox);
    rightLayout->addWidget(rowBox);
    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_targets);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({220, 680});
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_targets, &QListWidget::currentRowChanged, this, [this](int row) {
        if (QListWidgetItem *item = m_targets->item(row)) {
            showTarget(item->data(Qt::UserRole).toString(),
                       item->data(Qt::UserRole + 1).toString());
        }
    });
    connect(m_table->selectionModel(),
            &QItemSelectionModel::selectionChanged,
            this,
            &MembersPage::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MembersPage::updateActions);
    connect(m_subject, &QLineEdit::textChanged, this, &MembersPage::updateActions);
    connect(m_subject, &QLineEdit::returnPressed, this, &MembersPage::addMember);
    connect(m_add, &QPushButton::clicked, this, &MembersPage::addMember);
    connect(m_changeRole, &QPushButton::clicked, this, &MembersPage::changeRole);
    connect(m_remove, &QPushButton::clicked, this, &MembersPage::removeMember);
    updateActions();
}

void MembersPage::refresh()
{
    loadApps();
}

void MembersPage::selectTarget(const QString &app)
{
    for (int i = 0; i < m_targets->count(); ++i) {
        if (m_targets->item(i)->data(Qt::UserRole).toString() == app) {
            m_targets->setCurrentRow(i);
            return;
        }
    }
}

void MembersPage::loadApps()
{
    m_api.get(base + u"/apps"_s, this, [this](const ApiReply &reply) {
        if (!check(reply, tr("Loading apps"))) {
            return;
        }
        const QString keep = m_target;
        const QSignalBlocker blocker(m_targets);
        m_targets->clear();
        auto *admins = new QListWidgetItem(tr("Built-in admins"), m_targets);
        admins->setData(Qt::UserRole, QString());
        admins->setToolTip(
            tr("Who may use the operator surface (server.admin.authorizationPolicy)"));
        QFont bold = admins->font();
        bold.setBold(true);
        admins->setFont(bold);
        for (const AppPolicy &app : listFromJson<AppPolicy>(reply.json.array())) {
            //: an app and its authorization policy
            auto *item =
                new QListWidgetItem(tr("%1 (policy %2)").arg(app.name, app.policy), m_targets);
            item->setData(Qt::UserRole, app.name);
            item->setData(Qt::UserRole + 1, app.policy);
        }
        // The target shown before, else the first app (the admins when there is none).
        int row = m_targets->count() > 1 ? 1 : 0;
        for (int i = 0; m_shownOnce && i < m_targets->count(); ++i) {
            if (m_targets->item(i)->data(Qt::UserRole).toString() == keep) {
                row = i;
            }
        }
        m_shownOnce = true;
        m_targets->setCurrentRow(row);
        showTarget(m_targets->item(row)->data(Qt::UserRole).toString(),
                   m_targets->item(row)->data(Qt::UserRole + 1).toString());
    });
}

void MembersPage::showTarget(const QString &target, const QString &policy)
{
    m_target = target;
    m_policy = policy;
    m_header->setText(target.isEmpty() ? tr("Built-in admins")
                                       : tr("Members of %1 (policy %2)").arg(target, policy));
    loadMembers();
}

QString MembersPage::membersPath() const
{
    if (m_target.isEmpty()) {
        return base + u"/admins/members"_s;
    }
    return base + u"/apps/"_s + ApiClient::segment(m_target) + u"/members"_s;
}

void MembersPage::loadMembers()
{
    const QString target = m_target;
    m_api.get(membersPath(), this, [this, target](const ApiReply &reply) {
        if (target != m_target || !check(reply, tr("Loading members"))) {
            return;
        }
        const QByteArray canWrite = reply.header("X-Gestalt-Can-Write");
        m_canWrite = canWrite.isEmpty() || canWrite.compare("false", Qt::CaseInsensitive) != 0;
        QList<MemberRow> rows = listFromJson<MemberRow>(reply.json.array());
        for (MemberRow &row : rows) {
            row.policy = m_policy;
        }
        m_model->setRows(std::move(rows));
        Q_EMIT refreshed();
    });
}

const MemberRow *MembersPage::selectedRow() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? nullptr : m_model->rowAt(rows.first().row());
}

void MembersPage::updateActions()
{
    const MemberRow *row = selectedRow();
    const bool writable = m_canWrite && row && row->isMutable && !row->isStatic();
    m_add->setEnabled(m_canWrite && !m_subject->text().trimmed().isEmpty());
    m_subject->setEnabled(m_canWrite);
    m_role->setEnabled(m_canWrite);
    m_changeRole->setEnabled(writable);
    m_newRole->setEnabled(writable);
    m_remove->setEnabled(writable);
    if (!m_canWrite) {
        m_reason->setText(tr("Your token may read this list but not change it "
                             "(the server says X-Gestalt-Can-Write: false)."));
    } else if (row && row->isStatic()) {
        m_reason->setText(tr("%1. Change it in the config file.").arg(rowNote(*row)));
    } else if (row && !row->effective) {
        m_reason->setText(rowNote(*row));
    } else {
        m_reason->clear();
    }
    if (row) {
        m_newRole->setCurrentText(row->role);
    }
}

void MembersPage::addMember()
{
    const QString subject = m_subject->text().trimmed();
    if (subject.isEmpty() || !m_canWrite) {
        return;
    }
    const bool email = subject.contains(u'@') && !subject.contains(u':');
    const QJsonObject body{{email ? u"email"_s : u"subjectId"_s, subject},
                           {u"role"_s, m_role->currentText()}};
    m_api.put(membersPath(), QJsonDocument(body), this, [this](const ApiReply &reply) {
        if (reply.ok()) {
            m_subject->clear();
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
    const QJsonObject body{{u"subjectId"_s, row->subject()}, {u"role"_s, m_newRole->currentText()}};
    m_api.put(membersPath(), QJsonDocument(body), this, [this](const ApiReply &reply) {
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
    m_api.del(membersPath() + u'/' + ApiClient::segment(subject),
              this,
              [this](const ApiReply &reply) { afterWrite(reply, tr("Removing the member")); });
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
