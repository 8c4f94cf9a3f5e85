// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/ApiClient.h"
#include "api/Wire.h"

#include <QList>
#include <QString>

#include <functional>

namespace Gestalt::Console {

// GET …/members: the rows, and whether this token may change them (X-Gestalt-Can-Write).
struct MemberList
{
    QList<MemberRow> rows;
    bool canWrite = true;
};

// PUT …/members: a member named by subject id or by email, and the role to give.
struct MemberGrant
{
    QString subjectId;
    QString email; // used when subjectId is empty
    QString role;
};

// GET …/providers/{provider}/sessions: one page.
struct SessionPage
{
    QList<RuntimeSession> sessions;
    QString nextPageToken; // empty on the last page
};

// GET /admin/api/v1/limits: the configured limits and overrides, and the counters.
struct LimitsAnswer
{
    QList<LimitRule> rules; // "limits" first, then "overrides"
    QList<LimitUsage> usage;

    static LimitsAnswer fromJson(const QJsonObject &answer);
};

// The operator routes the console uses, one method per endpoint: the only place that knows
// their paths. Each answers once through its callback, like ApiClient, with the reply (for its
// status and error) and, when the reply is a success, the typed value it carries (else an empty
// one). A thin value over the ApiClient: pages hold one each.
class AdminApi final
{
public:
    template<typename T>
    using Answer = std::function<void(const ApiReply &reply, const T &value)>;
    using Done = ApiClient::Callback;

    explicit AdminApi(ApiClient &api)
        : m_api(api)
    {}

    // GET /health: answers on every listener, whatever the token.
    void health(QObject *context, Done done) const;
    // GET /metrics: Prometheus text in reply.body.
    void metrics(QObject *context, Done done) const;

    // GET /admin/api/v1/authorization/apps
    void apps(QObject *context, Answer<QList<AppPolicy>> done) const;
    // …/apps/{app}/members, or …/admins/members for an empty app.
    void members(const QString &app, QObject *context, Answer<MemberList> done) const;
    void putMember(const QString &app, const MemberGrant &grant, QObject *context, Done done) const;
    void
    removeMember(const QString &app, const QString &subject, QObject *context, Done done) const;

    // GET /admin/api/v1/runtime/providers
    void providers(QObject *context, Answer<QList<RuntimeProvider>> done) const;
    // …/providers/{provider}/sessions?pageSize=&pageToken=
    void sessions(const QString &provider,
                  int pageSize,
                  const QString &pageToken,
                  QObject *context,
                  Answer<SessionPage> done) const;
    // …/sessions/{session}/logs?after=&limit=
    void logs(const QString &provider,
              const QString &session,
              qint64 after,
              int limit,
              QObject *context,
              Answer<QList<LogLine>> done) const;

    // GET /admin/api/v1/limits
    void limits(QObject *context, Answer<LimitsAnswer> done) const;
    // GET /admin/api/v1/limits/upstream: "blocked"
    void blockedUpstreams(QObject *context, Answer<QList<BlockedUpstream>> done) const;

private:
    ApiClient &m_api;
};

} // namespace Gestalt::Console
