// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/Result.h"

namespace Gestalt {

struct HttpRequest;

// The pageSize + pageToken → nextPageToken convention of the admin list routes (gestalt-facts
// §9.6).
namespace Paging {

inline constexpr int DefaultPageSize = 100;
inline constexpr int MaxPageSize = 500;

// ?pageSize: DefaultPageSize when absent, at most MaxPageSize; 400 "pageSize must be a positive
// integer" otherwise.
[[nodiscard]] Result<int> pageSize(const HttpRequest &request);

} // namespace Paging
} // namespace Gestalt
