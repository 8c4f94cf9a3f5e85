// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>

namespace Gestalt {

// `agents:` — how the built-in agent engine (server/agents/) runs turns. The providers
// themselves are providers.agent.<name> (source: scripted | openai).
struct AgentsConfig
{
    // How often a replica renews its turns' leases, looks for resolutions and cancels made on
    // other replicas, and how often an event stream reads a turn running elsewhere.
    std::chrono::milliseconds pollInterval = std::chrono::seconds(1);
    // A replica's claim on a running turn; a turn whose claim lapsed is failed ("interrupted").
    std::chrono::milliseconds turnLease = std::chrono::seconds(30);
    // An idle event stream sends a `: keepalive` comment this often.
    std::chrono::milliseconds streamHeartbeat = std::chrono::seconds(15);
    int maxModelCalls = 16; // per turn: a loop of tool calls ends there
};

} // namespace Gestalt
