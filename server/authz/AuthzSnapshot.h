// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "authz/Relationship.h"
#include "shared/Result.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace Gestalt {

class RelationshipRepository;

// The in-memory copy of the dynamic (non-managed) relationships of this process. Access checks
// read it without touching the database. It reloads after every local write (reload()) and when
// the poll sees another replica moved the store's revision. Lives on the main thread.
class AuthzSnapshot final : public QObject
{
    Q_OBJECT

public:
    explicit AuthzSnapshot(RelationshipRepository &repository, QObject *parent = nullptr);

    // Loads everything now (startup; after a local write). On failure the previous snapshot stays.
    [[nodiscard]] Result<void> reload();
    // Polls the revision every `intervalMs` and reloads when it changed.
    void startPolling(int intervalMs);
    void stopPolling();

    // The relation `subject` holds on `resource`, if any.
    [[nodiscard]] std::optional<QString> relation(const QString &subjectCanonical,
                                                  const ResourceRef &resource) const;
    // Every tuple on `resource`, ordered by subject.
    [[nodiscard]] QList<Relationship> onResource(const ResourceRef &resource) const;
    // Every tuple held by `subjectCanonical`.
    [[nodiscard]] QList<Relationship> ofSubject(const QString &subjectCanonical) const;
    [[nodiscard]] qint64 revision() const { return m_revision; }

    // Tests: make the next `count` reloads fail (to exercise 202 persisted_pending_reload).
    void failNextReloadsForTesting(int count) { m_failReloads = count; }

Q_SIGNALS:
    void reloaded(qint64 revision);

private:
    void poll();

    struct Data
    {
        // resource "type\nid" → subject canonical → relationship
        QHash<QString, QHash<QString, Relationship>> byResource;
        QHash<QString, QList<Relationship>> bySubject;
    };
    RelationshipRepository &m_repository;
    std::shared_ptr<const Data> m_data;
    qint64 m_revision = -1;
    int m_failReloads = 0;
    bool m_pollFailing = false; // warn once per outage, not every poll
    QTimer m_poll;
};

} // namespace Gestalt
