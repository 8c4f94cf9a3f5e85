// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/AuthzSnapshot.h"

#include "authz/RelationshipRepository.h"
#include "core/Logging.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString resourceKey(const ResourceRef &resource)
{
    return resource.type + u'\n' + resource.id;
}

} // namespace

AuthzSnapshot::AuthzSnapshot(RelationshipRepository &repository, QObject *parent)
    : QObject(parent)
    , m_repository(repository)
    , m_data(std::make_shared<const Data>())
{
    connect(&m_poll, &QTimer::timeout, this, &AuthzSnapshot::poll);
}

Result<void> AuthzSnapshot::reload()
{
    if (m_failReloads > 0) {
        --m_failReloads;
        return Error::unavailable(u"authorization snapshot reload failed (test)"_s);
    }
    // The revision first: a write landing in between makes the next poll reload again, never the
    // other way round.
    const Result<qint64> revision = m_repository.revision();
    if (!revision) {
        return revision.error();
    }
    const Result<QList<Relationship>> relationships = m_repository.loadDynamic();
    if (!relationships) {
        return relationships.error();
    }
    auto data = std::make_shared<Data>();
    for (const Relationship &relationship : *relationships) {
        data->byResource[resourceKey(relationship.resource)].insert(
            relationship.subject.canonical(), relationship);
        data->bySubject[relationship.subject.canonical()].append(relationship);
    }
    m_data = std::move(data);
    const bool changed = m_revision != *revision;
    m_revision = *revision;
    if (changed) {
        qCDebug(lcAuthz) << "authorization snapshot at revision" << m_revision << "with"
                         << relationships->size() << "dynamic relationships";
    }
    Q_EMIT reloaded(m_revision);
    return {};
}

void AuthzSnapshot::startPolling(int intervalMs)
{
    m_poll.start(intervalMs);
}

void AuthzSnapshot::stopPolling()
{
    m_poll.stop();
}

std::optional<QString> AuthzSnapshot::relation(const QString &subjectCanonical,
                                               const ResourceRef &resource) const
{
    const auto onResource = m_data->byResource.constFind(resourceKey(resource));
    if (onResource == m_data->byResource.cend()) {
        return std::nullopt;
    }
    const auto found = onResource->constFind(subjectCanonical);
    if (found == onResource->cend()) {
        return std::nullopt;
    }
    return found->relation;
}

QList<Relationship> AuthzSnapshot::onResource(const ResourceRef &resource) const
{
    const auto found = m_data->byResource.constFind(resourceKey(resource));
    if (found == m_data->byResource.cend()) {
        return {};
    }
    QList<Relationship> relationships = found->values();
    // Kinds are [a-z_] and ':' sorts before both, so canonical order is (kind, id) order.
    std::sort(relationships.begin(),
              relationships.end(),
              [](const Relationship &a, const Relationship &b) {
                  return a.subject.canonical() < b.subject.canonical();
              });
    return relationships;
}

QList<Relationship> AuthzSnapshot::ofSubject(const QString &subjectCanonical) const
{
    return m_data->bySubject.value(subjectCanonical);
}

void AuthzSnapshot::poll()
{
    const Result<qint64> revision = m_repository.revision();
    Result<void> result;
    if (!revision) {
        result = revision.error();
    } else if (*revision != m_revision) {
        result = reload();
    }
    if (!result && !m_pollFailing) {
        qCWarning(lcAuthz).noquote()
            << "authorization snapshot is stale, polling failed:" << result.error().message;
    } else if (result && m_pollFailing) {
        qCInfo(lcAuthz) << "authorization snapshot polling works again, at revision" << m_revision;
    }
    m_pollFailing = !result.hasValue();
}

} // namespace Gestalt
