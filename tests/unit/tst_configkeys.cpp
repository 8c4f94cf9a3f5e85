// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
//
// docs/CONFIG.md is the table of every config key with its outcome (works / warns / refused).
// These tests keep it true: every key pattern the decoders ask for has a row, every row is a key
// the decoders ask for, every documented Go example (tests/data/go-config-examples, written by
// scripts/extract-go-config-examples.py) loads or is refused only for a reason the table gives,
// and ignored()/refused() say what they should, where they should.
#include "app/ConfigChecks.h"
#include "config/ConfigErrors.h"
#include "config/ConfigLoader.h"
#include "config/ConfigMapReader.h"
#include "config/ConfigNode.h"
#include "config/DefaultConfig.h"
#include "workflows/WorkflowTarget.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Gestalt;
using namespace Qt::StringLiterals;

namespace {

const QString header = u"apiVersion: gestaltd.config/v5\n"_s;

struct Row
{
    QString outcome; // works, warns, refused (possibly "works; refused ...")
    QString text;
};

// The rows of docs/CONFIG.md's key tables: | `key` | outcome | reason or effect |
QHash<QString, Row> tableRows()
{
    QFile file(QStringLiteral(GESTALT_SOURCE_DIR "/docs/CONFIG.md"));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    static const QRegularExpression rowRe(u"^\\| `([^`]+)` \\| ([^|]+) \\| (.*) \\|$"_s);
    QHash<QString, Row> rows;
    for (const QString &line : QString::fromUtf8(file.readAll()).split(u'\n')) {
        const QRegularExpressionMatch match = rowRe.match(line);
        if (match.hasMatch()) {
            rows.insert(match.captured(1), Row{match.captured(2).trimmed(), match.captured(3)});
        }
    }
    return rows;
}

// A plausible value for each ${VAR} of the Go examples (a DSN where a DSN goes...).
std::optional<QString> exampleEnv(const QString &name)
{
    if (name.endsWith(u"DATABASE_URL"_s)) {
        return u"postgres://gestalt@db.example.com:5432/gestalt"_s;
    }
    if (name == u"MONGODB_URI"_s) {
        return u"mongodb://db.example.com:27017/gestalt"_s;
    }
    if (name.contains(u"ENCRYPTION_KEY"_s)) {
        return u"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"_s;
    }
    if (name.endsWith(u"_ADDR"_s)) {
        return u"cache.example.com:6379"_s;
    }
    return u"example-"_s + name.toLower();
}

struct Example
{
    QString kind; // config, manifest, app, server (see scripts/extract-go-config-examples.py)
    QString text;
};

Example readExample(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QString text = QString::fromUtf8(file.readAll());
    static const QRegularExpression kindRe(u"^# From the Go gestaltd docs: .*\\((\\w+)\\)\\.$"_s,
                                           QRegularExpression::MultilineOption);
    return Example{kindRe.match(text).captured(1), text};
}

QString scalarAt(const ConfigNode *node, std::initializer_list<QStringView> path)
{
    for (const QStringView key : path) {
        node = node && node->isMap() ? node->child(key) : nullptr;
    }
    return node && node->isScalar() ? node->text() : QString();
}

bool hasEntry(const ConfigNode *node, std::initializer_list<QStringView> path, const QString &name)
{
    for (const QStringView key : path) {
        node = node && node->isMap() ? node->child(key) : nullptr;
    }
    return node && node->isMap() && node->child(name);
}

// What a fragment of the Go docs leaves to another config file, as a base file loaded before it
// (layered loading, as in Go): a source for each app that has neither source nor surfaces (the
// local manifest stub.yaml), and the policies, provider entries and runtimes it names but does
// not define.
// The providers that the structured secret refs under `node` name.
void collectSecretProviders(const ConfigNode &node, QStringList &out)
{
    const ConfigNode *secret = node.isMap() ? node.child(u"secret") : nullptr;
    if (secret != nullptr && secret->isMap()) {
        const QString provider = scalarAt(secret, {u"provider"});
        if (!provider.isEmpty() && !out.contains(provider)) {
            out.append(provider);
        }
        return;
    }
    for (const ConfigNode::Entry &entry : node.entries()) {
        collectSecretProviders(entry.value, out);
    }
    for (const ConfigNode &item : node.items()) {
        collectSecretProviders(item, out);
    }
}

QString baseFor(const ConfigNode &root)
{
    QStringList policies;
    QString apps;
    const QString appsKey = root.child(u"apps") ? u"apps"_s : u"plugins"_s;
    const ConfigNode *entries = root.child(appsKey);
    for (const ConfigNode::Entry &app :
         entries && entries->isMap() ? entries->entries() : std::vector<ConfigNode::Entry>{}) {
        if (app.value.isMap() && !app.value.child(u"source") && !app.value.child(u"surfaces")) {
            apps += u"  \"%1\": {source: ./stub.yaml}\n"_s.arg(app.key);
        }
        policies.append(scalarAt(&app.value, {u"authorizationPolicy"}));
    }
    policies.append(scalarAt(&root, {u"server", u"admin", u"authorizationPolicy"}));
    QString out = header + (apps.isEmpty() ? QString() : appsKey + u":\n"_s + apps);
    out += u"authorization:\n  policies:\n"_s;
    for (const QString &policy : std::as_const(policies)) {
        if (!policy.isEmpty() && !hasEntry(&root, {u"authorization", u"policies"}, policy)) {
            out += u"    \"%1\": {default: deny}\n"_s.arg(policy);
        }
    }
    out += u"providers:\n"_s;
    for (const QString &kind : {u"authentication"_s, u"authorization"_s, u"indexeddb"_s}) {
        const QString name = scalarAt(&root, {u"server", u"providers", kind});
        if (!name.isEmpty() && name != u"none" && !hasEntry(&root, {u"providers", kind}, name)) {
            out += u"  %1:\n    \"%2\": {source: local, config: {dsn: \"sqlite://x.db\"}}\n"_s.arg(
                kind, name);
        }
    }
    // Go's refs name their provider; a fragment that does not define it gets an env one (the
    // example environment answers every name).
    QStringList secretProviders;
    collectSecretProviders(root, secretProviders);
    QString secrets;
    for (const QString &name : std::as_const(secretProviders)) {
        if (!hasEntry(&root, {u"providers", u"secrets"}, name)) {
            secrets += u"    \"%1\": {source: env}\n"_s.arg(name);
        }
    }
    if (!secrets.isEmpty()) {
        out += u"  secrets:\n"_s + secrets;
    }
    const QString runtime = scalarAt(&root, {u"server", u"runtime", u"defaultProvider"});
    if (!runtime.isEmpty() && !hasEntry(&root, {u"runtime", u"providers"}, runtime)) {
        out += u"runtime:\n  providers:\n    \"%1\": {driver: local}\n"_s.arg(runtime);
    }
    return out;
}

QString indented(const QString &text, const QString &prefix)
{
    QStringList lines = text.split(u'\n');
    for (QString &line : lines) {
        if (!line.isEmpty()) {
            line.prepend(prefix);
        }
    }
    return lines.join(u'\n');
}

} // namespace

class tst_ConfigKeys final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir.emplace();
        QVERIFY(m_dir->isValid());
    }

    void ignoredKeyWarnsWithItsPlaceAndLoads()
    {
        const ConfigLoadReport report =
            loadText(header + u"server:\n  runtime:\n    relayBaseUrl: https://x.example\n"_s);
        QVERIFY2(report.config, qPrintable(report.errors.messages().join(u'\n')));
        QCOMPARE(report.errors.warnings().size(), 1);
        const QString warning = report.errors.warnings().front();
        QVERIFY2(warning.startsWith(m_dir->filePath(u"config.yaml"_s)
                                    + u":4:5: server.runtime.relayBaseUrl: ignored: "_s),
                 qPrintable(warning));
        QVERIFY(report.errors.messages().isEmpty());
    }

    void refusedKeyNamesItsPathAndReason()
    {
        const ConfigLoadReport report = loadText(header + uR"(apps:
  media:
    surfaces: {rest: {baseUrl: https://x.example, operations: [{name: a, path: /a}]}}
    s3: [assets]
)"_s);
        QVERIFY(!report.config);
        QCOMPARE(report.errors.messages(),
                 QStringList{m_dir->filePath(u"config.yaml"_s)
                             + u":5:5: apps.media.s3: storage bindings serve executable plugins; "
                               u"this gestaltd runs declarative apps only"_s});
        QCOMPARE(report.errors.refusedKeys(), QStringList{u"apps.<name>.s3"_s});
        QCOMPARE(report.errors.otherErrorCount(), 0);
    }

    void absentKeysAreNeitherWarnedNorRefused()
    {
        ConfigErrors errors;
        ConfigNode node;
        {
            ConfigMapReader reader(&node, u"x"_s, {}, errors);
            reader.ignored(u"a", u"why"_s);
            QVERIFY(!reader.refused(u"b", u"why"_s));
        }
        QVERIFY(errors.isEmpty());
        QVERIFY(errors.warnings().isEmpty());
    }

    void secretRefsAreResolvedNotUnknown()
    {
        // A ref to a provider that does not exist stops the load with the ref's key path
        // (SecretResolver), never as an unknown key.
        const ConfigLoadReport missing = loadText(header + uR"(server:
  encryptionKey:
    secret: {provider: nowhere, name: GESTALT_TST_CONFIGKEYS_KEY}
)"_s);
        QVERIFY(!missing.config);
        QVERIFY(missing.errors.messages().front().contains(u"server.encryptionKey"_s));
        QVERIFY(!missing.errors.messages().join(u' ').contains(u"unknown key"_s));
        // Without providers.secrets a ref reads the environment (here the example one).
        const ConfigLoadReport found = loadText(header + uR"(server:
  encryptionKey:
    secret: {name: GESTALT_TST_CONFIGKEYS_KEY}
)"_s);
        QVERIFY2(found.config, qPrintable(found.errors.messages().join(u'\n')));
        QCOMPARE(found.config->server.encryptionKey, u"example-gestalt_tst_configkeys_key"_s);
    }

    void misplacedKeysStayUnknown()
    {
        // Only documented keys are accepted: a typo is still an unknown key with a suggestion.
        const ConfigLoadReport report = loadText(header + u"server:\n  runtim: {}\n"_s);
        QVERIFY(!report.config);
        QVERIFY(report.errors.messages().front().contains(
            u"unknown key \"server.runtim\" (did you mean \"runtime\"?)"_s));
    }

    void goTargetPluginInputIsStatic()
    {
        // Go: target.plugin.input is merged into the invocation as it is.
        const QJsonObject input{{u"includeArchived"_s, true}, {u"from"_s, u"x"_s}};
        Result<WorkflowTarget> target = WorkflowTarget::fromJson(QJsonObject{
            {u"plugin"_s,
             QJsonObject{
                 {u"name"_s, u"github"_s}, {u"operation"_s, u"sync"_s}, {u"input"_s, input}}}});
        QVERIFY2(target, target ? "" : qPrintable(target.error().message));
        QCOMPARE(target->steps.front().input, QJsonValue(QJsonObject{{u"literal"_s, input}}));
        // Always the parameters as they are (http-api-legacy.md), even when they look like a
        // workflow value: an operation may take a parameter named "from".
        const QJsonObject value{{u"from"_s, u"trigger.event.data"_s}};
        target = WorkflowTarget::fromJson(QJsonObject{{u"plugin"_s,
                                                       QJsonObject{{u"name"_s, u"github"_s},
                                                                   {u"operation"_s, u"sync"_s},
                                                                   {u"input"_s, value}}}});
        QVERIFY2(target, target ? "" : qPrintable(target.error().message));
        QCOMPARE(target->steps.front().input, QJsonValue(QJsonObject{{u"literal"_s, value}}));
    }

    void everyDecodedKeyIsInTheTable()
    {
        const QHash<QString, Row> rows = tableRows();
        QVERIFY2(!rows.isEmpty(), "docs/CONFIG.md has no key table");
        const QSet<QString> recorded = recordAllKeys();
        QStringList missing;
        for (const QString &key : recorded) {
            if (!rows.contains(key)) {
                missing.append(key);
            }
        }
        missing.sort();
        QVERIFY2(missing.isEmpty(),
                 qPrintable(u"keys the decoders read but docs/CONFIG.md does not list:\n"_s
                            + missing.join(u'\n')));
    }

    void everyTableRowIsADecodedKey()
    {
        const QHash<QString, Row> rows = tableRows();
        const QSet<QString> recorded = recordAllKeys();
        QStringList stale;
        for (auto it = rows.cbegin(); it != rows.cend(); ++it) {
            if (!recorded.contains(it.key()) && it.key() != ConfigMapReader::secretRefPattern()) {
                stale.append(it.key());
            }
            if (!QStringList{u"works"_s, u"warns"_s, u"refused"_s}.contains(
                    it->outcome.section(u' ', 0, 0).remove(u';'))) {
                stale.append(it.key() + u" (outcome \""_s + it->outcome + u"\")"_s);
            }
        }
        stale.sort();
        QVERIFY2(stale.isEmpty(),
                 qPrintable(u"docs/CONFIG.md rows that no decoder reads:\n"_s + stale.join(u'\n')));
    }

    void goExamples_data()
    {
        QTest::addColumn<QString>("file");
        const QDir dir(QStringLiteral(GESTALT_TEST_DATA_DIR "/go-config-examples"));
        const QStringList files = dir.entryList({u"*.yaml"_s}, QDir::Files, QDir::Name);
        QVERIFY(files.size() > 100);
        for (const QString &name : files) {
            QTest::newRow(qPrintable(name)) << dir.filePath(name);
        }
    }

    // As `gestaltd validate` loads a config (the decoder and the domains' checks): every error is
    // a refusal that docs/CONFIG.md lists as refused, never "unknown key".
    void goExamples()
    {
        QFETCH(QString, file);
        const QHash<QString, Row> rows = tableRows();
        const ConfigLoadReport report = loadExample(file);
        const QStringList refused = report.errors.refusedKeys();
        qInfo().noquote() << QFileInfo(file).fileName() << ":"
                          << (report.config ? u"valid"_s : u"refused: "_s + refused.join(u", "_s))
                          << u"(%1 warning(s))"_s.arg(report.errors.warnings().size());
        QVERIFY2(report.errors.otherErrorCount() == 0,
                 qPrintable(report.errors.messages().join(u'\n')));
        for (const QString &key : refused) {
            QVERIFY2(rows.value(key).outcome.contains(u"refused"_s),
                     qPrintable(key + u" is refused but docs/CONFIG.md does not say so"_s));
        }
    }

private:
    // A `file` secrets provider's `dir` is a directory of the Go host (/run/secrets): the example
    // gets one of the test's instead, holding a file for every secret name it mentions.
    QString withSecretFiles(QString text) const
    {
        if (!text.contains(u"source: file"_s)) {
            return text;
        }
        const QString dir = m_dir->filePath(u"secrets"_s);
        QDir().mkpath(dir);
        static const QRegularExpression dirLine(u"^(\\s*dir:\\s*)/\\S+\\s*$"_s,
                                                QRegularExpression::MultilineOption);
        text.replace(dirLine, u"\\1"_s + dir);
        static const QRegularExpression names(u"\\bname:\\s*\"?([A-Za-z0-9_.-]+)"_s);
        for (auto it = names.globalMatch(text); it.hasNext();) {
            const QString name = it.next().captured(1);
            if (name != u"."_s && !name.contains(u".."_s)) {
                write(u"secrets/"_s + name, u"example-secret-"_s + name);
            }
        }
        return text;
    }

    QString write(const QString &name, const QString &text) const
    {
        const QString path = m_dir->filePath(name);
        QFile file(path);
        if (file.open(QIODevice::WriteOnly)) {
            file.write(text.toUtf8());
        }
        return path;
    }

    ConfigLoadReport loadText(const QString &yaml) const
    {
        ConfigLoader loader(&exampleEnv);
        addConfigChecks(loader);
        return loader.loadReport({write(u"config.yaml"_s, yaml)});
    }

    // The example over its base (baseFor()); the base's own problems are the example's too.
    ConfigLoadReport loadLayered(const QString &yaml) const
    {
        ConfigErrors ignored;
        const std::optional<ConfigNode> root = ConfigNode::parse(yaml.toUtf8(), {}, ignored);
        if (!root || !root->isMap()) {
            return loadText(yaml);
        }
        write(u"stub.yaml"_s,
              u"kind: plugin\nspec:\n  surfaces:\n    rest:\n      baseUrl: https://example.com\n"
              u"      operations: [{name: op, path: /op}]\n"_s);
        ConfigLoader loader(&exampleEnv);
        addConfigChecks(loader);
        return loader.loadReport(
            {write(u"base.yaml"_s, baseFor(*root)), write(u"config.yaml"_s, yaml)});
    }

    // A Go example as a whole config (scripts/extract-go-config-examples.py names the kinds).
    ConfigLoadReport loadExample(const QString &path) const
    {
        Example example = readExample(path);
        example.text = withSecretFiles(example.text);
        if (example.kind == u"manifest") {
            QString manifest = example.text;
            if (!manifest.contains(
                    QRegularExpression(u"^kind:"_s, QRegularExpression::MultilineOption))) {
                manifest.prepend(u"kind: plugin\n"_s);
            }
            QFile file(m_dir->filePath(u"manifest.yaml"_s));
            if (!file.open(QIODevice::WriteOnly)) {
                return {};
            }
            file.write(manifest.toUtf8());
            file.close();
            return loadText(header + u"plugins:\n  example: {source: ./manifest.yaml}\n"_s);
        }
        if (example.kind == u"app") {
            return loadLayered(header + u"plugins:\n  example:\n"_s
                               + indented(example.text, u"    "_s));
        }
        if (example.kind == u"server") {
            return loadLayered(header + u"server:\n"_s + indented(example.text, u"  "_s));
        }
        const bool hasVersion = example.text.contains(
            QRegularExpression(u"^apiVersion:"_s, QRegularExpression::MultilineOption));
        return loadLayered(hasVersion ? example.text : header + example.text);
    }

    // Every key pattern the decoders ask for, over the configs that exercise every section: the
    // typed test configs (every-key.yaml: the sections no other one reaches), the starter config,
    // every Go example.
    QSet<QString> recordAllKeys() const
    {
        QSet<QString> keys;
        ConfigMapReader::recordKeys(&keys);
        ConfigLoader loader(&exampleEnv);
        addConfigChecks(loader);
        for (const QString &name : {u"full.yaml"_s, u"operator.yaml"_s, u"every-key.yaml"_s}) {
            (void)loader.loadReport({QStringLiteral(GESTALT_TEST_DATA_DIR "/config/") + name});
        }
        (void)loadText(defaultConfigYaml(QString(64, u'a')));
        const QDir dir(QStringLiteral(GESTALT_TEST_DATA_DIR "/go-config-examples"));
        for (const QString &name : dir.entryList({u"*.yaml"_s}, QDir::Files)) {
            (void)loadExample(dir.filePath(name));
        }
        ConfigMapReader::recordKeys(nullptr);
        return keys;
    }

    std::optional<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(tst_ConfigKeys)
#include "tst_configkeys.moc"
