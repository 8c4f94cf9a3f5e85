// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/SourceLocation.h"

#include <QString>

#include <functional>
#include <optional>

namespace Gestalt {

class ConfigErrors;

// `${VAR}` substitution on the raw text of a config file, before YAML parsing:
//   ${VAR}           the variable's value (set but empty counts as set); when VAR is unset, the
//                    content of the file named by VAR_FILE with trailing CR/LF removed; else an
//                    error "file:line: environment variable VAR is not set"
//   ${VAR:-default}  as above, but `default` (possibly empty, no `}` or line break) when neither
//                    VAR nor VAR_FILE is set
//   $$               a literal `$` (so `$${VAR}` stays `${VAR}`)
//   any other `$`    kept as is
// Substitution is textual and runs everywhere, comments included, so quote values that YAML could
// misread ("${PASSWORD}"). A value may not contain a line break: lines never shift, so every later
// error still points at the right line (columns after a substitution on the same line may move).
// Error messages name variables, never their values.
class EnvExpander final
{
public:
    using Lookup = std::function<std::optional<QString>(const QString &name)>;

    EnvExpander();                       // reads the process environment
    explicit EnvExpander(Lookup lookup); // for tests

    // The process environment as a Lookup (set but empty counts as set).
    [[nodiscard]] static Lookup processEnvironment();
    [[nodiscard]] const Lookup &lookup() const { return m_lookup; }

    // Unset variables expand to an empty string (and an error) so later stages can report more.
    [[nodiscard]] QString
    expand(const QString &text, const SourceLocation &file, ConfigErrors &errors) const;

private:
    [[nodiscard]] std::optional<QString>
    resolve(const QString &name, const SourceLocation &where, ConfigErrors &errors) const;

    Lookup m_lookup;
};

} // namespace Gestalt
