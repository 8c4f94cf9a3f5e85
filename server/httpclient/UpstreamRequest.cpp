// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/UpstreamRequest.h"

#include <algorithm>

namespace Gestalt {

bool UpstreamRequest::hasDotPart(const QByteArray &text)
{
    QByteArray parts = text;
    parts.replace('\\', '/');
    const QList<QByteArray> split = parts.split('/');
    return std::any_of(split.cbegin(), split.cend(), [](const QByteArray &part) {
        return part == "." || part == "..";
    });
}

bool UpstreamRequest::hasDotSegment(QByteArrayView encodedPath)
{
    QByteArray text = encodedPath.toByteArray();
    while (true) {
        if (hasDotPart(text)) {
            return true;
        }
        const QByteArray decoded = QByteArray::fromPercentEncoding(text);
        if (decoded == text) {
            return false;
        }
        text = decoded;
    }
}

} // namespace Gestalt
