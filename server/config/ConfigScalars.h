// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <chrono>
#include <optional>

namespace Gestalt {

// Scalar syntaxes of the config file, usable on their own (command-line flags, tests).

// Go duration syntax: a sequence of decimal numbers with an optional fraction and a unit each
// ("90s", "1h30m", "1.5h", "500ms", "250us", "10ns"), plus days ("30d"). An optional leading sign;
// "0" alone is allowed. Sub-millisecond parts are rounded down. nullopt when malformed.
[[nodiscard]] std::optional<std::chrono::milliseconds> parseDuration(QStringView text);

// A byte count: a plain integer, or an integer with B, KB/KiB, MB/MiB, GB/GiB (1024-based for
// the i forms and 1000-based otherwise; "K"/"M"/"G" alone are 1024-based). nullopt when malformed.
[[nodiscard]] std::optional<qint64> parseByteSize(QStringView text);

// YAML 1.2 booleans: true/True/TRUE/false/False/FALSE.
[[nodiscard]] std::optional<bool> parseBool(QStringView text);

// A decimal integer with an optional sign.
[[nodiscard]] std::optional<qint64> parseInteger(QStringView text);

} // namespace Gestalt
