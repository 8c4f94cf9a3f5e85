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
                return {QJsonValue::Undefined};
            }
            current = array.at(index);
            continue;
        }
        if (!current.isObject()) {
            return {QJsonValue::Undefined};
        }
        current = current.toObject().value(step);
        if (current.isUndefined()) {
            return current;
        }
    }
    return current;
}

QString jsonText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double number = value.toDouble();
        const auto integral = qint64(number);
        return double(integral) == number ? QString::number(integral)
                                          : QString::number(number, 'g', 17);
    }
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

QJsonValue parseJsonValue(const QByteArray &text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError) {
        return {QJsonValue::Undefined};
    }
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

} // namespace Gestalt
