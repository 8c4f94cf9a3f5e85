// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "core/Logging.h"

Q_LOGGING_CATEGORY(lcApp, "gestalt.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConfig, "gestalt.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "gestalt.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAccess, "gestalt.access", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "gestalt.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCrypto, "gestalt.crypto", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIdentity, "gestalt.identity", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMetrics, "gestalt.metrics", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConnections, "gestalt.connections", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuthz, "gestalt.authz", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAudit, "gestalt.audit", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMcp, "gestalt.mcp", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRuntime, "gestalt.runtime", QtInfoMsg)
Q_LOGGING_CATEGORY(lcWorkflow, "gestalt.workflow", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAgent, "gestalt.agent", QtInfoMsg)
