// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "workflows/WorkflowValue.h"

#include "shared/JsonPath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Gestalt::WorkflowValue {

namespace {

constexpr int MaxDepth = 16;

const QRegularExpression &placeholder()
{
    static const QRegularExpression re(u"\\{\\{\\s*([^{}\\s]+)\\s*\\}\\}"_s);
    return re;
}

Result<void>
validatePath(const QString &path, const QStringList &earlierSteps, const QString &where)
{
    const QStringList parts = path.split(u'.');
    if (parts.contains(QString())) {
        return Error::invalid(u"%1: path \"%2\" has an empty segment"_s.arg(where, path));
    }
    const QString &root = parts.first();
    if (root == u"event" || root == u"trigger") {
        return {};
    }
    if (root == u"steps") {
        if (parts.size() < 3 || parts.at(2) != u"output") {
            return Error::invalid(
                u"%1: path \"%2\" must look like steps.<id>.output[.field…]"_s.arg(where, path));
        }
        if (!earlierSteps.contains(parts.at(1))) {
            return Error::invalid(
                u"%1: path \"%2\" names step \"%3\", which is not an earlier step"_s.arg(
                    where, path, parts.at(1)));
        }
        return {};
    }
    return Error::invalid(
        u"%1: path \"%2\" must start with event, trigger or steps"_s.arg(where, path));
}

Result<void> validateAt(const QJsonValue &value,
                        const QStringList &earlierSteps,
                        const QString &where,
                        int depth)
{
    if (depth > MaxDepth) {
        return Error::invalid(u"%1: values nest too deep"_s.arg(where));
    }
    if (!value.isObject()) {
        return Error::invalid(
            u"%1 must be an object with one of literal, from, template or fields"_s.arg(where));
    }
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        static const QStringList known{u"literal"_s, u"from"_s, u"template"_s, u"fields"_s};
        if (!known.contains(it.key())) {
            return Error::invalid(u"%1: unknown key \"%2\" (expected literal, from, template or "
                                  u"fields)"_s.arg(where, it.key()));
        }
    }
    const bool literal = object.contains(u"literal"_s);
    const bool fields = object.contains(u"fields"_s);
    const int kinds = int(literal) + int(fields) + int(object.contains(u"from"_s))
                      + int(object.contains(u"template"_s));
    const bool combined = kinds == 2 && literal && fields;
    if (kinds != 1 && !combined) {
        return Error::invalid(u"%1 must set exactly one of literal, from, template or fields "
                              u"(literal and fields may be combined)"_s.arg(where));
    }
    if (combined && !object.value(u"literal"_s).isObject()) {
        return Error::invalid(
            u"%1: literal must be an object when fields are set beside it"_s.arg(where));
    }
    if (object.contains(u"from"_s)) {
        const QJsonValue from = object.value(u"from"_s);
        if (!from.isString() || from.toString().isEmpty()) {
            return Error::invalid(u"%1: from must be a non-empty path string"_s.arg(where));
        }
        return validatePath(from.toString(), earlierSteps, where);
    }
    if (object.contains(u"template"_s)) {
        const QJsonValue text = object.value(u"template"_s);
        if (!text.isString()) {
            return Error::invalid(u"%1: template must be a string"_s.arg(where));
        }
        auto matches = placeholder().globalMatch(text.toString());
        while (matches.hasNext()) {
            if (Result<void> ok = validatePath(matches.next().captured(1), earlierSteps, where);
                !ok) {
                return ok;
            }
        }
        return {};
    }
    if (fields) {
        const QJsonValue map = object.value(u"fields"_s);
        if (!map.isObject()) {
            return Error::invalid(u"%1: fields must be an object of values"_s.arg(where));
        }
        const QJsonObject children = map.toObject();
        for (auto it = children.begin(); it != children.end(); ++it) {
            if (Result<void> ok = validateAt(
                    it.value(), earlierSteps, u"%1 field \"%2\""_s.arg(where, it.key()), depth + 1);
                !ok) {
                return ok;
            }
        }
    }
    return {};
}

Result<QJsonValue> lookup(const QString &path, const QJsonObject &context, const QString &where)
{
    const QJsonValue found = jsonPathValue(context, path);
    if (found.isUndefined()) {
        return Error::invalid(u"%1: \"%2\" is not set"_s.arg(where, path));
    }
    return found;
}

Result<QJsonValue>
resolveAt(const QJsonValue &value, const QJsonObject &context, const QString &where)
{
    const QJsonObject object = value.toObject();
    if (object.contains(u"from"_s)) {
        return lookup(object.value(u"from"_s).toString(), context, where);
    }
    if (object.contains(u"template"_s)) {
        const QString text = object.value(u"template"_s).toString();
        QString out;
        qsizetype last = 0;
        auto matches = placeholder().globalMatch(text);
        while (matches.hasNext()) {
            const QRegularExpressionMatch match = matches.next();
            Result<QJsonValue> found = lookup(match.captured(1), context, where);
            if (!found) {
                return found.error();
            }
            out += QStringView(text).mid(last, match.capturedStart() - last);
            out += jsonText(*found);
            last = match.capturedEnd();
        }
        out += QStringView(text).mid(last);
        return QJsonValue(out);
    }
    if (!object.contains(u"fields"_s)) {
        return object.value(u"literal"_s);
    }
    QJsonObject built = object.value(u"literal"_s).toObject();
    const QJsonObject fields = object.value(u"fields"_s).toObject();
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        Result<QJsonValue> child =
            resolveAt(it.value(), context, u"%1 field \"%2\""_s.arg(where, it.key()));
        if (!child) {
            return child.error();
        }
        built.insert(it.key(), *child);
    }
    return QJsonValue(built);
}

} // namespace

Result<void>
validate(const QJsonValue &value, const QStringList &earlierSteps, const QString &where)
{
    return validateAt(value, earlierSteps, where, 0);
}

Result<QJsonValue>
resolve(const QJsonValue &value, const QJsonObject &context, const QString &where)
{
    return resolveAt(value, context, where);
}

} // namespace Gestalt::WorkflowValue
