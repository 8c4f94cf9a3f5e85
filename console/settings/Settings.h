// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QSettings>
#include <QString>
#include <QUrl>
#include <QVariant>

#include <memory>

namespace Gestalt::Console {

// The console's settings (QSettings: ~/.config/Gestalt/gestalt-console.conf on Linux). Window
// layout, saved servers and view choices only: tokens live in the SecretStore, never here.
class Settings final
{
public:
    enum class Key {
        WindowGeometry,
        WindowState,
        LastPage, // the last page used but Connection (shown after connecting)
        LastProfile,
        MetricsIntervalSeconds,
        MetricsWindowMinutes,
        Language, // "" follows the system
    };

    // A QSettings of the application, or of `fileName` (tests).
    explicit Settings(const QString &fileName = {});

    [[nodiscard]] QVariant value(Key key) const;
    void setValue(Key key, const QVariant &value);

    struct Profile
    {
        QString name;
        QUrl url;

        bool operator==(const Profile &other) const = default;
    };
    [[nodiscard]] QList<Profile> profiles() const;
    // Adds or replaces the profile of that name.
    void saveProfile(const Profile &profile);
    void removeProfile(const QString &name);
    // The SecretStore key of a profile's token.
    [[nodiscard]] static QString tokenKey(const QString &profileName);

    void sync() { m_settings->sync(); }

private:
    void writeProfiles(const QList<Profile> &all);

    std::unique_ptr<QSettings> m_settings;
};

} // namespace Gestalt::Console
