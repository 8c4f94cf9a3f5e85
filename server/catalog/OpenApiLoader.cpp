// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/OpenApiLoader.h"

#include "catalog/OpenApiParameterReader.h"
#include "catalog/OpenApiRefResolver.h"
#include "catalog/OpenApiSecurityReader.h"
#include "config/ConfigErrors.h"
#include "config/ConfigNode.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qint64 maxDocumentBytes = qint64(20) * 1024 * 1024;

class OpenApiReader final
{
public:
    OpenApiReader(const ConfigNode &root, ConfigErrors &errors, const QString &source)
        : m_root(root)
        , m_refs(root, errors, source)
        , m_security(root, m_refs)
        , m_parameters(m_refs)
    {}

    OpenApiDocument read()
    {
        if (!checkVersion()) {
            return m_doc;
        }
        readInfo();
        readServers();
        m_doc.auth = m_security.readDocument();
        readPaths();
        std::sort(m_doc.operations.begin(),
                  m_doc.operations.end(),
                  [](const Operation &a, const Operation &b) { return a.id < b.id; });
        return m_doc;
    }

private:
    void problem(const QString &place, const QString &message) { m_refs.problem(place, message); }

    std::optional<QString> text(const ConfigNode &map, QStringView key, const QString &place)
    {
        return m_refs.text(map, key, place);
    }

    std::optional<QString>
    requiredText(const ConfigNode &map, QStringView key, const QString &place)
    {
        return m_refs.requiredText(map, key, place);
    }

    const ConfigNode *mapAt(const ConfigNode &map, QStringView key, const QString &place)
    {
        return m_refs.mapAt(map, key, place);
    }

    bool checkVersion()
    {
        const ConfigNode *version = m_root.child(u"openapi");
        if (!version || version->isNull()) {
            const ConfigNode *swagger = m_root.child(u"swagger");
            if (swagger && swagger->isScalar()) {
                problem(
                    u"swagger"_s,
                    u"Swagger %1 is not supported; convert to OpenAPI 3"_s.arg(swagger->text()));
            } else {
                problem(u"openapi"_s,
                        u"not an OpenAPI document: the \"openapi: 3.x\" field is missing"_s);
            }
            return false;
        }
        static const QRegularExpression supported(u"^3\\.[01](\\.[0-9]+)?(-[0-9A-Za-z.-]+)?$"_s);
        if (!version->isScalar() || !supported.match(version->text()).hasMatch()) {
            problem(u"openapi"_s,
                    u"unsupported OpenAPI version \"%1\" (expected 3.0.x or 3.1.x)"_s.arg(
                        version->isScalar() ? version->text() : u"?"_s));
            return false;
        }
        m_isV31 = version->text().startsWith(u"3.1"_s);
        return true;
    }

    void readInfo()
    {
        const ConfigNode *info = mapAt(m_root, u"info", QString());
        if (info) {
            m_doc.title = text(*info, u"title", u"info"_s).value_or(QString());
            m_doc.description = text(*info, u"description", u"info"_s).value_or(QString());
        }
    }

    void readServers()
    {
        const ConfigNode *servers = m_root.child(u"servers");
        if (!servers || servers->isNull()) {
            return;
        }
        if (!servers->isSequence()) {
            problem(u"servers"_s, u"expected a list of servers"_s);
            return;
        }
        if (servers->items().empty()) {
            return;
        }
        const QString place = u"servers[0]"_s;
        const ConfigNode &first = servers->items().front();
        if (!first.isMap()) {
            problem(place, u"expected a server (a map with url)"_s);
            return;
        }
        std::optional<QString> url = requiredText(first, u"url", place);
        if (!url) {
            return;
        }
        if (const ConfigNode *variables = mapAt(first, u"variables", place)) {
            for (const ConfigNode::Entry &variable : variables->entries()) {
                const QString at = place + u".variables."_s + variable.key;
                if (!variable.value.isMap()) {
                    problem(at, u"expected a server variable (a map with default)"_s);
                    continue;
                }
                if (std::optional<QString> value = requiredText(variable.value, u"default", at)) {
                    url->replace(u'{' + variable.key + u'}', *value);
                }
            }
        }
        while (url->endsWith(u'/')) {
            url->chop(1);
        }
        m_doc.baseUrl = *url;
    }

    void readPaths()
    {
        const ConfigNode *paths = m_root.child(u"paths");
        if (!paths || paths->isNull()) {
            if (!m_isV31) { // 3.1 documents may hold only webhooks or components
                problem(u"paths"_s, u"required"_s);
            }
            return;
        }
        if (!paths->isMap()) {
            problem(u"paths"_s, u"expected a map of paths (\"/pets\": {get: ...})"_s);
            return;
        }
        static const QStringList methods{
            u"get"_s, u"put"_s, u"post"_s, u"delete"_s, u"patch"_s, u"head"_s, u"options"_s};
        for (const ConfigNode::Entry &entry : paths->entries()) {
            if (entry.key.startsWith(u"x-"_s)) {
                continue;
            }
            const QString place = u"paths."_s + entry.key;
            if (!entry.key.startsWith(u'/')) {
                problem(place, u"a path must start with /"_s);
                continue;
            }
            const ConfigNode *item = m_refs.follow(entry.value, place);
            if (!item || item->isNull()) {
                continue;
            }
            if (!item->isMap()) {
                problem(place, u"expected a path item (a map of methods)"_s);
                continue;
            }
            const QList<OperationParameter> shared = m_parameters.declared(*item, place);
            for (const QString &method : methods) {
                const ConfigNode *op = item->child(method);
                if (!op || op->isNull()) {
                    continue;
                }
                const QString opPlace = OpenApiRefResolver::join(place, method);
                if (!op->isMap()) {
                    problem(opPlace, u"expected an operation (a map)"_s);
                    continue;
                }
                readOperation(entry.key, method, *op, shared, opPlace);
            }
        }
    }

    void readOperation(const QString &path,
                       const QString &method,
                       const ConfigNode &op,
                       const QList<OperationParameter> &shared,
                       const QString &place)
    {
        m_security.checkRequirements(op, place);
        const ConfigNode *idNode = op.child(u"operationId");
        if (!idNode || idNode->isNull()) {
            return; // only operations with an operationId are exposed
        }
        if (!idNode->isScalar() || idNode->text().isEmpty()) {
            problem(OpenApiRefResolver::join(place, u"operationId"),
                    u"expected a non-empty string"_s);
            return;
        }
        const QString id = idNode->text();
        if (const auto seen = m_idPlaces.constFind(id); seen != m_idPlaces.cend()) {
            problem(OpenApiRefResolver::join(place, u"operationId"),
                    u"duplicate operationId \"%1\" (also at %2)"_s.arg(id, *seen));
            return;
        }
        m_idPlaces.insert(id, place);

        Operation operation;
        operation.id = id;
        operation.originalId = id;
        operation.method = method.toUpper();
        operation.path = path;
        operation.title = text(op, u"summary", place).value_or(QString());
        operation.description = text(op, u"description", place).value_or(operation.title);
        operation.tags = readTags(op, place);

        QList<OperationParameter> parameters = shared;
        for (const OperationParameter &own : m_parameters.declared(op, place)) {
            auto same = std::find_if(parameters.begin(), parameters.end(), [&own](const auto &p) {
                return p.wireName == own.wireName && p.location == own.location;
            });
            if (same != parameters.end()) {
                *same = own;
            } else {
                parameters.append(own);
            }
        }
        QStringList taken;
        for (OperationParameter &parameter : parameters) {
            parameter.name = Operation::exposedName(parameter.wireName, taken);
        }
        operation.parameters = parameters;
        m_parameters.addBody(op, place, operation, taken);
        operation.synthesizeInputSchema();
        m_doc.operations.append(operation);
    }

    QStringList readTags(const ConfigNode &op, const QString &place)
    {
        const ConfigNode *tags = op.child(u"tags");
        if (!tags || tags->isNull()) {
            return {};
        }
        if (!tags->isSequence()) {
            problem(OpenApiRefResolver::join(place, u"tags"), u"expected a list of strings"_s);
            return {};
        }
        QStringList out;
        for (size_t i = 0; i < tags->items().size(); ++i) {
            const ConfigNode &tag = tags->items().at(i);
            if (tag.isScalar()) {
                out.append(tag.text());
            } else {
                problem(OpenApiRefResolver::indexed(OpenApiRefResolver::join(place, u"tags"), i),
                        u"expected a string"_s);
            }
        }
        return out;
    }

    const ConfigNode &m_root;
    OpenApiRefResolver m_refs;
    OpenApiSecurityReader m_security;
    OpenApiParameterReader m_parameters;
    OpenApiDocument m_doc;
    QHash<QString, QString> m_idPlaces; // operationId → where it was first written
    bool m_isV31 = false;
};

} // namespace

Result<OpenApiDocument> OpenApiLoader::parse(const QByteArray &text, const QString &sourceName)
{
    if (text.size() > maxDocumentBytes) {
        return Error::invalid(u"%1: the document is larger than 20 MB"_s.arg(sourceName));
    }
    QByteArray utf8 = text;
    if (utf8.startsWith("\xEF\xBB\xBF")) {
        utf8.remove(0, 3);
    }
    ConfigErrors errors;
    const SourceLocation where{sourceName};
    const std::optional<ConfigNode> root = ConfigNode::parse(utf8, where, errors);
    if (!root || !errors.isEmpty()) {
        if (errors.isEmpty()) {
            errors.add(where, u"not a usable YAML or JSON document"_s);
        }
        return errors.toError();
    }
    OpenApiDocument document = OpenApiReader(*root, errors, sourceName).read();
    if (!errors.isEmpty()) {
        return errors.toError();
    }
    return document;
}

Result<OpenApiDocument> OpenApiLoader::loadFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error::invalid(
            u"%1: cannot read the OpenAPI document: %2"_s.arg(path, file.errorString()));
    }
    const QByteArray text = file.read(maxDocumentBytes + 1);
    if (text.size() > maxDocumentBytes) {
        return Error::invalid(u"%1: the document is larger than 20 MB"_s.arg(path));
    }
    return parse(text, path);
}

} // namespace Gestalt
