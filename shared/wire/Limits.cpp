// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/wire/Limits.h"

#include "shared/wire/WireJson.h"

using namespace Qt::StringLiterals;

namespace Gestalt::Wire {

QJsonObject LimitRule::toJson() const
{
    QJsonObject json{{u"scope"_s, scope}};
    insertString(json, u"role"_s, role);
    insertString(json, u"token"_s, token);
    insertString(json, u"app"_s, app);
    insertString(json, u"operation"_s, operation);
    insertNumber(json, u"requests"_s, requests);
    insertNumber(json, u"perSeconds"_s, perSeconds);
    insertNumber(json, u"concurrent"_s, concurrent);
    return json;
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
    rule.requests = numberFromJson(object.value(u"requests"_s));
    rule.perSeconds = numberFromJson(object.value(u"perSeconds"_s));
    rule.concurrent = numberFromJson(object.value(u"concurrent"_s));
    return rule;
}

QJsonObject LimitUsage::toJson() const
{
    QJsonObject json{{u"scope"_s, scope}};
    insertString(json, u"app"_s, app);
    insertString(json, u"operation"_s, operation);
    insertString(json, u"subject"_s, subject);
    insertNumber(json, u"requests"_s, requests);
    insertNumber(json, u"perSeconds"_s, perSeconds);
    insertNumber(json, u"inFlight"_s, inFlight);
    insertNumber(json, u"limited"_s, limited);
    return json;
}

LimitUsage LimitUsage::fromJson(const QJsonObject &object)
{
    LimitUsage usage;
    usage.scope = object.value(u"scope"_s).toString();
    usage.app = object.value(u"app"_s).toString();
    usage.operation = object.value(u"operation"_s).toString();
    usage.subject = object.value(u"subject"_s).toString();
    usage.requests = numberFromJson(object.value(u"requests"_s));
    usage.perSeconds = numberFromJson(object.value(u"perSeconds"_s));
    usage.inFlight = numberFromJson(object.value(u"inFlight"_s));
    usage.limited = numberFromJson(object.value(u"limited"_s));
    return usage;
}

QJsonObject BlockedUpstream::toJson() const
{
    QJsonObject json{{u"app"_s, app}, {u"connection"_s, connection}, {u"retryAfter"_s, retryAfter}};
    insertString(json, u"instance"_s, instance);
    insertString(json, u"subject"_s, subject);
    insertTime(json, u"until"_s, until);
    return json;
}

BlockedUpstream BlockedUpstream::fromJson(const QJsonObject &object)
{
    BlockedUpstream blocked;
    blocked.app = object.value(u"app"_s).toString();
    blocked.connection = object.value(u"connection"_s).toString();
    blocked.instance = object.value(u"instance"_s).toString();
    blocked.subject = object.value(u"subject"_s).toString();
    blocked.until = timeFromJson(object.value(u"until"_s));
    blocked.retryAfter = object.value(u"retryAfter"_s).toInteger();
    return blocked;
}

} // namespace Gestalt::Wire
