// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/QueryParams.h"

#include "http/HttpRequest.h"

using namespace Qt::StringLiterals;

namespace Gestalt::QueryParams {

Result<qint64>
integer(const HttpRequest &request, const QString &name, qint64 fallback, qint64 min, qint64 max)
{
    const QString text = request.queryValue(name);
    if (text.isEmpty()) {
        return fallback;
    }
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max) {
        return Error::invalid(u"%1 must be an integer from %2 to %3"_s.arg(name).arg(min).arg(max));
    }
    return value;
}

Result<bool> boolean(const HttpRequest &request, const QString &name, bool fallback)
{
    const QString text = request.queryValue(name);
    if (text.isEmpty()) {
        return fallback;
    }
    if (text == u"true") {
        return true;
    }
    if (text == u"false") {
        return false;
    }
    return Error::invalid(u"%1 must be true or false"_s.arg(name));
}

} // namespace Gestalt::QueryParams
