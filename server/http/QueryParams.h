// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

#include <QString>

namespace Gestalt {

struct HttpRequest;

// The one way a route reads typed query parameters. An empty value counts as absent; a bad one is
// 400 with one message per kind.
namespace QueryParams {

// ?name as a decimal integer in [min, max], `fallback` when absent; otherwise
// 400 "<name> must be an integer from <min> to <max>".
[[nodiscard]] Result<qint64>
integer(const HttpRequest &request, const QString &name, qint64 fallback, qint64 min, qint64 max);

// ?name as true or false, `fallback` when absent; otherwise 400 "<name> must be true or false".
[[nodiscard]] Result<bool> boolean(const HttpRequest &request, const QString &name, bool fallback);

} // namespace QueryParams
} // namespace Gestalt
