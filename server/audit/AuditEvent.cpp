// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditEvent.h"

#include "core/Principal.h"
#include "http/HttpRequest.h"
#include "http/HttpResponse.h"
#include "shared/TimeFormat.h"

#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qsizetype kMaxUserAgent = 512;

// The address as text, an IPv4-mapped IPv6 peer ("::ffff:10.0.0.1") as plain IPv4.
QString addressText(const QHostAddress &address)
{
    if (address.isNull()) {
        return {};
    }
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4) {
        return QHostAddress(v4).toString();
    }
    return address.toString();
}

QString capUserAgent(const QByteArray &header)
{
    QString agent = QString::fromUtf8(header);
    if (agent.size() > kMaxUserAgent) {
        agent.truncate(kMaxUserAgent);
        if (agent.back().isHighSurrogate()) {
            agent.chop(1); // never leave half a character
        }
    }
    return agent;
}

} // namespace

AuditContext AuditContext::fromRequest(const HttpRequest &request)
{
    AuditContext context;
    context.requestId = request.requestId;
    context.remoteAddr = addressText(request.remoteAddress);
    // The server resolved the client: X-Forwarded-For counts only from server.trustedProxies.
    context.clientIp =
        request.clientAddress.isNull() ? context.remoteAddr : addressText(request.clientAddress);
    context.userAgent = capUserAgent(request.header("user-agent"_ba));
    return context;
}

AuditEvent
AuditEvent::forRequest(const HttpRequest &request, const QString &action, const AuditTarget &target)
{
    AuditEvent event;
    event.context = AuditContext::fromRequest(request);
    if (request.principal) {
        event.setPrincipal(*request.principal);
    }
    event.action = action;
    event.setTarget(target);
    return event;
}

void AuditEvent::setTarget(const AuditTarget &target)
{
    targetKind = target.kind;
    targetId = target.id;
    targetName = target.name;
}

void AuditEvent::setOutcome(const std::optional<Error> &failure)
{
    allowed = !failure.has_value();
    error = failure ? publicMessage(*failure) : QString();
}

void AuditEvent::setPrincipal(const Principal &principal)
{
    authSource = principal.authSourceName();
    subjectId = principal.subjectId;
    const qsizetype colon = subjectId.indexOf(u':');
    subjectKind = colon > 0 ? subjectId.left(colon) : QString();
}

QJsonObject AuditEvent::toJson() const
{
    QJsonObject json{
        {u"id"_s, id},
        {u"time"_s, isoUtc(time)},
        {u"requestId"_s, context.requestId},
        {u"source"_s, context.source},
        {u"authSource"_s, authSource},
        {u"subjectId"_s, subjectId},
        {u"subjectKind"_s, subjectKind},
        {u"action"_s, action},
        {u"targetKind"_s, targetKind},
        {u"targetId"_s, targetId},
        {u"targetName"_s, targetName},
        {u"allowed"_s, allowed},
        {u"clientIp"_s, context.clientIp},
        {u"remoteAddr"_s, context.remoteAddr},
        {u"userAgent"_s, context.userAgent},
    };
    if (!error.isEmpty()) {
        json.insert(u"error"_s, error);
    }
    if (count > 1) {
        json.insert(u"count"_s, count);
    }
    return json;
}

} // namespace Gestalt
