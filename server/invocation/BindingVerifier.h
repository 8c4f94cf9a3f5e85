// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/AppConfig.h"
#include "http/HttpRequest.h"
#include "shared/Clock.h"
#include "shared/Result.h"

#include <QDateTime>
#include <QHash>
#include <QString>

#include <functional>

namespace Gestalt {

struct BindingVerdict
{
    // The same signature was seen within maxAgeSeconds (hmac with timestamp): answer with the
    // ack, do not run the operation again.
    bool replay = false;
};

// Verifies a hosted HTTP binding request against its security scheme (gestalt-facts §10.4):
//   hmac:   payload = payloadTemplate ("{raw_body}" when empty) with {raw_body} and
//           {header:Name}; expected = signaturePrefix + lowercase hex HMAC-SHA256(secret,
//           payload), compared in constant time with signatureHeader. Missing → 401 "missing
//           request signature"; mismatch → 401 "invalid request signature"; with timestampHeader
//           (Unix seconds) |now − ts| > maxAgeSeconds or unparsable → 401 "stale request
//           timestamp". Replays (same signature within maxAgeSeconds) are reported in the verdict
//           when trackReplays is set.
//   apiKey: header or query `name` equals the secret (constant time), else 401 "invalid API key".
//   http:   bearer: "Authorization: Bearer <secret>"; basic: "user:pass" == secret; else 401
//           "invalid credentials".
//   none:   accepted.
// The secret comes from secretValue or the environment variable secretEnv, read per request;
// an unset/empty variable → Internal "secret for security scheme is not configured" (500).
// Secrets never appear in errors or logs. Replay memory is per process and bounded.
class BindingVerifier final
{
public:
    using Environment = std::function<QString(const QString &name)>;

    explicit BindingVerifier(Clock clock, Environment environment = {});

    // bindingKey identifies the binding ("<app>/<binding>") for replay tracking.
    [[nodiscard]] Result<BindingVerdict> verify(const QString &bindingKey,
                                                const SecurityScheme &scheme,
                                                const HttpRequest &request,
                                                bool trackReplays);

private:
    Clock m_clock;
    Environment m_environment;
    QHash<QString, QDateTime> m_seen; // bindingKey + signature → first seen
};

} // namespace Gestalt
