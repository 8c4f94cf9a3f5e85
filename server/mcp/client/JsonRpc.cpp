// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "mcp/client/JsonRpc.h"

using namespace Qt::StringLiterals;

namespace Gestalt::JsonRpc {

QJsonObject result(const QJsonValue &id, const QJsonValue &result)
{
    return {{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, id}, {u"result"_s, result}};
}

QJsonObject error(const QJsonValue &id, int code, const QString &message)
{
    return {{u"jsonrpc"_s, u"2.0"_s},
            {u"id"_s, id},
            {u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}};
}

QJsonObject notification(const QString &method, const QJsonObject &params)
{
    QJsonObject message{{u"jsonrpc"_s, u"2.0"_s}, {u"method"_s, method}};
    if (!params.isEmpty()) {
        message.insert(u"params"_s, params);
    }
    return message;
}

Kind classify(const QJsonValue &message, QString *why)
{
    if (!message.isObject()) {
        *why = u"a JSON-RPC message must be an object"_s;
        return Kind::Invalid;
    }
    const QJsonObject object = message.toObject();
    if (object.value(u"jsonrpc"_s) != u"2.0"_s) {
        *why = u"jsonrpc must be \"2.0\""_s;
        return Kind::Invalid;
    }
    const bool hasId = object.contains(u"id"_s);
    const QJsonValue id = object.value(u"id"_s);
    // MCP: ids are strings or integers, never null.
    const bool idValid =
        id.isString() || (id.isDouble() && id.toDouble() == double(id.toInteger()));
    if (object.contains(u"method"_s)) {
        if (!object.value(u"method"_s).isString()) {
            *why = u"method must be a string"_s;
            return Kind::Invalid;
        }
        if (object.contains(u"params"_s) && !object.value(u"params"_s).isObject()) {
            *why = u"params must be an object"_s;
            return Kind::Invalid;
        }
        if (!hasId) {
            return Kind::Notification;
        }
        if (!idValid) {
            *why = u"id must be a string or an integer"_s;
            return Kind::Invalid;
        }
        return Kind::Request;
    }
    if (hasId && idValid && (object.contains(u"result"_s) || object.contains(u"error"_s))) {
        return Kind::Response;
    }
    *why = u"a JSON-RPC message needs a method, or a result or error with an id"_s;
    return Kind::Invalid;
}

} // namespace Gestalt::JsonRpc
