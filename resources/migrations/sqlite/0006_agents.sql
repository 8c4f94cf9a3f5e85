-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- Agents (server/agents/): sessions, their turns, each turn's events (seq per turn) and
-- interactions, and idempotency keys for session and turn creation. Timestamps: epoch ms UTC.
-- Keep in step with ../postgresql/0006_agents.sql.

CREATE TABLE agent_sessions (
    id TEXT PRIMARY KEY,
    owner_subject_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    client_ref TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,                -- active | archived
    metadata_json TEXT NOT NULL,
    workspace_json TEXT NOT NULL,
    created_by_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_turn_at INTEGER
);
CREATE INDEX agent_sessions_by_owner ON agent_sessions (owner_subject_id, created_at, id);

CREATE TABLE agent_turns (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES agent_sessions (id) ON DELETE CASCADE,
    owner_subject_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,               -- pending | running | waiting_for_input | succeeded | failed | canceled
    request_json TEXT NOT NULL,         -- messages, toolRefs, responseSchema, modelOptions, metadata
    created_by_json TEXT NOT NULL,
    output_text TEXT NOT NULL DEFAULT '',
    structured_json TEXT,
    status_message TEXT NOT NULL DEFAULT '',
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    cancel_reason TEXT NOT NULL DEFAULT '',
    -- The replica executing the turn and until when; renewed while it works. An unfinished turn
    -- whose lease expired lost its replica and is failed by the next poll of any replica.
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_expires_at INTEGER,
    next_seq INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    completed_at INTEGER
);
CREATE INDEX agent_turns_by_session ON agent_turns (session_id, created_at, id);
CREATE INDEX agent_turns_unfinished ON agent_turns (lease_expires_at)
    WHERE status IN ('pending', 'running', 'waiting_for_input');

CREATE TABLE agent_events (
    turn_id TEXT NOT NULL REFERENCES agent_turns (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    source TEXT NOT NULL,
    visibility TEXT NOT NULL,
    data_json TEXT NOT NULL,
    display_json TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (turn_id, seq)
);

CREATE TABLE agent_interactions (
    id TEXT PRIMARY KEY,
    turn_id TEXT NOT NULL REFERENCES agent_turns (id) ON DELETE CASCADE,
    type TEXT NOT NULL,                 -- approval | clarification | input
    state TEXT NOT NULL,                -- pending | resolved | canceled
    title TEXT NOT NULL DEFAULT '',
    prompt TEXT NOT NULL DEFAULT '',
    request_json TEXT NOT NULL,
    resolution_json TEXT,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX agent_interactions_by_turn ON agent_interactions (turn_id, created_at, id);

-- One row per (scope, owner, key): claimed as pending before the session or turn is created,
-- done with its id afterwards. A pending row younger than a minute means the first request is
-- still being handled (409); an older one was left by a crash and is taken over.
CREATE TABLE agent_idempotency (
    scope TEXT NOT NULL,                -- "session" or "turn:<session id>"
    owner_subject_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL,                -- pending | done
    resource_id TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, owner_subject_id, idem_key)
);
