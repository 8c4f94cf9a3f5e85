// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditRoutes.h"

#include "audit/AuditLog.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr int kSecondsPerMinute = 60;
constexpr int kSecondsPerHour = 3600;

// RFC 3339 date-time (section 5.6): full date, 'T', full time with optional fraction, and 'Z' or
// a numeric offset. Qt's ISO parser is looser (date only, no offset = local time), so match first.
std::optional<QDateTime> parseRfc3339(const QString &text)
{
    static const QRegularExpression pattern(
        uR"(^([0-9]{4})-([0-9]{2})-([0-9]{2}))"                       // date: groups 1-3
        uR"([Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?)" // time: 4-6, fraction 7
        uR"((?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$)"_s);             // Z: 8, or offset 9-11
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch()) {
        return std::nullopt;
    }
    const auto number = [&match](int group) {
        return match.captured(group).toInt();
    };
    const QDate date(number(1), number(2), number(3));
    const QString fraction = match.captured(7);
    const int ms = fraction.leftJustified(3, u'0').left(3).toInt();
    const QTime time(number(4), number(5), number(6), ms);
    if (!date.isValid() || !time.isValid()) {
        return std::nullopt;
    }
    // The store keeps milliseconds. A finer time rounds up, which keeps both bounds exact: an
    // event at .123 is before until=.1231 (exclusive) and before since=.1231 (inclusive).
    const QStringView beyondMs = QStringView(fraction).mid(std::min<qsizetype>(3, fraction.size()));
    const bool finer =
        std::any_of(beyondMs.begin(), beyondMs.end(), [](QChar digit) { return digit != u'0'; });
    int offsetSeconds = 0;
    if (match.captured(8).isEmpty()) {
        const int hours = number(10);
        const int minutes = number(11);
        if (hours > 23 || minutes > 59) {
            return std::nullopt;
        }
        offsetSeconds = hours * kSecondsPerHour + minutes * kSecondsPerMinute;
        if (match.captured(9) == u"-"_s) {
            offsetSeconds = -offsetSeconds;
        }
    }
    return QDateTime(date, time, Qt::OffsetFromUTC, offsetSeconds).toUTC().addMSecs(finer ? 1 : 0);
}

Result<std::optional<QDateTime>> timeParameter(const HttpRequest &request, const QString &name)
{
    if (!request.query.hasQueryItem(name)) {
        return std::optional<QDateTime>();
    }
    std::optional<QDateTime> time = parseRfc3339(request.queryValue(name));
    if (!time) {
        return Error::invalid(
            u"%1 must be an RFC 3339 time, e.g. 2026-01-01T00:00:00Z"_s.arg(name));
    }
    return time;
}

// Not QueryParams::integer: this route's own text ("limit must be between 1 and 1000") is the
// API's, and an empty ?limit= is refused rather than read as absent.
Result<int> limitParameter(const HttpRequest &request)
{
    const QString name = u"limit"_s;
    if (!request.query.hasQueryItem(name)) {
        return AuditQuery::DefaultLimit;
    }
    static const QRegularExpression digits(u"^[0-9]{1,9}$"_s);
    const QString text = request.queryValue(name);
    const int limit = digits.match(text).hasMatch() ? text.toInt() : 0;
    if (limit < 1 || limit > AuditQuery::MaxLimit) {
        return Error::invalid(u"limit must be between 1 and %1"_s.arg(AuditQuery::MaxLimit));
    }
    return limit;
}

} // namespace

AuditRoutes::AuditRoutes(AuditLog &log, AdminCheck adminCheck)
    : m_log(log)
    , m_adminCheck(std::move(adminCheck))
{}

void AuditRoutes::registerRoutes(Router &router)
{
    router.route(
        u"GET"_s, u"/api/v1/audit-events"_s, RouteAuth::Authenticated, this, &AuditRoutes::list);
}

Result<HttpResponse> AuditRoutes::list(const HttpRequest &request)
{
    // Admins only, before anything about the query is answered.
    if (!m_adminCheck) {
        return Error::forbidden(u"audit events are for administrators"_s);
    }
    if (Result<void> admitted = m_adminCheck(request); !admitted) {
        return admitted.error();
    }

    AuditQuery query;
    Result<int> limit = limitParameter(request);
    if (!limit) {
        return limit.error();
    }
    query.limit = *limit;
    Result<std::optional<QDateTime>> since = timeParameter(request, u"since"_s);
    if (!since) {
        return since.error();
    }
    query.since = *since;
    Result<std::optional<QDateTime>> until = timeParameter(request, u"until"_s);
    if (!until) {
        return until.error();
    }
    query.until = *until;
    query.actor = request.queryValue(u"actor"_s);
    query.action = request.queryValue(u"action"_s);
    query.resource = request.queryValue(u"resource"_s);
    query.cursor = request.queryValue(u"cursor"_s);

    // Flushes first: the caller's own earlier actions may still be queued.
    Result<AuditPage> page = m_log.query(query);
    if (!page) {
        return page.error();
    }
    QJsonArray events;
    for (const AuditEvent &event : std::as_const(page->events)) {
        events.append(event.toJson());
    }
    QJsonObject body{{u"events"_s, events}};
    if (!page->nextCursor.isEmpty()) {
        body.insert(u"nextCursor"_s, page->nextCursor);
    }
    return HttpResponse::json(200, body);
}

} // namespace Gestalt
