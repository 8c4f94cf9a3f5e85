// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/LimitsDecoder.h"

#include "config/ConfigMapReader.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qint64 maxRequests = 1'000'000'000;
constexpr qint64 maxConcurrent = 1'000'000;
constexpr qint64 minPerSeconds = 1;
constexpr qint64 maxPerSeconds = qint64{24} * 3600;

} // namespace

LimitSpec LimitsDecoder::readSpec(ConfigMapReader &parent, QStringView key)
{
    LimitSpec spec;
    if (!parent.has(key)) {
        return spec;
    }
    ConfigMapReader r = parent.map(key);
    if (r.has(u"requests")) {
        spec.requests = r.integer(u"requests", 1, 1, maxRequests);
    }
    if (r.has(u"concurrent")) {
        spec.concurrent = r.integer(u"concurrent", 1, 1, maxConcurrent);
    }
    if (r.has(u"per")) {
        const std::optional<std::chrono::milliseconds> per = r.optionalDuration(u"per");
        if (per) {
            const qint64 ms = per->count();
            if (ms % 1000 != 0 || ms / 1000 < minPerSeconds || ms / 1000 > maxPerSeconds) {
                r.error(u"per", u"must be whole seconds between 1s and 24h"_s);
            } else {
                spec.perSeconds = ms / 1000;
            }
        }
        if (!spec.requests) {
            r.error(u"per", u"needs requests (per is the interval of a request count)"_s);
        }
    }
    if (!spec.isSet()) {
        r.errorHere(u"set requests and/or concurrent"_s);
    }
    return spec;
}

void LimitsDecoder::read(ConfigMapReader &server,
                         LimitsConfig &limits,
                         UpstreamLimitsConfig &upstream)
{
    if (!server.has(u"limits")) {
        return;
    }
    ConfigMapReader root = server.map(u"limits");
    readUpstream(root, upstream);
    limits.perSubject = readSpec(root, u"perSubject");
    for (const ConfigMapReader::Child &child : root.entries(u"apps")) {
        ConfigMapReader a(child, root.errors());
        AppLimits app;
        app.perSubject = readSpec(a, u"perSubject");
        app.total = readSpec(a, u"total");
        for (const ConfigMapReader::Child &opChild : a.entries(u"operations")) {
            ConfigMapReader o(opChild, root.errors());
            OperationLimits operation;
            operation.perSubject = readSpec(o, u"perSubject");
            operation.total = readSpec(o, u"total");
            app.operations.insert(opChild.name, operation);
        }
        limits.apps.insert(child.name, app);
    }
    for (const ConfigMapReader::Child &item : root.items(u"overrides")) {
        ConfigMapReader o(item, root.errors());
        LimitOverride entry;
        entry.role = o.string(u"role");
        entry.app = o.string(u"app");
        entry.token = o.string(u"token");
        if (entry.role.isEmpty() == entry.token.isEmpty()) {
            o.errorHere(u"set exactly one of role and token"_s);
        }
        if (!entry.token.isEmpty() && !entry.app.isEmpty()) {
            o.error(u"app",
                    u"applies to role overrides only (a token override replaces the "
                    u"top-level perSubject)"_s);
        }
        if (!o.has(u"perSubject")) {
            o.errorHere(u"perSubject is required"_s);
        }
        entry.perSubject = readSpec(o, u"perSubject");
        limits.overrides.append(entry);
    }
}

void LimitsDecoder::readUpstream(ConfigMapReader &limits, UpstreamLimitsConfig &upstream)
{
    ConfigMapReader reader = limits.map(u"upstream");
    upstream.onRateLimited = reader.choice(
        u"onRateLimited",
        {{u"fail", UpstreamRateLimitAction::Fail}, {u"wait", UpstreamRateLimitAction::Wait}},
        upstream.onRateLimited);
    upstream.maxWait = reader.duration(u"maxWait", upstream.maxWait);
    if (upstream.maxWait > std::chrono::hours(1)) {
        reader.error(u"maxWait",
                     u"must be at most 1h (an upstream's Retry-After is capped there)"_s);
    }
}

} // namespace Gestalt
