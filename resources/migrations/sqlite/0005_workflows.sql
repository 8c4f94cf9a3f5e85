-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- The workflow engine (server/workflows/): schedules and event triggers in one table, runs in
-- another. Timestamps: epoch milliseconds UTC. JSON columns hold targets, step states and the
-- authority a definition acts with (subject and permission ceiling, never a secret).
-- Keep in step with ../postgresql/0005_workflows.sql.

CREATE TABLE workflow_definitions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,                 -- schedule | event_trigger
    owner_subject_id TEXT NOT NULL,     -- system:config for config-managed ones
    managed_by TEXT NOT NULL,           -- api | config
    config_key TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL,
    paused BOOLEAN NOT NULL DEFAULT FALSE,
    cron TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL DEFAULT '',
    -- Schedules: the next firing; NULL while paused. A replica fires a schedule by moving this
    -- forward with a conditional UPDATE (WHERE next_run_at = <the due time>) in the transaction
    -- that inserts the run, so each firing happens once across replicas.
    next_run_at INTEGER,
    match_type TEXT NOT NULL DEFAULT '',
    match_source TEXT NOT NULL DEFAULT '',
    match_subject TEXT NOT NULL DEFAULT '',
    target_json TEXT NOT NULL,
    authority_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE INDEX workflow_definitions_by_owner ON workflow_definitions (owner_subject_id, kind, id);
CREATE INDEX workflow_definitions_due ON workflow_definitions (next_run_at)
    WHERE next_run_at IS NOT NULL;
CREATE INDEX workflow_definitions_by_match ON workflow_definitions (match_type)
    WHERE kind = 'event_trigger';

CREATE TABLE workflow_runs (
    id TEXT PRIMARY KEY,
    owner_subject_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    status TEXT NOT NULL,               -- pending | running | succeeded | failed | canceled
    apps TEXT NOT NULL,                 -- ",a,b,": the steps' apps, for ?app=
    definition_id TEXT NOT NULL DEFAULT '',
    target_json TEXT NOT NULL,
    trigger_json TEXT NOT NULL,
    authority_json TEXT NOT NULL,
    steps_json TEXT NOT NULL,
    status_message TEXT NOT NULL DEFAULT '',
    result_json TEXT,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    cancel_reason TEXT NOT NULL DEFAULT '',
    -- The replica executing the run and until when its claim holds; it renews the lease while
    -- it works. An expired lease on an unfinished run means its replica went away.
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    completed_at INTEGER
);

CREATE INDEX workflow_runs_by_owner ON workflow_runs (owner_subject_id, created_at, id);
CREATE INDEX workflow_runs_unfinished ON workflow_runs (created_at)
    WHERE status IN ('pending', 'running');
CREATE INDEX workflow_runs_by_completion ON workflow_runs (completed_at)
    WHERE completed_at IS NOT NULL;
