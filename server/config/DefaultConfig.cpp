// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/DefaultConfig.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

QString defaultConfigYaml(const QString &encryptionKeyHex)
{
    // No "${" in the comments: expansion runs over the whole text.
    return uR"(# gestaltd configuration, generated on first start. Edit freely; restart to apply.
apiVersion: gestaltd.config/v5

server:
  public:
    host: 127.0.0.1
    port: 8080
  # Root secret: seals stored credentials and signs sessions. Keep it private and keep it:
  # changing it invalidates every stored credential and session.
  encryptionKey: "%1"

# No providers.authentication: every request is the anonymous user. For local use only.
# No providers.indexeddb: data lives in SQLite, gestalt.db beside this file.

# The agent surface (/api/v1/agent/*) with the offline scripted model: it echoes, and a message
# mentioning "headers" makes it call the demo app. Add an `openai` provider for a real model.
providers:
  agent:
    demo:
      source: scripted
      config:
        rules:
          - when: headers
            replies:
              - {text: "Let me ask httpbin.", toolCalls: [{tool: httpbin_get_headers, arguments: {}}]}
              - {text: "httpbin saw these headers: {{lastToolResult}}"}

apps:
  httpbin:
    displayName: httpbin
    description: HTTP request and response service (demo app)
    surfaces:
      openapi:
        document: ":/apps/httpbin/openapi.yaml"
        baseUrl: ${GESTALT_HTTPBIN_URL:-https://httpbin.org}
    mcp: true
)"_s.arg(encryptionKeyHex);
}

} // namespace Gestalt
