-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- The dynamic authorization store (server/authz/RelationshipRepository.h) and managed subjects
-- (server/authz/ManagedSubjectRepository.h). Timestamps: epoch milliseconds UTC.
-- authz_revision holds one integer, bumped in the same transaction as every relationship change,
-- so replicas learn by polling it that their in-memory snapshot is stale.
-- Text sorts bytewise here; the PostgreSQL twin declares COLLATE "C" so page order matches.
-- Keep in step with ../postgresql/0003_authz.sql.

CREATE TABLE authz_relationships (
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    managed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (subject_kind, subject_id, resource_type, resource_id)
);

-- Listing and paging order, and "who holds what on this resource".
CREATE INDEX authz_relationships_by_resource
    ON authz_relationships (resource_type, resource_id, subject_kind, subject_id);

-- Subject lookups ("what does this subject hold") use the UNIQUE index, which starts with
-- (subject_kind, subject_id).

CREATE TABLE authz_models (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL UNIQUE,
    definition_json TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL
);

-- At most one active model.
CREATE UNIQUE INDEX authz_models_one_active ON authz_models (active) WHERE active;

CREATE TABLE authz_revision (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    revision INTEGER NOT NULL
);

INSERT INTO authz_revision (id, revision) VALUES (1, 0);

-- Service accounts. Deleting is soft (deleted_at), so an id is never reused.
CREATE TABLE managed_subjects (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_by_subject_id TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
);
