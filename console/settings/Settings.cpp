// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "settings/Settings.h"

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

struct KeyInfo
{
    Settings::Key key;
    QString name;
    QVariant defaultValue;
};

// One table: every key's name and default.
const QList<KeyInfo> &keyTable()
{
    static const QList<KeyInfo> table = {
        {Settings::Key::WindowGeometry, u"window/geometry"_s, QByteArray()},
        {Settings::Key::WindowState, u"window/state"_s, QByteArray()},
        {Settings::Key::LastPage, u"window/page"_s, 1}, // Members
        {Settings::Key::LastProfile, u"servers/last"_s, QString()},
        {Settings::Key::MetricsIntervalSeconds, u"metrics/intervalSeconds"_s, 5},
        {Settings::Key::MetricsWindowMinutes, u"metrics/windowMinutes"_s, 15},
        {Settings::Key::Language, u"ui/language"_s, QString()},
    };
    return table;
}

const KeyInfo &info(Settings::Key key)
{
    for (const KeyInfo &entry : keyTable()) {
        if (entry.key == key) {
            return entry;
        }
    }
    Q_UNREACHABLE();
}

} // namespace

Settings::Settings(const QString &fileName)
    : m_settings(fileName.isEmpty() ? std::make_unique<QSettings>()
                                    : std::make_unique<QSettings>(fileName, QSettings::IniFormat))
{}

QVariant Settings::value(Key key) const
{
    const KeyInfo &entry = info(key);
    return m_settings->value(entry.name, entry.defaultValue);
}

void Settings::setValue(Key key, const QVariant &value)
{
    m_settings->setValue(info(key).name, value);
}

QList<Settings::Profile> Settings::profiles() const
{
    QList<Profile> out;
    const int count = m_settings->beginReadArray(u"servers/profiles"_s);
    for (int i = 0; i < count; ++i) {
        m_settings->setArrayIndex(i);
        Profile profile{m_settings->value(u"name"_s).toString(),
                        m_settings->value(u"url"_s).toUrl()};
        if (!profile.name.isEmpty() && profile.url.isValid()) {
            out.append(profile);
        }
    }
    m_settings->endArray();
    return out;
}

void Settings::saveProfile(const Profile &profile)
{
    QList<Profile> all = profiles();
    const auto it = std::find_if(
        all.begin(), all.end(), [&](const Profile &p) { return p.name == profile.name; });
    if (it != all.end()) {
        *it = profile;
    } else {
        all.append(profile);
    }
    writeProfiles(all);
}

void Settings::removeProfile(const QString &name)
{
    QList<Profile> all = profiles();
    all.removeIf([&](const Profile &p) { return p.name == name; });
    writeProfiles(all);
}

void Settings::writeProfiles(const QList<Profile> &all)
{
    m_settings->remove(u"servers/profiles"_s);
    m_settings->beginWriteArray(u"servers/profiles"_s, int(all.size()));
    for (int i = 0; i < all.size(); ++i) {
        m_settings->setArrayIndex(i);
        m_settings->setValue(u"name"_s, all[i].name);
        m_settings->setValue(u"url"_s, all[i].url);
    }
    m_settings->endArray();
}

QString Settings::tokenKey(const QString &profileName)
{
    return u"token/"_s + profileName;
}

} // namespace Gestalt::Console
