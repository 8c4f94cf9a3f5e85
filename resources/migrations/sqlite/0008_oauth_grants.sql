-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- Single-use OAuth grants (server/store/OAuthGrantRepository.h): app OAuth states, MCP OAuth
-- authorization codes and refresh tokens. Rows are keyed by the SHA-256 of the grant, never the
-- grant itself; one conditional UPDATE consumes a row, so two replicas cannot both use it.
-- Timestamps: epoch milliseconds UTC. Keep in step with ../postgresql/0008_oauth_grants.sql.

CREATE TABLE oauth_grants (
    grant_hash TEXT PRIMARY KEY,             -- SHA-256 hex of the state / code / token nonce
    kind TEXT NOT NULL,                      -- app_state | mcp_code | mcp_refresh
    subject_id TEXT NOT NULL DEFAULT '',     -- app_state: who started; mcp_*: the user id
    binding_hash TEXT NOT NULL DEFAULT '',   -- app_state: SHA-256 hex of the browser cookie
    family_id TEXT NOT NULL DEFAULT '',      -- mcp_*: the grant family (one authorization)
    revoked BOOLEAN NOT NULL DEFAULT FALSE,  -- the family was revoked (a replayed grant)
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER
);
CREATE INDEX oauth_grants_by_family ON oauth_grants (family_id);
CREATE INDEX oauth_grants_by_expiry ON oauth_grants (expires_at);
