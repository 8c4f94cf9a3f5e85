// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/ConnectionConfig.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace Gestalt {

class ConfigNode;
class OpenApiRefResolver;

// The security part of an OpenAPI document: components.securitySchemes and the `security`
// requirement lists. Wrong types and requirements naming an undefined scheme are problems.
// Mapping to connection auth (the first usable scheme named by the top-level `security`, else the
// first usable one defined):
//   oauth2 with flows.authorizationCode → OAuth2 (authorizationUrl, tokenUrl, scopes = the
//       flow's scope names in the order written);
//   apiKey in: header                  → Manual, sent raw in that header (authHeader = name);
//   http scheme: bearer                → Manual (Authorization: Bearer <credential>);
//   http scheme: basic                 → Manual, authStyle basic.
// apiKey in query or cookie, other http schemes, openIdConnect, mutualTLS and oauth2 without an
// authorizationCode flow are not usable: no auth, not a problem.
class OpenApiSecurityReader final
{
public:
    OpenApiSecurityReader(const ConfigNode &root, OpenApiRefResolver &refs);

    // Call first: reads the schemes and the top-level requirements.
    [[nodiscard]] std::optional<AuthConfig> readDocument();
    // Checks the `security` list of an operation.
    void checkRequirements(const ConfigNode &owner, const QString &ownerPlace);

private:
    [[nodiscard]] QStringList requirementNames(const ConfigNode &owner, const QString &ownerPlace);
    [[nodiscard]] std::optional<AuthConfig> mapScheme(const ConfigNode &scheme,
                                                      const QString &place);
    [[nodiscard]] std::optional<AuthConfig> mapOAuth2(const ConfigNode &scheme,
                                                      const QString &place);

    const ConfigNode &m_root;
    OpenApiRefResolver &m_refs;
    QStringList m_defined; // scheme names in the order written
};

} // namespace Gestalt
