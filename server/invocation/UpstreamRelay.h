// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/HttpResponse.h"
#include "http/Responder.h"
#include "invocation/InvocationService.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Gestalt {

// The one way an upstream's answer reaches a caller as an HTTP response of gestaltd (the REST
// invoke route and hosted bindings): status, body and Content-Type as the upstream sent them.
// The body is the upstream's, never a page of the gateway: unless isInertContentType(), the
// response also carries
//   Content-Security-Policy: sandbox; default-src 'none'; base-uri 'none'; form-action 'none';
//                            frame-ancestors 'none'
//   Content-Disposition: attachment
// so that HTML, SVG, XML or a script from an upstream can neither run on the gateway's origin
// nor load anything (HttpServer adds X-Content-Type-Options: nosniff to every response).
[[nodiscard]] HttpResponse
relayedUpstreamResponse(int status, const QByteArray &body, const QByteArray &contentType);

// An invocation's callback that answers `responder` with its outcome: the upstream status, body
// and Content-Type through relayedUpstreamResponse() (sandboxed unless inert), or the error.
[[nodiscard]] InvocationService::Callback relayInvocationTo(const Responder &responder);

// Whether a browser shows a body of this Content-Type as inert data: exactly one media type,
// application/json, application/<x>+json or text/plain (parameters allowed). A missing or
// unparseable value (several types, a comma, control bytes) is not inert: browsers sniff it.
[[nodiscard]] bool isInertContentType(QByteArrayView contentType);

} // namespace Gestalt
