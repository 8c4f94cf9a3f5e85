// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "catalog/OpenApiLoader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Gestalt;
using namespace Qt::StringLiterals;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(GESTALT_TEST_DATA_DIR "/openapi/") + name;
}

// One line per parameter: "name@location:type", "!" when required, " <wire>" when the wire name
// differs from the exposed name.
QStringList summary(const Operation &op)
{
    QStringList out;
    for (const OperationParameter &p : op.parameters) {
        QString line = p.name + u'@' + p.location + u':' + p.type;
        if (p.required) {
            line += u'!';
        }
        if (p.wireName != p.name) {
            line += u" <"_s + p.wireName + u'>';
        }
        out.append(line);
    }
    return out;
}

QStringList idsOf(const OpenApiDocument &doc)
{
    QStringList ids;
    for (const Operation &op : doc.operations) {
        ids.append(op.id);
    }
    return ids;
}

const Operation *find(const OpenApiDocument &doc, const QString &id)
{
    for (const Operation &op : doc.operations) {
        if (op.id == id) {
            return &op;
        }
    }
    return nullptr;
}

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

QByteArray header()
{
    return "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"_ba;
}

} // namespace

class tst_OpenApi final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void petstoreExpandedYaml30()
    {
        const OpenApiDocument doc = load(u"petstore-expanded.yaml"_s);
        QCOMPARE(doc.title, u"Swagger Petstore"_s);
        QVERIFY(doc.description.startsWith(u"A sample API"_s));
        QCOMPARE(doc.baseUrl, u"http://petstore.swagger.io/api"_s);
        QVERIFY(!doc.auth);
        QCOMPARE(idsOf(doc),
                 (QStringList{u"addPet"_s, u"deletePet"_s, u"find pet by id"_s, u"findPets"_s}));

        const Operation *findPets = find(doc, u"findPets"_s);
        QCOMPARE(findPets->originalId, u"findPets"_s);
        QCOMPARE(findPets->method, u"GET"_s);
        QCOMPARE(findPets->path, u"/pets"_s);
        QVERIFY(findPets->title.isEmpty());
        QVERIFY(findPets->description.startsWith(u"Returns all pets from the system"_s));
        QCOMPARE(summary(*findPets),
                 (QStringList{u"tags@query:array"_s, u"limit@query:integer"_s}));
        QCOMPARE(findPets->parameters.front().schema,
                 json(R"({"type":"array","items":{"type":"string"}})"));
        QCOMPARE(findPets->parameters.front().description, u"tags to filter by"_s);

        const Operation *addPet = find(doc, u"addPet"_s);
        QCOMPARE(addPet->method, u"POST"_s);
        QCOMPARE(addPet->description, u"Creates a new pet in the store.  Duplicates are allowed"_s);
        QCOMPARE(summary(*addPet), (QStringList{u"name@body:string!"_s, u"tag@body:string"_s}));
        QCOMPARE(addPet->inputSchema,
                 json(R"({"type":"object","properties":{"name":{"type":"string"},)"
                      R"("tag":{"type":"string"}},"required":["name"]})"));

        const Operation *byId = find(doc, u"find pet by id"_s);
        QCOMPARE(byId->path, u"/pets/{id}"_s);
        QCOMPARE(summary(*byId), QStringList{u"id@path:integer!"_s});
        QCOMPARE(byId->inputSchema,
                 json(R"({"type":"object","properties":{"id":{"type":"integer","format":"int64",)"
                      R"("description":"ID of pet to fetch"}},"required":["id"]})"));
        QCOMPARE(find(doc, u"deletePet"_s)->method, u"DELETE"_s);
    }

    void petstoreJson30()
    {
        const OpenApiDocument doc = load(u"petstore.json"_s);
        QCOMPARE(doc.baseUrl, u"http://petstore.swagger.io/v1"_s);
        QCOMPARE(idsOf(doc), (QStringList{u"createPets"_s, u"listPets"_s, u"showPetById"_s}));
        const Operation *list = find(doc, u"listPets"_s);
        QCOMPARE(list->title, u"List all pets"_s);
        QCOMPARE(list->description, u"List all pets"_s); // summary when no description
        QCOMPARE(list->tags, QStringList{u"pets"_s});
        QCOMPARE(summary(*list), QStringList{u"limit@query:integer"_s});
        const Operation *create = find(doc, u"createPets"_s);
        QVERIFY(create->parameters.isEmpty());
        QCOMPARE(create->inputSchema, json(R"({"type":"object","properties":{}})"));
        QCOMPARE(summary(*find(doc, u"showPetById"_s)), QStringList{u"petId@path:string!"_s});
    }

    void usptoServerVariablesAndFormBody()
    {
        const OpenApiDocument doc = load(u"uspto.yaml"_s);
        QCOMPARE(doc.title, u"USPTO Data Set API"_s);
        QCOMPARE(doc.baseUrl, u"https://developer.uspto.gov/ds-api"_s);
        QCOMPARE(
            idsOf(doc),
            (QStringList{u"list-data-sets"_s, u"list-searchable-fields"_s, u"perform-search"_s}));
        const Operation *fields = find(doc, u"list-searchable-fields"_s);
        QCOMPARE(fields->path, u"/{dataset}/{version}/fields"_s);
        QCOMPARE(fields->tags, QStringList{u"metadata"_s});
        QCOMPARE(summary(*fields),
                 (QStringList{u"dataset@path:string!"_s, u"version@path:string!"_s}));
        QCOMPARE(fields->parameters.front().defaultValue, QJsonValue(u"oa_citations"_s));
        // A form-encoded body is not JSON: the operation stays, its fields are not parameters.
        const Operation *search = find(doc, u"perform-search"_s);
        QCOMPARE(search->method, u"POST"_s);
        QCOMPARE(summary(*search),
                 (QStringList{u"version@path:string!"_s, u"dataset@path:string!"_s}));
    }

    void openApi31YamlAndJson()
    {
        const OpenApiDocument hooks = load(u"webhook-example.yaml"_s);
        QCOMPARE(idsOf(hooks), QStringList{u"listPets"_s}); // webhooks are not operations
        QVERIFY(hooks.baseUrl.isEmpty());
        const OpenApiDocument onlyHooks = load(u"webhook-example.json"_s);
        QVERIFY(onlyHooks.operations.isEmpty()); // 3.1 may leave paths out
        QCOMPARE(onlyHooks.title, u"Webhook Example"_s);

        const OpenApiDocument schemes = load(u"securitySchemes.yaml"_s);
        QCOMPARE(idsOf(schemes), QStringList{u"listPets"_s});
        QVERIFY(schemes.auth);
        QCOMPARE(schemes.auth->type, AuthType::OAuth2);
        QCOMPARE(schemes.auth->authorizationUrl, u"https://example.com/oauth/authorize"_s);
        QCOMPARE(schemes.auth->tokenUrl, u"https://example.com/oauth/token"_s);
        QCOMPARE(schemes.auth->scopes, (QStringList{u"read"_s, u"write"_s, u"admin"_s}));

        const OpenApiDocument bearer = load(u"non-oauth-scopes.json"_s);
        QVERIFY(bearer.operations.isEmpty()); // its only operation has no operationId
        QVERIFY(bearer.auth);
        QCOMPARE(bearer.auth->type, AuthType::Manual);
        QVERIFY(bearer.auth->authStyle.isEmpty());
    }

    void everyMappingRule()
    {
        const OpenApiDocument doc = load(u"features.yaml"_s);
        QCOMPARE(doc.baseUrl, u"https://eu.api.example.com/v2"_s);
        QCOMPARE(doc.description, u"Every mapping rule of OpenApiLoader"_s);
        QCOMPARE(idsOf(doc),
                 (QStringList{u"items.bulkCreate"_s,
                              u"items.get"_s,
                              u"items.patch"_s,
                              u"items.purge"_s,
                              u"items.replace"_s,
                              u"ping"_s}));
        // First usable scheme named by the top-level security: the query key is skipped.
        QVERIFY(doc.auth);
        QCOMPARE(doc.auth->type, AuthType::Manual);
        QCOMPARE(doc.auth->authHeader, u"X-Api-Key"_s);
        QCOMPARE(doc.auth->authStyle, u"raw"_s);

        const Operation *get = find(doc, u"items.get"_s);
        QCOMPARE(get->title, u"Get an item"_s);
        QCOMPARE(get->tags, (QStringList{u"items"_s, u"read"_s}));
        QCOMPARE(summary(*get),
                 (QStringList{u"itemId@path:string!"_s,
                              u"verbose@query:integer!"_s,
                              u"X-Trace@header:string"_s,
                              u"filter_status@query:string <filter[status]>"_s,
                              u"where@query:object"_s}));
        QCOMPARE(get->parameters.at(0).description, u"The item"_s);
        QCOMPARE(get->parameters.at(0).schema, json(R"({"type":"string","format":"uuid"})"));
        QCOMPARE(get->parameters.at(1).defaultValue, QJsonValue(1));
        QCOMPARE(get->parameter(u"filter_status"_s)->schema.value(u"type"_s).toArray(),
                 (QJsonArray{u"string"_s, u"null"_s}));
        QCOMPARE(get->inputSchema.value(u"required"_s).toArray(),
                 (QJsonArray{u"itemId"_s, u"verbose"_s}));

        const Operation *replace = find(doc, u"items.replace"_s);
        QCOMPARE(replace->method, u"PUT"_s);
        QVERIFY(replace->title.isEmpty());
        QCOMPARE(replace->description, u"Replace an item"_s);
        QCOMPARE(summary(*replace),
                 (QStringList{u"itemId@path:string!"_s,
                              u"verbose@query:boolean"_s,
                              u"name@body:string!"_s,
                              u"size@body:integer"_s,
                              u"labels@body:array"_s})); // id is readOnly
        QCOMPARE(replace->parameter(u"size"_s)->defaultValue, QJsonValue(3));
        QCOMPARE(replace->parameter(u"name"_s)->description, u"The item's name"_s);

        const Operation *patch = find(doc, u"items.patch"_s);
        QCOMPARE(summary(*patch),
                 (QStringList{u"itemId@path:string!"_s,
                              u"verbose@query:boolean"_s,
                              u"name@query:string"_s,
                              u"name_2@body:string! <name>"_s,
                              u"size@body:integer"_s,
                              u"labels@body:array"_s,
                              u"note@body:string!"_s}));

        const Operation *bulk = find(doc, u"items.bulkCreate"_s);
        QCOMPARE(summary(*bulk), QStringList{u"body@body:array! <>"_s});
        const OperationParameter &body = bulk->parameters.front();
        QVERIFY(body.wireName.isEmpty());
        QCOMPARE(body.description, u"The items to create"_s);
        QCOMPARE(body.schema.value(u"items"_s).toObject().value(u"required"_s).toArray(),
                 QJsonArray{u"name"_s});
        QCOMPARE(bulk->inputSchema.value(u"required"_s).toArray(), QJsonArray{u"body"_s});

        QVERIFY(find(doc, u"items.purge"_s)->parameters.isEmpty()); // binary body
        QCOMPARE(find(doc, u"ping"_s)->method, u"HEAD"_s);
    }

    void cyclesAndPointerEscapes()
    {
        const OpenApiDocument doc = load(u"cycles.yaml"_s);
        for (const Operation &op : doc.operations) {
            const QByteArray text = QJsonDocument(op.inputSchema).toJson(QJsonDocument::Compact);
            QVERIFY2(!text.contains("\"$ref\""), text.constData());
        }
        const Operation *tree = find(doc, u"createTree"_s);
        QCOMPARE(summary(*tree), (QStringList{u"label@body:string"_s, u"children@body:array"_s}));
        QCOMPARE(tree->parameter(u"children"_s)->schema,
                 json(R"({"type":"array","items":{"type":"object","properties":{)"
                      R"("label":{"type":"string"},)"
                      R"("children":{"type":"array","items":{"type":"object"}}}}})"));

        const Operation *person = find(doc, u"createPerson"_s);
        QCOMPARE(person->parameter(u"employer"_s)->schema,
                 json(R"({"type":"object","description":"A company","properties":{"ceo":{)"
                      R"("type":"object","description":"sibling of a $ref","properties":{)"
                      R"("name":{"type":"string"},"employer":{"type":"object"}}}}})"));

        const Operation *slashed = find(doc, u"slashed"_s);
        QCOMPARE(summary(*slashed),
                 (QStringList{u"escaped@query:integer"_s,
                              u"percent@query:boolean"_s,
                              u"deep@query:object"_s}));
        QCOMPARE(slashed->parameter(u"percent"_s)->description, QString());
        QCOMPARE(slashed->parameter(u"percent"_s)->schema.value(u"description"_s),
                 QJsonValue(u"found through %20"_s));
    }

    void brokenDocuments_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected"); // after "broken.yaml: " (or "broken.yaml:" for YAML)

        const QByteArray h = header();
        QTest::newRow("not OpenAPI")
            << "info: {title: x}\n"_ba << u": openapi: not an OpenAPI document"_s;
        QTest::newRow("empty document") << QByteArray() << u": openapi: not an OpenAPI document"_s;
        QTest::newRow("swagger 2.0")
            << "swagger: \"2.0\"\ninfo: {title: x, version: '1'}\npaths: {}\n"_ba
            << u": swagger: Swagger 2.0 is not supported; convert to OpenAPI 3"_s;
        QTest::newRow("version 2.5") << "openapi: 2.5.0\npaths: {}\n"_ba
                                     << u": openapi: unsupported OpenAPI version \"2.5.0\""_s;
        QTest::newRow("version is a map")
            << "openapi: {v: 3}\npaths: {}\n"_ba << u": openapi: unsupported OpenAPI version"_s;
        QTest::newRow("invalid YAML") << h + "paths: {\n"_ba << u":4:1: invalid YAML"_s;
        QTest::newRow("invalid JSON") << R"({"openapi": "3.0.0", "paths": [})"_ba << u":1:"_s;
        QTest::newRow("top level is a list") << "- a\n- b\n"_ba << u":1:1: the top level"_s;
        QTest::newRow("duplicate key")
            << h + "paths: {}\npaths: {}\n"_ba << u":4:1: duplicate key \"paths\""_s;
        QTest::newRow("paths missing in 3.0") << h << u": paths: required"_s;
        QTest::newRow("paths not a map")
            << h + "paths: [a, b]\n"_ba << u": paths: expected a map of paths"_s;
        QTest::newRow("path without slash")
            << h + "paths: {pets: {}}\n"_ba << u": paths.pets: a path must start with /"_s;
        QTest::newRow("path item a list")
            << h + "paths: {/a: [1]}\n"_ba << u": paths./a: expected a path item"_s;
        QTest::newRow("operation a number")
            << h + "paths: {/a: {get: 3}}\n"_ba << u": paths./a.get: expected an operation"_s;
        QTest::newRow("operationId a map")
            << h + "paths: {/a: {get: {operationId: {x: 1}}}}\n"_ba
            << u": paths./a.get.operationId: expected a non-empty string"_s;
        QTest::newRow("duplicate operationId")
            << h + "paths:\n  /a: {get: {operationId: x}}\n  /b: {post: {operationId: x}}\n"_ba
            << u": paths./b.post.operationId: duplicate operationId \"x\" (also at "
               u"paths./a.get)"_s;
        QTest::newRow("parameters a map")
            << h + "paths: {/a: {get: {operationId: a, parameters: {name: x}}}}\n"_ba
            << u": paths./a.get.parameters: expected a list of parameters"_s;
        QTest::newRow("path-level parameters a string")
            << h + "paths: {/a: {parameters: x, get: {operationId: a}}}\n"_ba
            << u": paths./a.parameters: expected a list of parameters"_s;
        QTest::newRow("parameter a string")
            << h + "paths: {/a: {get: {operationId: a, parameters: [x]}}}\n"_ba
            << u": paths./a.get.parameters[0]: expected a parameter"_s;
        QTest::newRow("parameter without in")
            << h + "paths: {/a: {get: {operationId: a, parameters: [{name: q}]}}}\n"_ba
            << u": paths./a.get.parameters[0].in: required"_s;
        QTest::newRow("parameter in body")
            << h + "paths: {/a: {get: {operationId: a, parameters: [{name: q, in: body}]}}}\n"_ba
            << u": paths./a.get.parameters[0].in: invalid value \"body\""_s;
        QTest::newRow("required not a boolean")
            << h
                   + "paths: {/a: {get: {operationId: a, parameters: [{name: q, in: query, "
                     "required: maybe}]}}}\n"_ba
            << u": paths./a.get.parameters[0].required: expected true or false"_s;
        QTest::newRow("unresolvable schema ref")
            << h
                   + "paths: {/a: {get: {operationId: a, parameters: [{name: q, in: query, "
                     "schema: {$ref: '#/components/schemas/Nope'}}]}}}\n"_ba
            << u": paths./a.get.parameters[0].schema: unresolvable $ref "
               u"\"#/components/schemas/Nope\""_s;
        QTest::newRow("unresolvable parameter ref")
            << h
                   + "paths: {/a: {get: {operationId: a, parameters: "
                     "[{$ref: '#/components/parameters/P'}]}}}\n"_ba
            << u": paths./a.get.parameters[0]: unresolvable $ref \"#/components/parameters/P\""_s;
        QTest::newRow("remote ref")
            << h
                   + "paths: {/a: {post: {operationId: a, requestBody: "
                     "{$ref: 'other.yaml#/components/requestBodies/B'}}}}\n"_ba
            << u": paths./a.post.requestBody: remote $ref "
               u"\"other.yaml#/components/requestBodies/B\" is not supported"_s;
        QTest::newRow("remote ref inside a schema")
            << h
                   + "paths: {/a: {post: {operationId: a, requestBody: {content: "
                     "{application/json: {schema: {properties: {x: {$ref: "
                     "'https://x.test/s.json'}}}}}}}}}\n"_ba
            << u": paths./a.post.requestBody.content.application/json.schema.properties.x: "
               u"remote $ref \"https://x.test/s.json\""_s;
        QTest::newRow("ref not a pointer")
            << h
                   + "paths: {/a: {get: {operationId: a, parameters: [{name: q, in: query, "
                     "schema: {$ref: '#Foo'}}]}}}\n"_ba
            << u": paths./a.get.parameters[0].schema: unsupported $ref \"#Foo\""_s;
        QTest::newRow("ref a list")
            << h + "paths: {/a: {get: {operationId: a, parameters: [{$ref: [1]}]}}}\n"_ba
            << u": paths./a.get.parameters[0].$ref: expected a string"_s;
        QTest::newRow("circular parameter refs")
            << h
                   + "paths: {/a: {get: {operationId: a, parameters: "
                     "[{$ref: '#/components/parameters/A'}]}}}\n"
                     "components: {parameters: {A: {$ref: '#/components/parameters/B'}, "
                     "B: {$ref: '#/components/parameters/A'}}}\n"_ba
            << u": paths./a.get.parameters[0]: circular $ref \"#/components/parameters/A\""_s;
        QTest::newRow("tags a string") << h + "paths: {/a: {get: {operationId: a, tags: x}}}\n"_ba
                                       << u": paths./a.get.tags: expected a list of strings"_s;
        QTest::newRow("content a list")
            << h + "paths: {/a: {post: {operationId: a, requestBody: {content: [1]}}}}\n"_ba
            << u": paths./a.post.requestBody.content: expected a map"_s;
        QTest::newRow("properties a list")
            << h
                   + "paths: {/a: {post: {operationId: a, requestBody: {content: "
                     "{application/json: {schema: {properties: [1]}}}}}}}\n"_ba
            << u": paths./a.post.requestBody.content.application/json.schema.properties: "
               u"expected a map of schemas"_s;
        QTest::newRow("allOf a map")
            << h
                   + "paths: {/a: {get: {operationId: a, parameters: [{name: q, in: query, "
                     "schema: {allOf: {x: 1}}}]}}}\n"_ba
            << u": paths./a.get.parameters[0].schema.allOf: expected a list of schemas"_s;
        QTest::newRow("servers a map") << h + "servers: {url: x}\npaths: {}\n"_ba
                                       << u": servers: expected a list of servers"_s;
        QTest::newRow("server variable without default")
            << h + "servers: [{url: 'https://{v}.test', variables: {v: {enum: [a]}}}]\npaths: {}\n"_ba
            << u": servers[0].variables.v.default: required"_s;
        QTest::newRow("security names an unknown scheme")
            << h + "security: [{nope: []}]\npaths: {}\n"_ba
            << u": security[0]: names no components.securitySchemes entry \"nope\""_s;
        QTest::newRow("operation security a map")
            << h + "paths: {/a: {get: {operationId: a, security: {x: []}}}}\n"_ba
            << u": paths./a.get.security: expected a list of security requirements"_s;
        QTest::newRow("scheme type unknown")
            << h + "paths: {}\ncomponents: {securitySchemes: {x: {type: magic}}}\n"_ba
            << u": components.securitySchemes.x.type: invalid value \"magic\""_s;
        QTest::newRow("oauth2 without tokenUrl")
            << h
                   + "paths: {}\ncomponents: {securitySchemes: {o: {type: oauth2, flows: "
                     "{authorizationCode: {authorizationUrl: 'https://a.test', scopes: {}}}}}}\n"_ba
            << u": components.securitySchemes.o.flows.authorizationCode.tokenUrl: required"_s;
        QTest::newRow("components a list")
            << h + "paths: {}\ncomponents: [1]\n"_ba << u": components: expected a map"_s;
    }

    void brokenDocuments()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        const Result<OpenApiDocument> doc = OpenApiLoader::parse(text, u"broken.yaml"_s);
        QVERIFY(!doc);
        QCOMPARE(doc.error().code, ErrorCode::InvalidArgument);
        const QString message = doc.error().message;
        QVERIFY2(message.startsWith(u"broken.yaml"_s), qPrintable(message));
        QVERIFY2(message.contains(u"broken.yaml"_s + expected), qPrintable(message));
    }

    void securityMapping_data()
    {
        QTest::addColumn<QByteArray>("yaml");  // components.securitySchemes and security
        QTest::addColumn<QString>("expected"); // none | oauth2 a t scopes | manual header style

        QTest::newRow("oauth2 authorization code")
            << "components: {securitySchemes: {o: {type: oauth2, flows: {authorizationCode: "
               "{authorizationUrl: 'https://a.test/auth', tokenUrl: 'https://a.test/token', "
               "scopes: {repo: r, 'read:org': o}}}}}}\n"_ba
            << u"oauth2 https://a.test/auth https://a.test/token repo,read:org"_s;
        QTest::newRow("oauth2 implicit only")
            << "components: {securitySchemes: {o: {type: oauth2, flows: {implicit: "
               "{authorizationUrl: 'https://a.test/auth', scopes: {}}}}}}\n"_ba
            << u"none"_s;
        QTest::newRow("oauth2 client credentials only")
            << "components: {securitySchemes: {o: {type: oauth2, flows: {clientCredentials: "
               "{tokenUrl: 'https://a.test/token', scopes: {}}}}}}\n"_ba
            << u"none"_s;
        QTest::newRow("oauth2 implicit and code")
            << "components: {securitySchemes: {o: {type: oauth2, flows: {implicit: "
               "{authorizationUrl: 'https://a.test/i', scopes: {a: a}}, authorizationCode: "
               "{authorizationUrl: 'https://a.test/c', tokenUrl: 'https://a.test/t', "
               "scopes: {b: b}}}}}}\n"_ba
            << u"oauth2 https://a.test/c https://a.test/t b"_s;
        QTest::newRow("apiKey in header")
            << "components: {securitySchemes: {k: {type: apiKey, in: header, name: X-Key}}}\n"_ba
            << u"manual X-Key raw"_s;
        QTest::newRow("apiKey in query")
            << "components: {securitySchemes: {k: {type: apiKey, in: query, name: key}}}\n"_ba
            << u"none"_s;
        QTest::newRow("apiKey in cookie")
            << "components: {securitySchemes: {k: {type: apiKey, in: cookie, name: sid}}}\n"_ba
            << u"none"_s;
        QTest::newRow("http bearer")
            << "components: {securitySchemes: {b: {type: http, scheme: bearer}}}\n"_ba
            << u"manual - -"_s;
        QTest::newRow("http Bearer, any case")
            << "components: {securitySchemes: {b: {type: http, scheme: Bearer}}}\n"_ba
            << u"manual - -"_s;
        QTest::newRow("http basic")
            << "components: {securitySchemes: {b: {type: http, scheme: basic}}}\n"_ba
            << u"manual - basic"_s;
        QTest::newRow("http digest")
            << "components: {securitySchemes: {b: {type: http, scheme: digest}}}\n"_ba << u"none"_s;
        QTest::newRow("openIdConnect")
            << "components: {securitySchemes: {o: {type: openIdConnect, openIdConnectUrl: "
               "'https://a.test/.well-known/openid-configuration'}}}\n"_ba
            << u"none"_s;
        QTest::newRow("mutualTLS")
            << "components: {securitySchemes: {m: {type: mutualTLS}}}\n"_ba << u"none"_s;
        QTest::newRow("no schemes") << QByteArray() << u"none"_s;
        QTest::newRow("top-level security picks the scheme")
            << "security: [{b: []}]\ncomponents: {securitySchemes: {a: {type: http, scheme: "
               "basic}, b: {type: apiKey, in: header, name: X-B}}}\n"_ba
            << u"manual X-B raw"_s;
        QTest::newRow("unusable named scheme falls through")
            << "security: [{q: []}, {h: []}]\ncomponents: {securitySchemes: {h: {type: http, "
               "scheme: basic}, q: {type: apiKey, in: query, name: key}}}\n"_ba
            << u"manual - basic"_s;
        QTest::newRow("without security: first defined, in document order")
            << "components: {securitySchemes: {z: {type: apiKey, in: header, name: X-Z}, "
               "a: {type: http, scheme: basic}}}\n"_ba
            << u"manual X-Z raw"_s;
        QTest::newRow("scheme by $ref")
            << "components: {securitySchemes: {k: {$ref: '#/components/x-shared'}}, "
               "x-shared: {type: apiKey, in: header, name: X-Shared}}\n"_ba
            << u"manual X-Shared raw"_s;
    }

    void securityMapping()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, expected);
        const Result<OpenApiDocument> doc =
            OpenApiLoader::parse(header() + "paths: {}\n"_ba + yaml, u"security.yaml"_s);
        QVERIFY2(doc, doc ? "" : qPrintable(doc.error().message));
        QString actual = u"none"_s;
        if (const std::optional<AuthConfig> &auth = doc->auth) {
            if (auth->type == AuthType::OAuth2) {
                actual = u"oauth2 %1 %2 %3"_s.arg(
                    auth->authorizationUrl, auth->tokenUrl, auth->scopes.join(u','));
            } else {
                QCOMPARE(auth->type, AuthType::Manual);
                const auto dash = [](const QString &s) {
                    return s.isEmpty() ? u"-"_s : s;
                };
                actual = u"manual %1 %2"_s.arg(dash(auth->authHeader), dash(auth->authStyle));
            }
        }
        QCOMPARE(actual, expected);
    }

    void limits()
    {
        QByteArray big = header();
        big.append(
            QByteArray(qsizetype(20) * 1024 * 1024, ' ')); // appended, not built: quick in debug
        Result<OpenApiDocument> tooBig = OpenApiLoader::parse(big, u"big.yaml"_s);
        QVERIFY(!tooBig);
        QCOMPARE(tooBig.error().message, u"big.yaml: the document is larger than 20 MB"_s);

        // 40 schemas, each holding the next one twice: 2^40 nodes if expanded naively.
        QByteArray fanOut =
            header()
            + "paths: {/a: {post: {operationId: a, requestBody: {content: "
              "{application/json: {schema: {$ref: '#/components/schemas/S0'}}}}}}}\n"
              "components:\n  schemas:\n"_ba;
        for (int i = 0; i < 40; ++i) {
            const QByteArray next =
                "{$ref: '#/components/schemas/S"_ba + QByteArray::number(i + 1) + "'}"_ba;
            fanOut += "    S"_ba + QByteArray::number(i) + ": {properties: {l: "_ba + next
                      + ", r: "_ba + next + "}}\n"_ba;
        }
        fanOut += "    S40: {type: string}\n"_ba;
        const Result<OpenApiDocument> wide = OpenApiLoader::parse(fanOut, u"wide.yaml"_s);
        QVERIFY(!wide);
        QVERIFY2(wide.error().message.contains(u"expands to more than 100000 nodes"_s),
                 qPrintable(wide.error().message));

        // 70 distinct schemas nested by $ref: more than 64 open at once.
        QByteArray deep = header()
                          + "paths: {/a: {get: {operationId: a, parameters: [{name: q, in: query, "
                            "schema: {$ref: '#/components/schemas/D0'}}]}}}\n"
                            "components:\n  schemas:\n"_ba;
        for (int i = 0; i < 70; ++i) {
            deep += "    D"_ba + QByteArray::number(i)
                    + ": {properties: {x: {$ref: '#/components/schemas/D"_ba
                    + QByteArray::number(i + 1) + "'}}}\n"_ba;
        }
        deep += "    D70: {type: string}\n"_ba;
        const Result<OpenApiDocument> nested = OpenApiLoader::parse(deep, u"deep.yaml"_s);
        QVERIFY(!nested);
        QVERIFY2(nested.error().message.contains(u"more than 64 nested $refs"_s),
                 qPrintable(nested.error().message));
    }

    void truncatedDocumentsNeverCrash()
    {
        QFile file(fixture(u"features.yaml"_s));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        int failures = 0;
        for (qsizetype size = 0; size < text.size(); size += 37) {
            const Result<OpenApiDocument> doc = OpenApiLoader::parse(text.left(size), u"t.yaml"_s);
            if (!doc) {
                ++failures;
                QVERIFY(doc.error().message.startsWith(u"t.yaml"_s));
            }
        }
        QVERIFY(failures > 0);
        const QByteArray junk("\x00\xff\xfe{[\"\x01", 8);
        QVERIFY(!OpenApiLoader::parse(junk, u"junk"_s));
    }

    void loadFileErrorsNameTheFile()
    {
        const QString missing = fixture(u"does-not-exist.yaml"_s);
        const Result<OpenApiDocument> doc = OpenApiLoader::loadFile(missing);
        QVERIFY(!doc);
        QVERIFY2(doc.error().message.startsWith(missing + u": cannot read"_s),
                 qPrintable(doc.error().message));
    }

    void shippedHttpbinDocument()
    {
        const Result<OpenApiDocument> doc =
            OpenApiLoader::loadFile(u":/apps/httpbin/openapi.yaml"_s);
        QVERIFY2(doc, doc ? "" : qPrintable(doc.error().message));
        QCOMPARE(doc->title, u"httpbin"_s);
        QCOMPARE(doc->baseUrl, u"https://httpbin.org"_s);
        QCOMPARE(idsOf(*doc),
                 (QStringList{u"get_anything"_s,
                              u"get_delay"_s,
                              u"get_headers"_s,
                              u"get_ip"_s,
                              u"get_status"_s,
                              u"get_user_agent"_s,
                              u"post_anything"_s}));
        QCOMPARE(summary(*find(*doc, u"post_anything"_s)),
                 (QStringList{u"message@body:string"_s, u"count@body:integer"_s}));
        QCOMPARE(summary(*find(*doc, u"get_status"_s)), QStringList{u"code@path:integer!"_s});
        QCOMPARE(summary(*find(*doc, u"get_anything"_s)), QStringList{u"message@query:string"_s});
        QVERIFY(!doc->auth);
    }

private: // NOLINT(readability-redundant-access-specifiers): Q_SLOTS is empty to tools
    static OpenApiDocument load(const QString &name)
    {
        const Result<OpenApiDocument> doc = OpenApiLoader::loadFile(fixture(name));
        if (!doc) {
            qWarning().noquote() << doc.error().message;
            return {};
        }
        return *doc;
    }
};

QTEST_GUILESS_MAIN(tst_OpenApi)
#include "tst_openapi.moc"
