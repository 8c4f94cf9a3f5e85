// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/ConnectTarget.h"

#include "catalog/AppCatalog.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QJsonObject mapToJson(const QMap<QString, QString> &map)
{
    QJsonObject json;
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        json.insert(it.key(), it.value());
    }
    return json;
}

QMap<QString, QString> jsonToMap(const QJsonObject &json)
{
    QMap<QString, QString> map;
    for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
        map.insert(it.key(), it.value().toString());
    }
    return map;
}

} // namespace

QString ConnectTarget::describe() const
{
    return app->name + u'/' + connection->name + u'/' + instance;
}

QJsonObject ConnectTarget::claims(const QString &type) const
{
    return {{u"typ"_s, type},
            {u"sid"_s, subjectId},
            {u"act"_s, actorSubjectId},
            {u"int"_s, app->name},
            {u"con"_s, connection->name},
            {u"ins"_s, instance},
            {u"cp"_s, mapToJson(params)}};
}

std::optional<ConnectTarget> ConnectTarget::fromClaims(const AppCatalog &catalog,
                                                       const QJsonObject &claims)
{
    ConnectTarget t;
    t.subjectId = claims.value(u"sid"_s).toString();
    t.actorSubjectId = claims.value(u"act"_s).toString();
    if (t.actorSubjectId.isEmpty()) {
        t.actorSubjectId = t.subjectId;
    }
    t.app = catalog.app(claims.value(u"int"_s).toString());
    t.connection = t.app ? t.app->connection(claims.value(u"con"_s).toString()) : nullptr;
    if (!t.connection) {
        return std::nullopt;
    }
    t.instance = claims.value(u"ins"_s).toString();
    t.params = jsonToMap(claims.value(u"cp"_s).toObject());
    return t;
}

StoredCredential ConnectTarget::credential(StoredCredential secret) const
{
    secret.subjectId = subjectId;
    secret.connectionId = connection->connectionId;
    secret.instance = instance;
    secret.metadata = params;
    return secret;
}

QString ConnectTarget::scalarText(const QJsonValue &value)
{
    if (value.isString()) {
        return value.toString();
    }
    if (value.isDouble()) {
        return QString::number(value.toDouble(), 'g', 17);
    }
    if (value.isBool()) {
        return value.toBool() ? u"true"_s : u"false"_s;
    }
    return {};
}

QString ConnectTarget::metadataValue(const QJsonValue &value)
{
    static const QRegularExpression plain(u"^[a-zA-Z0-9._:/-]+$"_s);
    const QString text = scalarText(value);
    return plain.match(text).hasMatch() ? text : QString();
}

QJsonObject ConnectOutcome::toJson() const
{
    if (!selectionRequired) {
        return {{u"status"_s, u"connected"_s}, {u"integration"_s, app}};
    }
    return {{u"status"_s, u"selection_required"_s},
            {u"integration"_s, app},
            {u"selectionUrl"_s, u"/api/v1/auth/pending-connection"_s},
            {u"pendingToken"_s, pendingToken},
            {u"candidates"_s, candidates}};
}

} // namespace Gestalt
