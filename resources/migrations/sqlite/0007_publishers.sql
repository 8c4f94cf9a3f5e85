-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- Who may fire an event trigger and who fired a run (issue 18). An event fires a trigger only when
-- its owner published it or the trigger's publishers name the publisher (config-managed ones may
-- name "*"), and every event run records the subject that published its event.
-- Keep in step with ../postgresql/0007_publishers.sql.

ALTER TABLE workflow_definitions ADD COLUMN publishers_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE workflow_runs ADD COLUMN published_by TEXT NOT NULL DEFAULT '';
