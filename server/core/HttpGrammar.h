// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>

#include <algorithm>

namespace Gestalt {

// RFC 9110 §5.6.2: tchar, the characters of a method, a header name or a media type's parts. The
// inbound parser, the outbound client, its response parser and the request builder all check
// names with these.
[[nodiscard]] inline bool isHttpTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

// A non-empty run of tchar.
[[nodiscard]] inline bool isHttpToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isHttpTokenChar);
}

} // namespace Gestalt
