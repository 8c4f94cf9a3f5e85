// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "invocation/UpstreamRelay.h"

#include "core/HttpGrammar.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QByteArray sandboxPolicy = "sandbox; default-src 'none'; base-uri 'none'; "
                                 "form-action 'none'; frame-ancestors 'none'"_ba;

} // namespace

InvocationService::Callback relayInvocationTo(const Responder &responder)
{
    return [responder](Result<InvocationResult> result) {
        if (!result) {
            responder.sendError(result.error());
            return;
        }
        responder.send(relayedUpstreamResponse(result->status, result->body, result->contentType));
    };
}

bool isInertContentType(QByteArrayView contentType)
{
    // Browsers split a Content-Type on commas and take the last type: one value, one type.
    const bool plainAscii = std::all_of(contentType.begin(), contentType.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte >= 0x20 && byte < 0x7f) || c == '\t';
    });
    if (!plainAscii || contentType.contains(',')) {
        return false;
    }
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray essence = (semicolon < 0 ? contentType : contentType.first(semicolon))
                                   .trimmed()
                                   .toByteArray()
                                   .toLower();
    const qsizetype slash = essence.indexOf('/');
    if (slash < 0 || !isHttpToken(QByteArrayView(essence).first(slash))
        || !isHttpToken(QByteArrayView(essence).sliced(slash + 1))) {
        return false;
    }
    const QByteArrayView type = QByteArrayView(essence).first(slash);
    const QByteArrayView subtype = QByteArrayView(essence).sliced(slash + 1);
    if (type == "application") {
        return subtype == "json" || (subtype.endsWith("+json") && subtype.size() > 5);
    }
    return type == "text" && subtype == "plain";
}

HttpResponse
relayedUpstreamResponse(int status, const QByteArray &body, const QByteArray &contentType)
{
    HttpResponse response = HttpResponse::text(status, body, contentType);
    if (!isInertContentType(contentType)) {
        response.setHeader("Content-Security-Policy"_ba, sandboxPolicy);
        response.setHeader("Content-Disposition"_ba, "attachment"_ba);
    }
    return response;
}

} // namespace Gestalt
