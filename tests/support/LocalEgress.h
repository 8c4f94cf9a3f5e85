// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpclient/EgressPolicy.h"

namespace Gestalt::Test {

// The policy of a component whose config names the local test peers (127.0.0.1, localhost):
// they may resolve to loopback. A default EgressPolicy names nothing, so every host must then
// resolve to public addresses.
inline EgressPolicy localEgress()
{
    EgressPolicy egress;
    egress.namedHosts = {QStringLiteral("127.0.0.1"), QStringLiteral("localhost")};
    return egress;
}

} // namespace Gestalt::Test
