// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/JsonPath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Gestalt {

QJsonValue jsonPathValue(const QJsonValue &root, const QString &dotPath)
{
    QJsonValue current = root;
    if (dotPath.isEmpty()) {
        return current;
    }
    for (const QStringView step : QStringView(dotPath).split(u'.')) {
        if (current.isArray()) {
            bool isIndex = false;
            const qsizetype index = step.toLongLong(&isIndex);
            const QJsonArray array = current.toArray();
            if (!isIndex || index < 0 || index >= array.size() || step.startsWith(u'+')) {
                return QJsonValue(QJsonValue::Undefined);
            }
            current = array.at(index);
            continue;
        }
        if (!current.isObject()) {
            return QJsonValue(QJsonValue::Undefined);
        }
        current = current.toObject().value(step);
        if (current.isUndefined()) {
            return current;
        }
    }
    return current;
}

QJsonValue parseJsonValue(const QByteArray &text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError) {
        return QJsonValue(QJsonValue::Undefined);
    }
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

} // namespace Gestalt
