// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pages/Page.h"

#include <QHash>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace Gestalt::Console {

class SecretStore;
class Settings;

// Saved servers and connecting: a profile is a name and the URL of the management listener (or
// the public one when it is not split); its token goes to the SecretStore (the system keychain),
// never to the settings. Connecting checks that the server answers and that the token may use
// the operator routes, then emits connected().
class ConnectPage final : public Page
{
    Q_OBJECT

public:
    ConnectPage(ApiClient &api,
                Settings &settings,
                SecretStore &secrets,
                QWidget *parent = nullptr);

    void refresh() override; // reloads the saved profiles

    // Fills the form and connects (the Connect button does the same).
    void
    connectTo(const QString &name, const QString &url, const QString &token, bool rememberToken);
    void disconnectFromServer();
    // Selects a saved profile and reads its token from the SecretStore.
    void selectProfile(const QString &name);
    // The same, then connects with what it read.
    void connectToProfile(const QString &name);
    [[nodiscard]] QString profileName() const;

Q_SIGNALS:
    void connected();
    void disconnected();

private:
    void connectFromForm();
    void deleteProfile();
    void verify(const QString &name);
    void loadProfile(const QString &name, bool connectAfter);
    void setBusy(bool busy, const QString &status = {});

    Settings &m_settings;
    SecretStore &m_secrets;
    QListWidget *m_profiles;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QLineEdit *m_token;
    QCheckBox *m_remember;
    QPushButton *m_connect;
    QPushButton *m_delete;
    QLabel *m_status;
    QLabel *m_keychain;
    // Tokens the keychain could not take (there is none): kept for this session only.
    QHash<QString, QString> m_sessionTokens;
    // The profile whose server did not answer when connecting: checked again once it does.
    QString m_unverified;
};

} // namespace Gestalt::Console
