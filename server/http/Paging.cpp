// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/Paging.h"

#include "http/HttpRequest.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt::Paging {

Result<int> pageSize(const HttpRequest &request)
{
    const QString text = request.queryValue(u"pageSize"_s);
    if (text.isEmpty()) {
        return DefaultPageSize;
    }
    bool ok = false;
    const qlonglong value = text.toLongLong(&ok);
    if (!ok || value <= 0) {
        return Error::invalid(u"pageSize must be a positive integer"_s);
    }
    return int(std::min<qlonglong>(value, MaxPageSize));
}

} // namespace Gestalt::Paging
