-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- Aggregated audit records: failed authentications from one client address with one error are
-- stored as one row per minute, event_count saying how many attempts it stands for (1 for every
-- other event). Keep in step with ../sqlite/0010_audit_count.sql.

ALTER TABLE audit_events ADD COLUMN event_count BIGINT NOT NULL DEFAULT 1;
