// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pages/Page.h"

#include <QHash>

#include <memory>

namespace Gestalt::Console {

namespace Ui {
class ConnectPage;
}

class SecretStore;
class Settings;

// Saved servers and connecting: a profile is a name and the URL of the management listener (or
// the public one when it is not split); its token goes to the SecretStore (the system keychain),
// never to the settings. The form is static: ConnectPage.ui. Connecting checks that the server
// answers and that the token may use the operator routes, then emits connected().
class ConnectPage final : public Page
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectPage)

public:
    ConnectPage(ApiClient &api,
                Settings &settings,
                SecretStore &secrets,
                QWidget *parent = nullptr);
    ~ConnectPage() override;

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

private:
    void connectFromForm();
    void deleteProfile();
    void verify(const QString &name);
    void loadProfile(const QString &name, bool connectAfter);
    void setBusy(bool busy, const QString &status = {});

    Settings &m_settings;
    SecretStore &m_secrets;
    const std::unique_ptr<Ui::ConnectPage> m_ui; // the form: ConnectPage.ui
    // Tokens the keychain could not take (there is none): kept for this session only.
    QHash<QString, QString> m_sessionTokens;
    // The profile whose server did not answer when connecting: checked again once it does.
    QString m_unverified;
};

} // namespace Gestalt::Console
