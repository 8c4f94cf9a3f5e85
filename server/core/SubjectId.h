// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QString>

namespace Gestalt {

// A canonical subject id "kind:id" (gestalt-facts §5.1): user:<uuid>, service_account:<id>
// (id [A-Za-z0-9._-]{1,128}), system:<name> (config, platform-config, http_binding:<app>:<b>), or
// another non-system kind for external identities.
struct SubjectId
{
    QString kind; // "user", "service_account", "system", ...
    QString id;

    [[nodiscard]] QString canonical() const { return kind + u':' + id; }
    [[nodiscard]] bool isUser() const { return kind == u"user"; }
    [[nodiscard]] bool isServiceAccount() const { return kind == u"service_account"; }
    [[nodiscard]] bool isSystem() const { return kind == u"system"; }
    friend bool operator==(const SubjectId &, const SubjectId &) = default;

    // Splits at the first ':'. 400 for an empty kind or id, a kind outside [a-z_]{1,32}, an id
    // longer than 256 characters, a service_account id outside [A-Za-z0-9._-]{1,128}, or control
    // characters.
    [[nodiscard]] static Result<SubjectId> parse(const QString &canonical);
    // parse() plus: system subjects are refused (400 "system subjects cannot be ...").
    [[nodiscard]] static Result<SubjectId> parseWritable(const QString &canonical);
    [[nodiscard]] static bool isValidServiceAccountId(const QString &id);
};

} // namespace Gestalt
