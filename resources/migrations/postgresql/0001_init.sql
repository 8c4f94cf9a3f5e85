-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- Users and API tokens. Timestamps: epoch milliseconds UTC (see server/store/SqlDialect.h).
-- Keep in step with ../sqlite/0001_init.sql.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    normalized_email TEXT NOT NULL UNIQUE,
    display_name TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'subject')),
    owner_id TEXT NOT NULL,
    credential_subject_id TEXT NOT NULL,
    name TEXT NOT NULL,
    hashed_token TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL DEFAULT '',
    permissions_json TEXT,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX api_tokens_by_owner ON api_tokens (owner_kind, owner_id);
