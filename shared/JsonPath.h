// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>

namespace Gestalt {

// The value at a simple dot path ("authed_user.access_token", "items.0.id") inside JSON objects
// and arrays (a decimal segment indexes an array). Undefined when a step is missing or does not
// fit the value it meets. An empty path is the value.
[[nodiscard]] QJsonValue jsonPathValue(const QJsonValue &root, const QString &dotPath);
// A value as text: strings as they are, anything else as compact JSON (numbers without a needless
// ".0", null, true, false); empty for Undefined.
[[nodiscard]] QString jsonText(const QJsonValue &value);
// A JSON document's root (object or array) as a value; Undefined when the text is not JSON.
[[nodiscard]] QJsonValue parseJsonValue(const QByteArray &text);

} // namespace Gestalt
