// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/wire/Runtime.h"

#include "shared/wire/WireJson.h"

using namespace Qt::StringLiterals;

namespace Gestalt::Wire {

QJsonObject RuntimeProfile::toJson() const
{
    return QJsonObject{{u"canHostPlugins"_s, canHostPlugins},
                       {u"hostServiceAccess"_s, hostServiceAccess},
                       {u"egressMode"_s, egressMode}};
}

RuntimeProfile RuntimeProfile::fromJson(const QJsonObject &object)
{
    RuntimeProfile profile;
    profile.canHostPlugins = object.value(u"canHostPlugins"_s).toBool();
    profile.hostServiceAccess = object.value(u"hostServiceAccess"_s).toString();
    profile.egressMode = object.value(u"egressMode"_s).toString();
    return profile;
}

QJsonObject RuntimeProvider::toJson() const
{
    QJsonObject json{
        {u"name"_s, name}, {u"driver"_s, driver}, {u"default"_s, isDefault}, {u"loaded"_s, loaded}};
    if (loaded) {
        json.insert(u"sessionCount"_s, sessionCount);
        json.insert(u"profile"_s,
                    QJsonObject{{u"advertised"_s, advertised.toJson()},
                                {u"effective"_s, effective.toJson()}});
    } else {
        json.insert(u"error"_s, error);
    }
    return json;
}

RuntimeProvider RuntimeProvider::fromJson(const QJsonObject &object)
{
    RuntimeProvider provider;
    provider.name = object.value(u"name"_s).toString();
    provider.driver = object.value(u"driver"_s).toString();
    provider.isDefault = object.value(u"default"_s).toBool();
    provider.loaded = object.value(u"loaded"_s).toBool();
    provider.sessionCount = object.value(u"sessionCount"_s).toInt();
    const QJsonObject profile = object.value(u"profile"_s).toObject();
    provider.advertised = RuntimeProfile::fromJson(profile.value(u"advertised"_s).toObject());
    provider.effective = RuntimeProfile::fromJson(profile.value(u"effective"_s).toObject());
    provider.error = object.value(u"error"_s).toString();
    return provider;
}

QJsonObject RuntimeSession::toJson() const
{
    QJsonObject json{{u"id"_s, id}, {u"state"_s, state}, {u"app"_s, app}};
    insertTime(json, u"startedAt"_s, startedAt);
    if (pid > 0) {
        json.insert(u"pid"_s, pid);
    }
    return json;
}

RuntimeSession RuntimeSession::fromJson(const QJsonObject &object)
{
    RuntimeSession session;
    session.id = object.value(u"id"_s).toString();
    session.state = object.value(u"state"_s).toString();
    session.app = object.value(u"app"_s).toString(object.value(u"plugin"_s).toString());
    session.pid = object.value(u"pid"_s).toInteger();
    session.startedAt = timeFromJson(object.value(u"startedAt"_s));
    return session;
}

QJsonObject LogLine::toJson() const
{
    QJsonObject json{{u"seq"_s, seq}, {u"stream"_s, stream}, {u"message"_s, message}};
    insertTime(json, u"observedAt"_s, observedAt);
    return json;
}

LogLine LogLine::fromJson(const QJsonObject &object)
{
    LogLine line;
    line.seq = object.value(u"seq"_s).toInteger();
    line.stream = object.value(u"stream"_s).toString();
    line.message = object.value(u"message"_s).toString();
    line.observedAt = timeFromJson(object.value(u"observedAt"_s));
    return line;
}

} // namespace Gestalt::Wire
