// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "http/HttpRequest.h"

#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace Gestalt {

QByteArray HttpRequest::header(const QByteArray &name) const
{
    QByteArray joined;
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            if (!joined.isEmpty()) {
                joined += ", ";
            }
            joined += value;
        }
    }
    return joined;
}

QString HttpRequest::queryValue(const QString &name) const
{
    return query.queryItemValue(name, QUrl::FullyDecoded);
}

QString HttpRequest::cookie(const QString &name) const
{
    const QByteArray cookies = header("cookie");
    for (const QByteArray &part : cookies.split(';')) {
        const QByteArray item = part.trimmed();
        const qsizetype eq = item.indexOf('=');
        if (eq > 0 && QString::fromUtf8(item.left(eq)) == name) {
            return QString::fromUtf8(item.mid(eq + 1));
        }
    }
    return {};
}

Result<QJsonObject> HttpRequest::jsonObject(bool emptyIsEmptyObject) const
{
    if (body.trimmed().isEmpty()) {
        if (emptyIsEmptyObject) {
            return QJsonObject{};
        }
        return Error::invalid(u"request body is required"_s);
    }
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error::invalid(u"invalid JSON body"_s);
    }
    if (!doc.isObject()) {
        return Error::invalid(u"JSON body must be an object"_s);
    }
    return doc.object();
}

} // namespace Gestalt
