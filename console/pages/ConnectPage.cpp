// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/ConnectPage.h"

#include "api/ApiClient.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"
#include "ui_ConnectPage.h"

#include <QPointer>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

ConnectPage::ConnectPage(ApiClient &api, Settings &settings, SecretStore &secrets, QWidget *parent)
    : Page(api, parent)
    , m_settings(settings)
    , m_secrets(secrets)
    , m_ui(std::make_unique<Ui::ConnectPage>())
{
    m_ui->setupUi(this);
    m_ui->keychainLabel->hide();

    connect(m_ui->profilesListWidget,
            &QListWidget::currentTextChanged,
            this,
            &ConnectPage::selectProfile);
    connect(
        m_ui->profilesListWidget, &QListWidget::itemActivated, this, &ConnectPage::connectFromForm);
    connect(m_ui->connectPushButton, &QPushButton::clicked, this, &ConnectPage::connectFromForm);
    connect(
        m_ui->deleteProfilePushButton, &QPushButton::clicked, this, &ConnectPage::deleteProfile);
    connect(m_ui->tokenLineEdit, &QLineEdit::returnPressed, this, &ConnectPage::connectFromForm);
    connect(
        m_ui->serverUrlLineEdit, &QLineEdit::returnPressed, this, &ConnectPage::connectFromForm);
    connect(&m_api, &ApiClient::stateChanged, this, [this](ApiClient::State state) {
        if (state == ApiClient::State::Online && !m_unverified.isEmpty()) {
            const QString name = m_unverified; // verify() clears it
            verify(name);
        }
    });
    refresh();
}

ConnectPage::~ConnectPage() = default;

void ConnectPage::refresh()
{
    const QString current = m_ui->profileNameLineEdit->text();
    const QSignalBlocker blocker(m_ui->profilesListWidget);
    m_ui->profilesListWidget->clear();
    for (const Settings::Profile &profile : m_settings.profiles()) {
        auto *item = new QListWidgetItem(profile.name, m_ui->profilesListWidget);
        item->setToolTip(profile.url.toString());
        if (profile.name == current) {
            m_ui->profilesListWidget->setCurrentItem(item);
        }
    }
    m_ui->deleteProfilePushButton->setEnabled(m_ui->profilesListWidget->count() > 0);
}

QString ConnectPage::profileName() const
{
    return m_ui->profileNameLineEdit->text().trimmed();
}

void ConnectPage::selectProfile(const QString &name)
{
    loadProfile(name, false);
}

void ConnectPage::connectToProfile(const QString &name)
{
    loadProfile(name, true);
}

void ConnectPage::loadProfile(const QString &name, bool connectAfter)
{
    for (const Settings::Profile &profile : m_settings.profiles()) {
        if (profile.name != name) {
            continue;
        }
        m_ui->profileNameLineEdit->setText(profile.name);
        m_ui->serverUrlLineEdit->setText(profile.url.toString());
        m_ui->tokenLineEdit->clear();
        const QList<QListWidgetItem *> items =
            m_ui->profilesListWidget->findItems(name, Qt::MatchExactly);
        if (!items.isEmpty() && m_ui->profilesListWidget->currentItem() != items.first()) {
            const QSignalBlocker blocker(m_ui->profilesListWidget);
            m_ui->profilesListWidget->setCurrentItem(items.first());
        }
        m_secrets.read(Settings::tokenKey(name),
                       [this, guard = QPointer<ConnectPage>(this), name, connectAfter](
                           const SecretStore::Outcome &outcome) {
                           if (guard.isNull() || m_ui->profileNameLineEdit->text() != name) {
                               return;
                           }
                           if (outcome.ok) {
                               m_ui->tokenLineEdit->setText(outcome.secret);
                           } else if (outcome.unavailable) {
                               m_ui->tokenLineEdit->setText(m_sessionTokens.value(name));
                               m_ui->keychainLabel->setText(outcome.error);
                               m_ui->keychainLabel->show();
                           }
                           if (connectAfter) {
                               connectFromForm();
                           }
                       });
        return;
    }
}

void ConnectPage::connectFromForm()
{
    connectTo(m_ui->profileNameLineEdit->text().trimmed(),
              m_ui->serverUrlLineEdit->text().trimmed(),
              m_ui->tokenLineEdit->text().trimmed(),
              m_ui->rememberTokenCheckBox->isChecked());
}

void ConnectPage::connectTo(const QString &name,
                            const QString &url,
                            const QString &token,
                            bool rememberToken)
{
    const QUrl server = QUrl::fromUserInput(url);
    if (url.isEmpty() || !server.isValid()
        || (server.scheme() != u"http"_s && server.scheme() != u"https"_s)) {
        setBusy(false, tr("Enter the server's http:// or https:// URL."));
        return;
    }
    const QString profile = name.isEmpty() ? server.host() : name;
    m_ui->profileNameLineEdit->setText(profile);
    m_ui->serverUrlLineEdit->setText(server.toString());
    m_ui->tokenLineEdit->setText(token);
    m_ui->rememberTokenCheckBox->setChecked(rememberToken);
    m_settings.saveProfile({profile, server});
    m_settings.setValue(Settings::Key::LastProfile, profile);
    m_settings.sync();
    refresh();
    m_sessionTokens.remove(profile);
    if (!rememberToken || token.isEmpty()) {
        m_secrets.remove(Settings::tokenKey(profile), [](const SecretStore::Outcome &) {});
    } else {
        m_secrets.write(Settings::tokenKey(profile),
                        token,
                        [this, guard = QPointer<ConnectPage>(this), profile, token](
                            const SecretStore::Outcome &outcome) {
                            if (!guard) {
                                return;
                            }
                            m_ui->keychainLabel->setVisible(!outcome.ok);
                            if (outcome.unavailable) {
                                m_sessionTokens.insert(profile, token);
                            }
                            if (!outcome.ok) {
                                m_ui->keychainLabel->setText(outcome.error);
                                Q_EMIT notice(outcome.error);
                            }
                        });
    }
    m_api.setServer(server, token);
    setBusy(true, tr("Connecting to %1…").arg(server.toString()));
    verify(profile);
}

void ConnectPage::verify(const QString &name)
{
    // Reachable (/health answers everywhere), then allowed (the operator routes).
    m_unverified.clear();
    m_admin.health(this, [this, name](const ApiReply &health) {
        if (!health.reached()) {
            // The window retries; when the server answers, this check runs again.
            m_unverified = name;
            setBusy(false, tr("Cannot reach the server: %1").arg(health.networkError));
            return;
        }
        m_admin.apps(this, [this, name](const ApiReply &reply, const QList<AppPolicy> &) {
            if (reply.status == 401 || reply.status == 403) {
                setBusy(false, tr("The server refused the token: %1").arg(reply.errorMessage()));
                Q_EMIT problem(tr("The server refused the token: %1").arg(reply.errorMessage()));
                return;
            }
            if (reply.status == 404) {
                setBusy(false,
                        tr("This listener has no operator routes: use the management "
                           "listener's URL."));
                return;
            }
            if (!check(reply, tr("Connecting"))) {
                setBusy(false, reply.errorMessage());
                return;
            }
            setBusy(false, tr("Connected to %1.").arg(name));
            Q_EMIT connected();
        });
    });
}

void ConnectPage::disconnectFromServer()
{
    m_unverified.clear();
    m_api.setServer(QUrl(), QString());
    setBusy(false, tr("Not connected."));
}

void ConnectPage::deleteProfile()
{
    const QString name = m_ui->profilesListWidget->currentItem()
                             ? m_ui->profilesListWidget->currentItem()->text()
                             : m_ui->profileNameLineEdit->text().trimmed();
    if (name.isEmpty()) {
        return;
    }
    m_settings.removeProfile(name);
    m_sessionTokens.remove(name);
    m_secrets.remove(Settings::tokenKey(name), [](const SecretStore::Outcome &) {});
    m_ui->profileNameLineEdit->clear();
    m_ui->serverUrlLineEdit->clear();
    m_ui->tokenLineEdit->clear();
    refresh();
}

void ConnectPage::setBusy(bool busy, const QString &status)
{
    m_ui->connectPushButton->setEnabled(!busy);
    m_ui->connectStatusLabel->setText(status);
}

} // namespace Gestalt::Console
