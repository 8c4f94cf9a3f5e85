// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QUrl>

#include <utility>

namespace Gestalt {

// The request gestaltd sends upstream for one operation call.
struct UpstreamRequest
{
    QString method;
    QUrl url;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body; // empty for no body

    // Whether a percent-encoded path, as sent or decoded (as often as it decodes), has a "." or
    // ".." part between slashes or backslashes: "/a/../b", "/a/%2e%2E/b", "/a/..%2Fb",
    // "/a/%252e%252e". UpstreamClient refuses such URLs.
    [[nodiscard]] static bool hasDotSegment(QByteArrayView encodedPath);
    // Whether `text`, split at '/' and backslashes, has a "." or ".." part.
    [[nodiscard]] static bool hasDotPart(const QByteArray &text);
};

} // namespace Gestalt
