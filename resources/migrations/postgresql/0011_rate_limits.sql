-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- server.limits on PostgreSQL: request counts per fixed window and concurrency leases, shared by
-- every replica (limits/LimitStore.h). SQLite deployments (one replica) count in memory and leave
-- these tables empty. Keep in step with ../sqlite/0011_rate_limits.sql.

CREATE TABLE rate_limit_counters (
    limit_key TEXT NOT NULL,
    window_start BIGINT NOT NULL, -- epoch ms
    scope TEXT NOT NULL,
    app TEXT NOT NULL,
    operation TEXT NOT NULL,
    subject TEXT NOT NULL,
    per_seconds BIGINT NOT NULL,
    requests BIGINT NOT NULL DEFAULT 0,
    limited BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (limit_key, window_start)
);
CREATE INDEX rate_limit_counters_window ON rate_limit_counters (window_start);

CREATE TABLE rate_limit_leases (
    lease_id TEXT NOT NULL,
    limit_key TEXT NOT NULL,
    scope TEXT NOT NULL,
    app TEXT NOT NULL,
    operation TEXT NOT NULL,
    subject TEXT NOT NULL,
    per_seconds BIGINT NOT NULL,
    expires_at BIGINT NOT NULL, -- epoch ms; a crashed replica's leases lapse here
    PRIMARY KEY (lease_id, limit_key)
);
CREATE INDEX rate_limit_leases_key ON rate_limit_leases (limit_key, expires_at);
