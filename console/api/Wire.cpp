// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "api/Wire.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

QDateTime timeOf(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

std::optional<qint64> numberOf(const QJsonValue &value)
{
    return value.isDouble() ? std::optional<qint64>(value.toInteger()) : std::nullopt;
}

} // namespace

AppPolicy AppPolicy::fromJson(const QJsonObject &object)
{
    AppPolicy app;
    app.name = object.value(u"name"_s).toString();
    app.displayName = object.value(u"displayName"_s).toString(app.name);
    app.policy = object.value(u"authorizationPolicy"_s).toString();
    return app;
}

QString MemberRow::subject() const
{
    return subjectId.isEmpty() ? selectorValue : subjectId;
}

MemberRow MemberRow::fromJson(const QJsonObject &object)
{
    MemberRow row;
    row.subjectId = object.value(u"subjectId"_s).toString();
    row.email = object.value(u"email"_s).toString();
    row.role = object.value(u"role"_s).toString();
    row.source = object.value(u"source"_s).toString();
    row.effective = object.value(u"effective"_s).toBool(true);
    row.isMutable = object.value(u"mutable"_s).toBool(false);
    row.shadowedBy = object.value(u"shadowedBy"_s).toString();
    row.selectorKind = object.value(u"selectorKind"_s).toString();
    row.selectorValue = object.value(u"selectorValue"_s).toString();
    return row;
}

QString RuntimeProfile::summary() const
{
    if (isEmpty()) {
        return {};
    }
    QStringList parts;
    parts.append(
        canHostPlugins
            ? QCoreApplication::translate("Gestalt::Console::RuntimeProfile", "hosts apps")
            : QCoreApplication::translate("Gestalt::Console::RuntimeProfile", "cannot host apps"));
    if (!hostServiceAccess.isEmpty()) {
        parts.append(hostServiceAccess);
    }
    if (!egressMode.isEmpty()) {
        parts.append(egressMode);
    }
    return parts.join(u" · "_s);
}

RuntimeProfile RuntimeProfile::fromJson(const QJsonObject &object)
{
    RuntimeProfile profile;
    profile.canHostPlugins = object.value(u"canHostPlugins"_s).toBool();
    profile.hostServiceAccess = object.value(u"hostServiceAccess"_s).toString();
    profile.egressMode = object.value(u"egressMode"_s).toString();
    return profile;
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

RuntimeSession RuntimeSession::fromJson(const QJsonObject &object)
{
    RuntimeSession session;
    session.id = object.value(u"id"_s).toString();
    session.state = object.value(u"state"_s).toString();
    session.app = object.value(u"app"_s).toString(object.value(u"plugin"_s).toString());
    session.pid = object.value(u"pid"_s).toInteger();
    session.startedAt = timeOf(object.value(u"startedAt"_s));
    return session;
}

LogLine LogLine::fromJson(const QJsonObject &object)
{
    LogLine line;
    line.seq = object.value(u"seq"_s).toInteger();
    line.stream = object.value(u"stream"_s).toString();
    line.message = object.value(u"message"_s).toString();
    line.observedAt = timeOf(object.value(u"observedAt"_s));
    return line;
}

LimitRule LimitRule::fromJson(const QJsonObject &object, bool isOverride)
{
    LimitRule rule;
    rule.isOverride = isOverride;
    rule.scope = object.value(u"scope"_s).toString();
    rule.role = object.value(u"role"_s).toString();
    rule.token = object.value(u"token"_s).toString();
    rule.app = object.value(u"app"_s).toString();
    rule.operation = object.value(u"operation"_s).toString();
    rule.requests = numberOf(object.value(u"requests"_s));
    rule.perSeconds = numberOf(object.value(u"perSeconds"_s));
    rule.concurrent = numberOf(object.value(u"concurrent"_s));
    return rule;
}

LimitUsage LimitUsage::fromJson(const QJsonObject &object)
{
    LimitUsage usage;
    usage.scope = object.value(u"scope"_s).toString();
    usage.app = object.value(u"app"_s).toString();
    usage.operation = object.value(u"operation"_s).toString();
    usage.subject = object.value(u"subject"_s).toString();
    usage.requests = numberOf(object.value(u"requests"_s));
    usage.perSeconds = numberOf(object.value(u"perSeconds"_s));
    usage.inFlight = numberOf(object.value(u"inFlight"_s));
    usage.limited = numberOf(object.value(u"limited"_s));
    return usage;
}

BlockedUpstream BlockedUpstream::fromJson(const QJsonObject &object)
{
    BlockedUpstream blocked;
    blocked.app = object.value(u"app"_s).toString();
    blocked.connection = object.value(u"connection"_s).toString();
    blocked.instance = object.value(u"instance"_s).toString();
    blocked.subject = object.value(u"subject"_s).toString();
    blocked.until = timeOf(object.value(u"until"_s));
    blocked.retryAfter = object.value(u"retryAfter"_s).toInteger();
    return blocked;
}

} // namespace Gestalt::Console
