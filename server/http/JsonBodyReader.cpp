// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/JsonBodyReader.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

// Keys echoed in errors are the caller's: keep them short.
constexpr qsizetype maxEchoedKey = 64;

} // namespace

JsonBodyReader::JsonBodyReader(QJsonObject object, QString path)
    : m_object(std::move(object))
    , m_path(std::move(path))
{}

QString JsonBodyReader::pathOf(QStringView key) const
{
    const QString name = key.left(maxEchoedKey).toString();
    return m_path.isEmpty() ? name : m_path + u'.' + name;
}

bool JsonBodyReader::has(QStringView key) const
{
    const QJsonValue value = m_object.value(key);
    return !value.isUndefined() && !value.isNull();
}

void JsonBodyReader::skip(std::initializer_list<QStringView> keys)
{
    for (const QStringView key : keys) {
        m_known.insert(key.toString());
    }
}

QJsonValue JsonBodyReader::take(QStringView key)
{
    m_known.insert(key.toString());
    return m_object.value(key);
}

QJsonValue JsonBodyReader::value(QStringView key)
{
    return take(key);
}

QString JsonBodyReader::nameOf(QStringView key, std::initializer_list<QStringView> olderNames)
{
    QString used = key.toString();
    m_known.insert(used);
    for (const QStringView older : olderNames) {
        m_known.insert(older.toString());
        if (!m_object.contains(older)) {
            continue;
        }
        if (!m_object.contains(used)) {
            used = older.toString();
        } else if (m_object.value(used) != m_object.value(older)) {
            fail(older, u"and %1 differ; give one of them"_s.arg(pathOf(used)));
        }
    }
    return used;
}

void JsonBodyReader::fail(QStringView key, const QString &message)
{
    if (!m_error) {
        m_error = Error::invalid(pathOf(key) + u' ' + message);
    }
}

std::optional<QString> JsonBodyReader::string(QStringView key)
{
    const QJsonValue value = take(key);
    if (value.isUndefined() || value.isNull()) {
        return std::nullopt;
    }
    if (!value.isString()) {
        fail(key, u"must be a string"_s);
        return std::nullopt;
    }
    return value.toString();
}

QString JsonBodyReader::requiredString(QStringView key)
{
    const QJsonValue value = m_object.value(key);
    std::optional<QString> text = string(key);
    if (!text || text->isEmpty()) {
        if (value.isUndefined() || value.isNull() || value.isString()) {
            fail(key, u"is required"_s);
        }
        return {};
    }
    return *text;
}

std::optional<bool> JsonBodyReader::boolean(QStringView key)
{
    const QJsonValue value = take(key);
    if (value.isUndefined() || value.isNull()) {
        return std::nullopt;
    }
    if (!value.isBool()) {
        fail(key, u"must be true or false"_s);
        return std::nullopt;
    }
    return value.toBool();
}

std::optional<qint64> JsonBodyReader::integer(QStringView key, qint64 min, qint64 max)
{
    const QJsonValue value = take(key);
    if (value.isUndefined() || value.isNull()) {
        return std::nullopt;
    }
    const double number = value.toDouble();
    // Doubles hold integers exactly up to 2^53: anything past that is refused rather than rounded.
    constexpr double exactLimit = 9007199254740992.0;
    if (!value.isDouble() || !std::isfinite(number) || std::trunc(number) != number
        || std::fabs(number) > exactLimit || number < double(min) || number > double(max)) {
        fail(key, u"must be an integer from %1 to %2"_s.arg(min).arg(max));
        return std::nullopt;
    }
    return qint64(number);
}

std::optional<QStringList> JsonBodyReader::stringList(QStringView key, bool nonEmptyItems)
{
    const QJsonValue value = take(key);
    if (value.isUndefined() || value.isNull()) {
        return std::nullopt;
    }
    const QString what = nonEmptyItems ? u"must be an array of non-empty strings"_s
                                       : u"must be an array of strings"_s;
    if (!value.isArray()) {
        fail(key, what);
        return std::nullopt;
    }
    QStringList out;
    const QJsonArray items = value.toArray();
    out.reserve(items.size());
    for (const auto &item : items) {
        if (!item.isString() || (nonEmptyItems && item.toString().isEmpty())) {
            fail(key, what);
            return std::nullopt;
        }
        out.append(item.toString());
    }
    return out;
}

std::optional<QJsonObject> JsonBodyReader::objectValue(QStringView key)
{
    const QJsonValue value = take(key);
    if (value.isUndefined() || value.isNull()) {
        return std::nullopt;
    }
    if (!value.isObject()) {
        fail(key, u"must be an object"_s);
        return std::nullopt;
    }
    return value.toObject();
}

std::optional<QJsonArray> JsonBodyReader::array(QStringView key)
{
    const QJsonValue value = take(key);
    if (value.isUndefined() || value.isNull()) {
        return std::nullopt;
    }
    if (!value.isArray()) {
        fail(key, u"must be an array"_s);
        return std::nullopt;
    }
    return value.toArray();
}

std::optional<JsonBodyReader> JsonBodyReader::child(QStringView key)
{
    std::optional<QJsonObject> object = objectValue(key);
    if (!object) {
        return std::nullopt;
    }
    return JsonBodyReader(std::move(*object), pathOf(key));
}

std::optional<JsonBodyReader>
JsonBodyReader::item(const QJsonValue &value, const QString &path, Error *error)
{
    if (!value.isObject()) {
        if (error != nullptr) {
            *error = Error::invalid(path + u" must be an object"_s);
        }
        return std::nullopt;
    }
    return JsonBodyReader(value.toObject(), path);
}

Result<void> JsonBodyReader::finish() const
{
    if (m_error) {
        return *m_error;
    }
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        if (!m_known.contains(it.key())) {
            QString message = u"unknown field \"%1\""_s.arg(it.key().left(maxEchoedKey));
            if (!m_path.isEmpty()) {
                message += u" in "_s + m_path;
            }
            return Error::invalid(message);
        }
    }
    return {};
}

} // namespace Gestalt
