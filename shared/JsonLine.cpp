// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "JsonLine.h"

#include <string_view>

namespace Gestalt {

void JsonLine::key(const char *name)
{
    if (m_out.size() > 1) {
        m_out += ',';
    }
    m_out += '"';
    m_out += name;
    m_out += "\":";
}

JsonLine &JsonLine::add(const char *name, QStringView value)
{
    key(name);
    appendString(m_out, value);
    return *this;
}

JsonLine &JsonLine::addBool(const char *name, bool value)
{
    key(name);
    m_out += value ? "true" : "false";
    return *this;
}

QByteArray JsonLine::finish()
{
    m_out += '}';
    return std::move(m_out);
}

void JsonLine::appendString(QByteArray &out, QStringView text)
{
    static constexpr std::string_view hex = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8(); // lone surrogates → U+FFFD
    out.reserve(out.size() + utf8.size() + 2);
    out += '"';
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        switch (byte) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (byte < 0x20) {
                out += "\\u00";
                out += hex[byte >> 4];
                out += hex[byte & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

} // namespace Gestalt
