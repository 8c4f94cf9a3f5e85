// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QVariant>

namespace Gestalt::StoredJson {

// JSON columns: compact text. A scalar is wrapped as [value] so every column is a document.
[[nodiscard]] inline QString text(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}
[[nodiscard]] inline QString text(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}
[[nodiscard]] inline QJsonObject object(const QVariant &column)
{
    return QJsonDocument::fromJson(column.toString().toUtf8()).object();
}
[[nodiscard]] inline QJsonArray array(const QVariant &column)
{
    return QJsonDocument::fromJson(column.toString().toUtf8()).array();
}
// Any value (Undefined → SQL NULL).
[[nodiscard]] inline QVariant valueColumn(const QJsonValue &value)
{
    if (value.isUndefined()) {
        return QVariant(QMetaType::fromType<QString>());
    }
    return text(QJsonArray{value});
}
[[nodiscard]] inline QJsonValue value(const QVariant &column)
{
    if (column.isNull()) {
        return {QJsonValue::Undefined};
    }
    return array(column).at(0);
}

} // namespace Gestalt::StoredJson
