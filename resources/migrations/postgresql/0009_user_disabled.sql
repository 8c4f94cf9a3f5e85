-- SPDX-FileCopyrightText: 2026 Gestalt authors
-- SPDX-License-Identifier: Apache-2.0
-- Disabled users (POST /admin/api/v1/users/{id}/disable): while disabled_at is set (epoch ms
-- UTC), every session, API token and provider token of the user is refused. NULL: enabled.
-- Keep in step with ../sqlite/0009_user_disabled.sql.

ALTER TABLE users ADD COLUMN disabled_at BIGINT;
