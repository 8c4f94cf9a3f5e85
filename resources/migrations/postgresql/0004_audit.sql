-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- The audit trail (server/audit/AuditRepository.h). event_time: epoch milliseconds UTC. The id is
-- the paging key (newest first); BIGSERIAL keeps it monotonic.
-- No column holds a secret: targets are names and ids only.
-- Keep in step with ../sqlite/0004_audit.sql.

CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    event_time BIGINT NOT NULL,
    request_id TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    auth_source TEXT NOT NULL DEFAULT '',
    subject_id TEXT NOT NULL DEFAULT '',
    subject_kind TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    target_name TEXT NOT NULL DEFAULT '',
    allowed BOOLEAN NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    client_ip TEXT NOT NULL DEFAULT '',
    remote_addr TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);

CREATE INDEX audit_events_by_time ON audit_events (event_time);
CREATE INDEX audit_events_by_subject ON audit_events (subject_id, event_time);
CREATE INDEX audit_events_by_action ON audit_events (action);
