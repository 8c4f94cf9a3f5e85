// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/LimitsConfig.h"
#include "config/ServerConfig.h"

namespace Gestalt {

class ConfigMapReader;

// server.limits (the limits of callers and, under `upstream`, how an upstream's 429 is honoured),
// strictly: unknown keys, zero or negative numbers, a `per` outside 1s..24h or
// not in whole seconds, `per` without `requests`, and an override with neither or both of role
// and token are errors. App and operation names are checked against the app catalog by
// RateLimiter::problems() (they may come from OpenAPI documents).
class LimitsDecoder final
{
public:
    static void read(ConfigMapReader &server, LimitsConfig &limits, UpstreamLimitsConfig &upstream);

private:
    static void readUpstream(ConfigMapReader &limits, UpstreamLimitsConfig &upstream);
    static LimitSpec readSpec(ConfigMapReader &parent, QStringView key);
};

} // namespace Gestalt
