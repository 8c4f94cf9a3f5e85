// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

namespace Gestalt {

// A one-line JSON object written field by field, for the log lines written on every request
// (QJsonObject sorts and stores its members first, which costs several times more). The caller
// adds the fields in the order they should appear; keys are plain ASCII names, not escaped.
class JsonLine final
{
public:
    JsonLine &add(const char *name, QStringView value);
    JsonLine &addBool(const char *name, bool value); // not add(): u"x" would convert to bool
    // `{...}` without a newline.
    [[nodiscard]] QByteArray finish(); // once: it hands over what was written

    // Appends `text` as a JSON string (quotes included) the way QJsonDocument writes it: UTF-8,
    // `"` and `\` escaped, \b \f \n \r \t, other control characters as \u00XX; a lone surrogate
    // becomes U+FFFD.
    static void appendString(QByteArray &out, QStringView text);

private:
    void key(const char *name);

    QByteArray m_out = QByteArrayLiteral("{");
};

} // namespace Gestalt
