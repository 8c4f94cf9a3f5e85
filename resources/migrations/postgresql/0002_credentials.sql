-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- Stored upstream credentials (server/connections/CredentialRepository.h). Timestamps: epoch
-- milliseconds UTC. The tokens are sealed (AES-256-GCM, base64) bound to
-- (subject_id, connection_id, instance); no column holds a secret in plaintext.
-- Keep in step with ../sqlite/0002_credentials.sql.

CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    instance TEXT NOT NULL,
    access_token_sealed TEXT NOT NULL,
    refresh_token_sealed TEXT NOT NULL DEFAULT '',
    token_type TEXT NOT NULL DEFAULT '',
    metadata_json TEXT NOT NULL DEFAULT '{}',
    external_id TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    expires_at BIGINT,
    refresh_error_count INTEGER NOT NULL DEFAULT 0,
    invalid BOOLEAN NOT NULL DEFAULT FALSE,
    refresh_lease_owner TEXT,
    refresh_lease_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (subject_id, connection_id, instance)
);

CREATE INDEX credentials_by_subject ON credentials (subject_id);
