// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/wire/WireJson.h"

namespace Gestalt::Wire {

QDateTime timeFromJson(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

void insertTime(QJsonObject &object, const QString &key, const QDateTime &time)
{
    if (time.isValid()) {
        object.insert(key, time.toString(Qt::ISODateWithMs));
    }
}

std::optional<qint64> numberFromJson(const QJsonValue &value)
{
    return value.isDouble() ? std::optional<qint64>(value.toInteger()) : std::nullopt;
}

void insertNumber(QJsonObject &object, const QString &key, const std::optional<qint64> &value)
{
    if (value) {
        object.insert(key, *value);
    }
}

void insertString(QJsonObject &object, const QString &key, const QString &value)
{
    if (!value.isEmpty()) {
        object.insert(key, value);
    }
}

} // namespace Gestalt::Wire
