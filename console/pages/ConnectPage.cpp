// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/ConnectPage.h"

#include "api/ApiClient.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

ConnectPage::ConnectPage(ApiClient &api, Settings &settings, SecretStore &secrets, QWidget *parent)
    : Page(api, parent)
    , m_settings(settings)
    , m_secrets(secrets)
    , m_profiles(new QListWidget(this))
    , m_name(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_remember(new QCheckBox(tr("Remember the token in the system &keychain"), this))
    , m_connect(new QPushButton(tr("&Connect"), this))
    , m_delete(new QPushButton(tr("&Delete profile"), this))
    , m_status(new QLabel(this))
    , m_keychain(new QLabel(this))
{
    m_profiles->setObjectName(u"profilesListWidget"_s);
    m_profiles->setAccessibleName(tr("Saved servers"));
    m_name->setObjectName(u"profileNameLineEdit"_s);
    m_name->setPlaceholderText(tr("e.g. production"));
    m_url->setObjectName(u"serverUrlLineEdit"_s);
    m_url->setPlaceholderText(tr("http://127.0.0.1:9090"));
    m_token->setObjectName(u"tokenLineEdit"_s);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("gst_api_… (empty when the operator surface is open)"));
    m_remember->setObjectName(u"rememberTokenCheckBox"_s);
    m_remember->setChecked(true);
    m_connect->setObjectName(u"connectPushButton"_s);
    m_connect->setDefault(true);
    m_delete->setObjectName(u"deleteProfilePushButton"_s);
    m_status->setObjectName(u"connectStatusLabel"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_keychain->setObjectName(u"keychainLabel"_s);
    m_keychain->setWordWrap(true);
    m_keychain->setTextFormat(Qt::PlainText);
    m_keychain->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Server &URL:"), m_url);
    form->addRow(tr("&Token:"), m_token);
    form->addRow(QString(), m_remember);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_connect);
    buttons->addStretch(1);
    buttons->addWidget(m_delete);
    auto *box = new QGroupBox(tr("Server"), this);
    auto *boxLayout = new QVBoxLayout(box);
    auto *intro = new QLabel(tr("Connect to the management listener of a gestaltd (or to its "
                                "public listener when it has no separate one)."),
                             box);
    intro->setWordWrap(true);
    boxLayout->addWidget(intro);
    boxLayout->addLayout(form);
    boxLayout->addLayout(buttons);
    boxLayout->addWidget(m_status);
    boxLayout->addWidget(m_keychain);
    boxLayout->addStretch(1);
    auto *profilesBox = new QGroupBox(tr("Saved servers"), this);
    auto *profilesLayout = new QVBoxLayout(profilesBox);
    profilesLayout->addWidget(m_profiles);
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(profilesBox, 1);
    layout->addWidget(box, 2);

    connect(m_profiles, &QListWidget::currentTextChanged, this, &ConnectPage::selectProfile);
    connect(m_profiles, &QListWidget::itemActivated, this, &ConnectPage::connectFromForm);
    connect(m_connect, &QPushButton::clicked, this, &ConnectPage::connectFromForm);
    connect(m_delete, &QPushButton::clicked, this, &ConnectPage::deleteProfile);
    connect(m_token, &QLineEdit::returnPressed, this, &ConnectPage::connectFromForm);
    connect(m_url, &QLineEdit::returnPressed, this, &ConnectPage::connectFromForm);
    connect(&m_api, &ApiClient::stateChanged, this, [this](ApiClient::State state) {
        if (state == ApiClient::State::Online && !m_unverified.isEmpty()) {
            const QString name = m_unverified; // verify() clears it
            verify(name);
        }
    });
    refresh();
}

void ConnectPage::refresh()
{
    const QString current = m_name->text();
    const QSignalBlocker blocker(m_profiles);
    m_profiles->clear();
    for (const Settings::Profile &profile : m_settings.profiles()) {
        auto *item = new QListWidgetItem(profile.name, m_profiles);
        item->setToolTip(profile.url.toString());
        if (profile.name == current) {
            m_profiles->setCurrentItem(item);
        }
    }
    m_delete->setEnabled(m_profiles->count() > 0);
}

QString ConnectPage::profileName() const
{
    return m_name->text().trimmed();
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
        m_name->setText(profile.name);
        m_url->setText(profile.url.toString());
        m_token->clear();
        const QList<QListWidgetItem *> items = m_profiles->findItems(name, Qt::MatchExactly);
        if (!items.isEmpty() && m_profiles->currentItem() != items.first()) {
            const QSignalBlocker blocker(m_profiles);
            m_profiles->setCurrentItem(items.first());
        }
        m_secrets.read(Settings::tokenKey(name),
                       [this, guard = QPointer<ConnectPage>(this), name, connectAfter](
                           const SecretStore::Outcome &outcome) {
                           if (!guard || m_name->text() != name) {
                               return;
                           }
                           if (outcome.ok) {
                               m_token->setText(outcome.secret);
                           } else if (outcome.unavailable) {
                               m_token->setText(m_sessionTokens.value(name));
                               m_keychain->setText(outcome.error);
                               m_keychain->show();
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
    connectTo(m_name->text().trimmed(),
              m_url->text().trimmed(),
              m_token->text().trimmed(),
              m_remember->isChecked());
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
    m_name->setText(profile);
    m_url->setText(server.toString());
    m_token->setText(token);
    m_remember->setChecked(rememberToken);
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
                            m_keychain->setVisible(!outcome.ok);
                            if (outcome.unavailable) {
                                m_sessionTokens.insert(profile, token);
                            }
                            if (!outcome.ok) {
                                m_keychain->setText(outcome.error);
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
    m_api.get(u"/health"_s, this, [this, name](const ApiReply &health) {
        if (!health.reached()) {
            // The window retries; when the server answers, this check runs again.
            m_unverified = name;
            setBusy(false, tr("Cannot reach the server: %1").arg(health.networkError));
            return;
        }
        m_api.get(u"/admin/api/v1/authorization/apps"_s, this, [this, name](const ApiReply &reply) {
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
    Q_EMIT disconnected();
}

void ConnectPage::deleteProfile()
{
    const QString name =
        m_profiles->currentItem() ? m_profiles->currentItem()->text() : m_name->text().trimmed();
    if (name.isEmpty()) {
        return;
    }
    m_settings.removeProfile(name);
    m_sessionTokens.remove(name);
    m_secrets.remove(Settings::tokenKey(name), [](const SecretStore::Outcome &) {});
    m_name->clear();
    m_url->clear();
    m_token->clear();
    refresh();
}

void ConnectPage::setBusy(bool busy, const QString &status)
{
    m_connect->setEnabled(!busy);
    m_status->setText(status);
}

} // namespace Gestalt::Console
