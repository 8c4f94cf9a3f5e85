// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "api/AdminApi.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

namespace {

const QString authorizationBase = u"/admin/api/v1/authorization"_s;
const QString providersBase = u"/admin/api/v1/runtime/providers"_s;
const QString limitsPath = u"/admin/api/v1/limits"_s;
const QString upstreamPath = u"/admin/api/v1/limits/upstream"_s;

QString membersPath(const QString &app)
{
    if (app.isEmpty()) {
        return authorizationBase + u"/admins/members"_s;
    }
    return authorizationBase + u"/apps/"_s + ApiClient::segment(app) + u"/members"_s;
}

QString providerPath(const QString &provider)
{
    return providersBase + u'/' + ApiClient::segment(provider);
}

// Calls `done` with the reply and, for a success, what `read` makes of it.
template<typename T, typename Read>
ApiClient::Callback typed(AdminApi::Answer<T> done, Read read)
{
    return [done = std::move(done), read = std::move(read)](const ApiReply &reply) {
        done(reply, reply.ok() ? read(reply) : T());
    };
}

} // namespace

LimitsAnswer LimitsAnswer::fromJson(const QJsonObject &answer)
{
    LimitsAnswer limits;
    for (const QJsonValue value : answer.value(u"limits"_s).toArray()) {
        limits.rules.append(LimitRule::fromJson(value.toObject(), false));
    }
    for (const QJsonValue value : answer.value(u"overrides"_s).toArray()) {
        limits.rules.append(LimitRule::fromJson(value.toObject(), true));
    }
    limits.usage = listFromJson<LimitUsage>(answer.value(u"usage"_s).toArray());
    return limits;
}

void AdminApi::health(QObject *context, Done done) const
{
    m_api.get(u"/health"_s, context, std::move(done));
}

void AdminApi::metrics(QObject *context, Done done) const
{
    m_api.get(u"/metrics"_s, context, std::move(done));
}

void AdminApi::apps(QObject *context, Answer<QList<AppPolicy>> done) const
{
    m_api.get(
        authorizationBase + u"/apps"_s, context, typed(std::move(done), [](const ApiReply &reply) {
            return listFromJson<AppPolicy>(reply.json.array());
        }));
}

void AdminApi::members(const QString &app, QObject *context, Answer<MemberList> done) const
{
    m_api.get(membersPath(app), context, typed(std::move(done), [](const ApiReply &reply) {
                  const QByteArray canWrite = reply.header("X-Gestalt-Can-Write");
                  return MemberList{listFromJson<MemberRow>(reply.json.array()),
                                    canWrite.isEmpty()
                                        || canWrite.compare("false", Qt::CaseInsensitive) != 0};
              }));
}

void AdminApi::putMember(const QString &app,
                         const MemberGrant &grant,
                         QObject *context,
                         Done done) const
{
    QJsonObject body{{u"role"_s, grant.role}};
    if (grant.subjectId.isEmpty()) {
        body.insert(u"email"_s, grant.email);
    } else {
        body.insert(u"subjectId"_s, grant.subjectId);
    }
    m_api.put(membersPath(app), QJsonDocument(body), context, std::move(done));
}

void AdminApi::removeMember(const QString &app,
                            const QString &subject,
                            QObject *context,
                            Done done) const
{
    m_api.del(membersPath(app) + u'/' + ApiClient::segment(subject), context, std::move(done));
}

void AdminApi::providers(QObject *context, Answer<QList<RuntimeProvider>> done) const
{
    m_api.get(providersBase, context, typed(std::move(done), [](const ApiReply &reply) {
                  return listFromJson<RuntimeProvider>(reply.json.array());
              }));
}

void AdminApi::sessions(const QString &provider,
                        int pageSize,
                        const QString &pageToken,
                        QObject *context,
                        Answer<SessionPage> done) const
{
    QUrlQuery query;
    query.addQueryItem(u"pageSize"_s, QString::number(pageSize));
    if (!pageToken.isEmpty()) {
        query.addQueryItem(u"pageToken"_s, QString::fromLatin1(QUrl::toPercentEncoding(pageToken)));
    }
    m_api.get(providerPath(provider) + u"/sessions?"_s + query.toString(QUrl::FullyEncoded),
              context,
              typed(std::move(done), [](const ApiReply &reply) {
                  const QJsonObject page = reply.json.object();
                  return SessionPage{
                      listFromJson<RuntimeSession>(page.value(u"sessions"_s).toArray()),
                      page.value(u"nextPageToken"_s).toString()};
              }));
}

void AdminApi::logs(const QString &provider,
                    const QString &session,
                    qint64 after,
                    int limit,
                    QObject *context,
                    Answer<QList<LogLine>> done) const
{
    m_api.get(providerPath(provider) + u"/sessions/"_s + ApiClient::segment(session)
                  + u"/logs?after=%1&limit=%2"_s.arg(after).arg(limit),
              context,
              typed(std::move(done), [](const ApiReply &reply) {
                  return listFromJson<LogLine>(reply.json.array());
              }));
}

void AdminApi::limits(QObject *context, Answer<LimitsAnswer> done) const
{
    m_api.get(limitsPath, context, typed(std::move(done), [](const ApiReply &reply) {
                  return LimitsAnswer::fromJson(reply.json.object());
              }));
}

void AdminApi::blockedUpstreams(QObject *context, Answer<QList<BlockedUpstream>> done) const
{
    m_api.get(upstreamPath, context, typed(std::move(done), [](const ApiReply &reply) {
                  return listFromJson<BlockedUpstream>(
                      reply.json.object().value(u"blocked"_s).toArray());
              }));
}

} // namespace Gestalt::Console
