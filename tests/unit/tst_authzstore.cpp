// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "authz/AuthzSnapshot.h"
#include "authz/RelationshipRepository.h"
#include "core/SubjectId.h"
#include "crypto/Base64.h"
#include "store/Database.h"
#include "subjects/ManagedSubjectRepository.h"
#include "support/TestDatabase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>
#include <vector>

Q_DECLARE_METATYPE(Gestalt::RelationshipFilter)

using namespace Qt::StringLiterals;
using namespace Gestalt;
using Gestalt::Test::TestDatabase;

namespace {

const QDateTime kBase = QDateTime::fromMSecsSinceEpoch(1767225600123, Qt::UTC);
constexpr int kPollMs = 20;
constexpr int kWaitMs = 10000;

template<typename T>
QString why(const Result<T> &result)
{
    return result ? QString() : result.error().message;
}

Relationship tuple(const QString &subject,
                   const QString &relation,
                   const QString &resourceType,
                   const QString &resourceId,
                   bool managed = false)
{
    const qsizetype colon = subject.indexOf(u':');
    Relationship relationship;
    relationship.subject = {subject.left(colon), subject.mid(colon + 1)};
    relationship.relation = relation;
    relationship.resource = {resourceType, resourceId};
    relationship.managed = managed;
    return relationship;
}

// "resourceType:resourceId subject relation", for readable comparisons.
QString describe(const Relationship &relationship)
{
    return relationship.resource.type + u':' + relationship.resource.id + u' '
           + relationship.subject.canonical() + u' ' + relationship.relation;
}

QStringList describe(const QList<Relationship> &relationships)
{
    QStringList lines;
    for (const Relationship &relationship : relationships) {
        lines.append(describe(relationship));
    }
    return lines;
}

// Empty when the write succeeded and changed something.
QString changed(const Result<bool> &result)
{
    if (!result) {
        return result.error().message;
    }
    return *result ? QString() : u"nothing changed"_s;
}

QString tokenOf(const QJsonArray &key)
{
    return Crypto::base64UrlEncode(QJsonDocument(key).toJson(QJsonDocument::Compact));
}

// Six dynamic tuples and two managed ones; list order in the comments of listFilters_data().
const QList<Relationship> kFixture = {
    tuple(u"user:bob"_s, u"viewer"_s, u"app"_s, u"github"_s),
    tuple(u"user:alice"_s, u"admin"_s, u"app"_s, u"github"_s),
    tuple(u"service_account:bot"_s, u"editor"_s, u"app"_s, u"github"_s),
    tuple(u"user:alice"_s, u"viewer"_s, u"app"_s, u"slack"_s),
    tuple(u"user:carol"_s, u"admin"_s, u"admin"_s, u"gestalt"_s),
    tuple(u"user:alice"_s, u"admin"_s, u"managed_subject"_s, u"service_account:bot"_s),
    tuple(u"user:dave"_s, u"viewer"_s, u"app_static"_s, u"github"_s, true),
    tuple(u"user:alice"_s, u"admin"_s, u"admin_static"_s, u"gestalt"_s, true),
};

} // namespace

class tst_AuthzStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();
    void cleanupTestCase();

    void subjectIdParse_data();
    void subjectIdParse();
    void subjectIdParseWritable();
    void toJsonShapes();
    void putReplaceAndNoop();
    void putValidates();
    void remove();
    void removeAllInvolving();
    void find();
    void listFilters_data();
    void listFilters();
    void listPaging_data();
    void listPaging();
    void listBadPageToken_data();
    void listBadPageToken();
    void loadDynamicExcludesManaged();
    void syncManaged();
    void syncManagedNeverTouchesDynamic();
    void syncManagedRefusesTwoRelations();
    void concurrentWritersKeepEveryBump();
    void modelsActivate();
    void listModelsPaging();
    void snapshotReload();
    void snapshotPollsOtherReplica();
    void snapshotFailedReloadKeepsData();
    void managedSubjectCreate();
    void managedSubjectSoftDelete();
    void managedSubjectList();
    void managedSubjectUpdate();

private:
    [[nodiscard]] bool openFresh();
    [[nodiscard]] Clock clock()
    {
        return [this] {
            return m_now;
        };
    }
    [[nodiscard]] qint64 revision() const
    {
        const Result<qint64> value = m_relationships->revision();
        return value ? *value : -1;
    }
    // Empty when every put succeeded and changed something; else what went wrong.
    [[nodiscard]] QString putAll(const QList<Relationship> &relationships);

    std::unique_ptr<QTemporaryDir> m_dir;
    DatastoreSettings m_settings;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<RelationshipRepository> m_relationships;
    std::unique_ptr<ManagedSubjectRepository> m_subjects;
    QDateTime m_now = kBase;
    QString m_error;
};

void tst_AuthzStore::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void tst_AuthzStore::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    m_now = kBase;
    m_error.clear();
    // Pure functions need no datastore (each one costs a CREATE and a DROP DATABASE).
    static const QList<QByteArrayView> pure = {
        "subjectIdParse", "subjectIdParseWritable", "toJsonShapes"};
    if (!pure.contains(QByteArrayView(QTest::currentTestFunction()))) {
        const bool opened = openFresh();
        QVERIFY2(opened, qPrintable(m_error));
    }
}

void tst_AuthzStore::cleanup()
{
    m_subjects.reset();
    m_relationships.reset();
    m_database.reset();
    m_dir.reset();
}

void tst_AuthzStore::cleanupTestCase()
{
    TestDatabase::dropAll();
}

bool tst_AuthzStore::openFresh()
{
    QFETCH_GLOBAL(QString, backend);
    const Result<DatastoreSettings> settings = TestDatabase::create(backend, *m_dir);
    if (!settings) {
        m_error = settings.error().message;
        return false;
    }
    m_settings = *settings;
    Result<std::unique_ptr<Database>> opened = Database::open(m_settings);
    if (!opened) {
        m_error = opened.error().message;
        return false;
    }
    m_database = std::move(opened).value();
    m_relationships = std::make_unique<RelationshipRepository>(*m_database, clock());
    m_subjects = std::make_unique<ManagedSubjectRepository>(*m_database, clock());
    return true;
}

QString tst_AuthzStore::putAll(const QList<Relationship> &relationships)
{
    for (const Relationship &relationship : relationships) {
        const QString failed = changed(m_relationships->put(relationship));
        if (!failed.isEmpty()) {
            return describe(relationship) + u": "_s + failed;
        }
    }
    return {};
}

void tst_AuthzStore::subjectIdParse_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("id");

    const auto good =
        [](const char *name, const QString &input, const QString &kind, const QString &id) {
            QTest::newRow(name) << input << true << kind << id;
        };
    const auto bad = [](const char *name, const QString &input) {
        QTest::newRow(name) << input << false << QString() << QString();
    };
    good("user uuid",
         u"user:0f8fad5b-d9cb-469f-a165-70867728950e"_s,
         u"user"_s,
         u"0f8fad5b-d9cb-469f-a165-70867728950e"_s);
    good("service account",
         u"service_account:release-bot.v2_X"_s,
         u"service_account"_s,
         u"release-bot.v2_X"_s);
    good("service account 128",
         u"service_account:"_s + QString(128, u'a'),
         u"service_account"_s,
         QString(128, u'a'));
    good("system config", u"system:config"_s, u"system"_s, u"config"_s);
    good("system binding keeps later colons",
         u"system:http_binding:slack:events"_s,
         u"system"_s,
         u"http_binding:slack:events"_s);
    good("external kind", u"github_user:12345"_s, u"github_user"_s, u"12345"_s);
    good("other kinds take any printable id",
         u"oidc:https://idp/sub 1"_s,
         u"oidc"_s,
         u"https://idp/sub 1"_s);
    good("kind 32", QString(32, u'k') + u":x"_s, QString(32, u'k'), u"x"_s);
    good("id 256", u"user:"_s + QString(256, u'i'), u"user"_s, QString(256, u'i'));
    good("unicode id", u"user:jos\u00e9"_s, u"user"_s, u"jos\u00e9"_s);

    bad("empty", QString());
    bad("no colon", u"user"_s);
    bad("empty kind", u":abc"_s);
    bad("empty id", u"user:"_s);
    bad("upper-case kind", u"User:abc"_s);
    bad("digit in kind", u"user2:abc"_s);
    bad("dash in kind", u"service-account:abc"_s);
    bad("kind 33", QString(33, u'k') + u":x"_s);
    bad("id 257", u"user:"_s + QString(257, u'i'));
    bad("service account 129", u"service_account:"_s + QString(129, u'a'));
    bad("service account slash", u"service_account:a/b"_s);
    bad("service account space", u"service_account:a b"_s);
    bad("service account colon", u"service_account:a:b"_s);
    bad("newline", u"user:a\nb"_s);
    bad("tab", u"user:a\tb"_s);
    bad("nul", u"user:a"_s + QChar(u'\0') + u"b"_s);
    bad("del", u"user:a\u007fb"_s);
    bad("c1 control", u"user:a\u0085b"_s);
}

void tst_AuthzStore::subjectIdParse()
{
    QFETCH(QString, input);
    QFETCH(bool, valid);
    QFETCH(QString, kind);
    QFETCH(QString, id);
    const Result<SubjectId> parsed = SubjectId::parse(input);
    QCOMPARE(parsed.hasValue(), valid);
    if (!valid) {
        QCOMPARE(parsed.error().code, ErrorCode::InvalidArgument);
        // The message never echoes the input (it may be huge or carry control characters).
        QVERIFY(!parsed.error().message.contains(u"a\nb"_s));
        return;
    }
    QCOMPARE(parsed->kind, kind);
    QCOMPARE(parsed->id, id);
    QCOMPARE(parsed->canonical(), input);
}

void tst_AuthzStore::subjectIdParseWritable()
{
    const Result<SubjectId> system = SubjectId::parseWritable(u"system:config"_s);
    QVERIFY(!system);
    QCOMPARE(system.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(system.error().message.startsWith(u"system subjects cannot be"_s),
             qPrintable(system.error().message));
    const Result<SubjectId> user = SubjectId::parseWritable(u"user:abc"_s);
    QVERIFY2(user, qPrintable(why(user)));
    QVERIFY(user->isUser());
    QVERIFY(!SubjectId::parseWritable(u"service_account:a/b"_s));
    QVERIFY(SubjectId::isValidServiceAccountId(u"a.b_c-D9"_s));
    QVERIFY(!SubjectId::isValidServiceAccountId(QString()));
}

void tst_AuthzStore::toJsonShapes()
{
    Relationship relationship = tuple(u"user:alice"_s, u"admin"_s, u"app"_s, u"github"_s);
    QCOMPARE(
        relationship.toJson(),
        (QJsonObject{{u"subject"_s, QJsonObject{{u"type"_s, u"user"_s}, {u"id"_s, u"alice"_s}}},
                     {u"relation"_s, u"admin"_s},
                     {u"resource"_s, QJsonObject{{u"type"_s, u"app"_s}, {u"id"_s, u"github"_s}}},
                     {u"managed"_s, false}}));
    AuthzModel model{u"m1"_s, 3, QJsonObject{{u"types"_s, QJsonObject()}}, kBase, true};
    QCOMPARE(model.toJson(),
             (QJsonObject{{u"id"_s, u"m1"_s},
                          {u"version"_s, 3},
                          {u"createdAt"_s, u"2026-01-01T00:00:00.123Z"_s}}));
    QCOMPARE(model.toJson(true).value(u"definition"_s).toObject(), model.definition);

    ManagedSubject subject;
    subject.id = u"bot"_s;
    subject.displayName = u"Bot"_s;
    subject.createdAt = kBase;
    subject.updatedAt = kBase.addMSecs(1);
    QCOMPARE(subject.toJson(),
             (QJsonObject{{u"id"_s, u"service_account:bot"_s},
                          {u"subjectId"_s, u"service_account:bot"_s},
                          {u"kind"_s, u"service_account"_s},
                          {u"displayName"_s, u"Bot"_s},
                          {u"createdAt"_s, u"2026-01-01T00:00:00.123Z"_s},
                          {u"updatedAt"_s, u"2026-01-01T00:00:00.124Z"_s}}));
    subject.description = u"releases"_s;
    subject.createdBySubjectId = u"user:alice"_s;
    subject.deletedAt = kBase.addSecs(60);
    const QJsonObject full = subject.toJson();
    QCOMPARE(full.value(u"description"_s).toString(), u"releases"_s);
    QCOMPARE(full.value(u"createdBySubjectId"_s).toString(), u"user:alice"_s);
    QCOMPARE(full.value(u"deletedAt"_s).toString(), u"2026-01-01T00:01:00.123Z"_s);
}

void tst_AuthzStore::putReplaceAndNoop()
{
    QCOMPARE(revision(), 0);
    const Relationship viewer = tuple(u"user:alice"_s, u"viewer"_s, u"app"_s, u"github"_s);
    Result<bool> put = m_relationships->put(viewer);
    QVERIFY2(put, qPrintable(why(put)));
    QVERIFY(*put);
    QCOMPARE(revision(), 1);

    m_now = kBase.addSecs(10);
    put = m_relationships->put(viewer);
    QVERIFY2(put, qPrintable(why(put)));
    QVERIFY2(!*put, "the same relation again changes nothing");
    QCOMPARE(revision(), 1);

    Relationship editor = viewer;
    editor.relation = u"editor"_s;
    put = m_relationships->put(editor);
    QVERIFY2(put, qPrintable(why(put)));
    QVERIFY(*put);
    QCOMPARE(revision(), 2);
    const Result<std::optional<Relationship>> found =
        m_relationships->find(viewer.subject, viewer.resource);
    QVERIFY2(found, qPrintable(why(found)));
    QVERIFY(found->has_value());
    QCOMPARE((*found)->relation, u"editor"_s);
    QCOMPARE((*found)->createdAt, kBase);
    QCOMPARE((*found)->updatedAt, kBase.addSecs(10));

    const Result<RelationshipPage> all = m_relationships->list({}, 100, QString());
    QVERIFY2(all, qPrintable(why(all)));
    QCOMPARE(describe(all->relationships), QStringList{u"app:github user:alice editor"_s});
}

void tst_AuthzStore::putValidates()
{
    Relationship relationship = tuple(u"user:alice"_s, QString(), u"app"_s, u"github"_s);
    Result<bool> put = m_relationships->put(relationship);
    QVERIFY(!put);
    QCOMPARE(put.error().code, ErrorCode::InvalidArgument);
    relationship.relation = u"viewer"_s;
    relationship.resource.id.clear();
    put = m_relationships->put(relationship);
    QVERIFY(!put);
    QCOMPARE(put.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(revision(), 0);
}

void tst_AuthzStore::remove()
{
    QCOMPARE(putAll(kFixture.mid(0, 3)), QString());
    QCOMPARE(revision(), 3);
    const Relationship &bob = kFixture.at(0);
    Result<bool> removed = m_relationships->remove(bob.subject, bob.resource);
    QVERIFY2(removed, qPrintable(why(removed)));
    QVERIFY(*removed);
    QCOMPARE(revision(), 4);
    removed = m_relationships->remove(bob.subject, bob.resource);
    QVERIFY2(removed, qPrintable(why(removed)));
    QVERIFY(!*removed);
    QCOMPARE(revision(), 4);
    const Result<std::optional<Relationship>> found =
        m_relationships->find(bob.subject, bob.resource);
    QVERIFY2(found, qPrintable(why(found)));
    QVERIFY(!found->has_value());
    const Result<RelationshipPage> rest = m_relationships->list({}, 100, QString());
    QVERIFY2(rest, qPrintable(why(rest)));
    QCOMPARE(rest->relationships.size(), 2);
}

void tst_AuthzStore::removeAllInvolving()
{
    QCOMPARE(putAll(kFixture), QString());
    const qint64 before = revision();
    // The service account holds editor on app:github; alice is admin of the service account.
    const SubjectId bot{u"service_account"_s, u"bot"_s};
    const ResourceRef botResource{u"managed_subject"_s, u"service_account:bot"_s};
    Result<int> removed = m_relationships->removeAllInvolving(bot, botResource);
    QVERIFY2(removed, qPrintable(why(removed)));
    QCOMPARE(*removed, 2);
    QCOMPARE(revision(), before + 1);
    removed = m_relationships->removeAllInvolving(bot, botResource);
    QVERIFY2(removed, qPrintable(why(removed)));
    QCOMPARE(*removed, 0);
    QCOMPARE(revision(), before + 1);
    const Result<RelationshipPage> rest = m_relationships->list({}, 100, QString());
    QVERIFY2(rest, qPrintable(why(rest)));
    QCOMPARE(rest->relationships.size(), kFixture.size() - 2);
    for (const Relationship &relationship : rest->relationships) {
        QVERIFY(relationship.subject != bot);
        QVERIFY(relationship.resource != botResource);
    }
}

void tst_AuthzStore::find()
{
    QCOMPARE(putAll(kFixture), QString());
    const Relationship &managed = kFixture.at(6);
    const Result<std::optional<Relationship>> found =
        m_relationships->find(managed.subject, managed.resource);
    QVERIFY2(found, qPrintable(why(found)));
    QVERIFY(found->has_value());
    QCOMPARE((*found)->subject, managed.subject);
    QCOMPARE((*found)->resource, managed.resource);
    QCOMPARE((*found)->relation, u"viewer"_s);
    QVERIFY((*found)->managed);
    QCOMPARE((*found)->createdAt, kBase);
    QCOMPARE((*found)->createdAt.timeSpec(), Qt::UTC);

    // Same subject, other resource; same resource, other subject: nothing.
    const Result<std::optional<Relationship>> none =
        m_relationships->find(managed.subject, {u"app"_s, u"github"_s});
    QVERIFY2(none, qPrintable(why(none)));
    QVERIFY(!none->has_value());
    const Result<std::optional<Relationship>> other =
        m_relationships->find({u"user"_s, u"zed"_s}, managed.resource);
    QVERIFY2(other, qPrintable(why(other)));
    QVERIFY(!other->has_value());
}

void tst_AuthzStore::listFilters_data()
{
    QTest::addColumn<RelationshipFilter>("filter");
    QTest::addColumn<QStringList>("expected");

    const QStringList all = {
        u"admin:gestalt user:carol admin"_s,
        u"admin_static:gestalt user:alice admin"_s,
        u"app:github service_account:bot editor"_s,
        u"app:github user:alice admin"_s,
        u"app:github user:bob viewer"_s,
        u"app:slack user:alice viewer"_s,
        u"app_static:github user:dave viewer"_s,
        u"managed_subject:service_account:bot user:alice admin"_s,
    };
    const auto pick = [&all](std::initializer_list<int> rows) {
        QStringList picked;
        for (const int row : rows) {
            picked.append(all.at(row));
        }
        return picked;
    };
    QTest::newRow("none") << RelationshipFilter{} << all;
    QTest::newRow("subject type") << RelationshipFilter{u"service_account"_s, {}, {}, {}, {}, {}}
                                  << pick({2});
    QTest::newRow("subject") << RelationshipFilter{u"user"_s, u"alice"_s, {}, {}, {}, {}}
                             << pick({1, 3, 5, 7});
    QTest::newRow("subject id alone")
        << RelationshipFilter{{}, u"alice"_s, {}, {}, {}, {}} << pick({1, 3, 5, 7});
    QTest::newRow("relation") << RelationshipFilter{{}, {}, u"viewer"_s, {}, {}, {}}
                              << pick({4, 5, 6});
    QTest::newRow("resource type")
        << RelationshipFilter{{}, {}, {}, u"app"_s, {}, {}} << pick({2, 3, 4, 5});
    QTest::newRow("resource") << RelationshipFilter{{}, {}, {}, u"app"_s, u"github"_s, {}}
                              << pick({2, 3, 4});
    QTest::newRow("resource id alone")
        << RelationshipFilter{{}, {}, {}, {}, u"gestalt"_s, {}} << pick({0, 1});
    QTest::newRow("managed") << RelationshipFilter{{}, {}, {}, {}, {}, true} << pick({1, 6});
    QTest::newRow("not managed") << RelationshipFilter{{}, {}, {}, {}, {}, false}
                                 << pick({0, 2, 3, 4, 5, 7});
    QTest::newRow("combined")
        << RelationshipFilter{u"user"_s, u"alice"_s, u"admin"_s, {}, {}, false} << pick({3, 7});
    QTest::newRow("no match") << RelationshipFilter{u"user"_s, u"nobody"_s, {}, {}, {}, {}}
                              << QStringList();
}

void tst_AuthzStore::listFilters()
{
    QFETCH(RelationshipFilter, filter);
    QFETCH(QStringList, expected);
    QCOMPARE(putAll(kFixture), QString());
    const Result<RelationshipPage> page = m_relationships->list(filter, 100, QString());
    QVERIFY2(page, qPrintable(why(page)));
    QCOMPARE(describe(page->relationships), expected);
    QVERIFY(page->nextPageToken.isEmpty());
}

void tst_AuthzStore::listPaging_data()
{
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<RelationshipFilter>("filter");
    QTest::addColumn<int>("pages");

    QTest::newRow("size 1") << 1 << RelationshipFilter{} << 8;
    QTest::newRow("size 2") << 2 << RelationshipFilter{} << 4;
    QTest::newRow("size 3") << 3 << RelationshipFilter{} << 3;
    QTest::newRow("size 0 is clamped to 1") << 0 << RelationshipFilter{} << 8;
    QTest::newRow("size 1000 is clamped to 500") << 1000 << RelationshipFilter{} << 1;
    QTest::newRow("size 1 with a filter")
        << 1 << RelationshipFilter{u"user"_s, u"alice"_s, {}, {}, {}, {}} << 4;
    QTest::newRow("size 2 with a filter")
        << 2 << RelationshipFilter{{}, {}, {}, {}, {}, false} << 3;
}

void tst_AuthzStore::listPaging()
{
    QFETCH(int, pageSize);
    QFETCH(RelationshipFilter, filter);
    QFETCH(int, pages);
    QCOMPARE(putAll(kFixture), QString());
    const Result<RelationshipPage> whole = m_relationships->list(filter, 500, QString());
    QVERIFY2(whole, qPrintable(why(whole)));

    QStringList collected;
    QString token;
    int seen = 0;
    do {
        const Result<RelationshipPage> page = m_relationships->list(filter, pageSize, token);
        QVERIFY2(page, qPrintable(why(page)));
        QVERIFY(!page->relationships.isEmpty());
        QVERIFY(page->relationships.size() <= std::max(pageSize, 1));
        collected += describe(page->relationships);
        token = page->nextPageToken;
        QVERIFY(++seen <= pages);
    } while (!token.isEmpty());
    QCOMPARE(seen, pages);
    QCOMPARE(collected, describe(whole->relationships));
}

void tst_AuthzStore::listBadPageToken_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("forModels");

    QTest::newRow("not base64url") << u"not a token!"_s << false;
    QTest::newRow("padded base64") << u"WyJhIl0="_s << false;
    QTest::newRow("not json") << Crypto::base64UrlEncode("hello"_ba) << false;
    QTest::newRow("object") << Crypto::base64UrlEncode("{\"a\":1}"_ba) << false;
    QTest::newRow("three parts") << tokenOf({u"a"_s, u"b"_s, u"c"_s}) << false;
    QTest::newRow("numbers") << tokenOf({1, 2, 3, 4}) << false;
    QTest::newRow("models: text") << tokenOf({u"x"_s}) << true;
    QTest::newRow("models: zero") << tokenOf({0}) << true;
    QTest::newRow("models: fraction") << tokenOf({1.5}) << true;
    QTest::newRow("models: two parts") << tokenOf({1, 2}) << true;
    QTest::newRow("models: garbage") << u"%%%"_s << true;
}

void tst_AuthzStore::listBadPageToken()
{
    QFETCH(QString, token);
    QFETCH(bool, forModels);
    const Error error = forModels ? m_relationships->listModels(10, token).error()
                                  : m_relationships->list({}, 10, token).error();
    QCOMPARE(error.code, ErrorCode::InvalidArgument);
    QCOMPARE(error.message, u"invalid pageToken"_s);
}

void tst_AuthzStore::loadDynamicExcludesManaged()
{
    QCOMPARE(putAll(kFixture), QString());
    const Result<QList<Relationship>> dynamic = m_relationships->loadDynamic();
    QVERIFY2(dynamic, qPrintable(why(dynamic)));
    QCOMPARE(dynamic->size(), 6);
    for (const Relationship &relationship : *dynamic) {
        QVERIFY2(!relationship.managed, qPrintable(describe(relationship)));
    }
}

void tst_AuthzStore::syncManaged()
{
    const Relationship a = tuple(u"user:a"_s, u"viewer"_s, u"app_static"_s, u"github"_s, true);
    const Relationship b = tuple(u"user:b"_s, u"admin"_s, u"admin_static"_s, u"gestalt"_s, true);
    const Relationship c = tuple(u"user:c"_s, u"editor"_s, u"app_static"_s, u"slack"_s, true);
    const RelationshipFilter managedOnly{{}, {}, {}, {}, {}, true};
    const auto managedNow = [&]() -> QStringList {
        const Result<RelationshipPage> page = m_relationships->list(managedOnly, 500, QString());
        return page ? describe(page->relationships) : QStringList{why(page)};
    };

    QCOMPARE(why(m_relationships->syncManaged({a, b})), QString());
    QCOMPARE(revision(), 1);
    QCOMPARE(managedNow(), describe({b, a}));

    // Unchanged: no write, no bump (every replica does this every start).
    QCOMPARE(why(m_relationships->syncManaged({b, a, a})), QString());
    QCOMPARE(revision(), 1);

    // a goes, c comes, b changes relation: one bump for the lot.
    Relationship bViewer = b;
    bViewer.relation = u"viewer"_s;
    QCOMPARE(why(m_relationships->syncManaged({bViewer, c})), QString());
    QCOMPARE(revision(), 2);
    QCOMPARE(managedNow(), describe({bViewer, c}));

    QCOMPARE(why(m_relationships->syncManaged({})), QString());
    QCOMPARE(revision(), 3);
    QCOMPARE(managedNow(), QStringList());
    QCOMPARE(why(m_relationships->syncManaged({})), QString());
    QCOMPARE(revision(), 3);
}

void tst_AuthzStore::syncManagedNeverTouchesDynamic()
{
    const QList<Relationship> dynamic = kFixture.mid(0, 6);
    QCOMPARE(putAll(dynamic), QString());
    const qint64 before = revision();
    const Result<QList<Relationship>> original = m_relationships->loadDynamic();
    QVERIFY2(original, qPrintable(why(original)));

    // A desired managed tuple on a (subject, resource) a dynamic one holds is skipped, not
    // written over; the other one goes in.
    Relationship clash = kFixture.at(0);
    clash.relation = u"admin"_s;
    clash.managed = true;
    const Relationship fresh =
        tuple(u"user:dave"_s, u"viewer"_s, u"app_static"_s, u"github"_s, true);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"skipped: a dynamic one exists"_s));
    QCOMPARE(why(m_relationships->syncManaged({clash, fresh})), QString());
    QCOMPARE(revision(), before + 1);
    QCOMPARE(why(m_relationships->syncManaged({})), QString());
    QCOMPARE(revision(), before + 2);

    const Result<QList<Relationship>> after = m_relationships->loadDynamic();
    QVERIFY2(after, qPrintable(why(after)));
    QCOMPARE(describe(*after), describe(*original));
    QCOMPARE(m_relationships->list({}, 500, QString())->relationships.size(), dynamic.size());
}

void tst_AuthzStore::syncManagedRefusesTwoRelations()
{
    const Relationship viewer = tuple(u"user:a"_s, u"viewer"_s, u"app_static"_s, u"github"_s, true);
    Relationship admin = viewer;
    admin.relation = u"admin"_s;
    const Result<void> synced = m_relationships->syncManaged({viewer, admin});
    QVERIFY(!synced);
    QCOMPARE(synced.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(revision(), 0);
}

void tst_AuthzStore::concurrentWritersKeepEveryBump()
{
    // Two replicas (own Database each) write at once; every change must bump exactly once.
    constexpr int kReplicas = 2;
    constexpr int kWrites = 15;
    QMutex mutex;
    QStringList errors;
    std::vector<std::unique_ptr<QThread>> threads;
    for (int replica = 0; replica < kReplicas; ++replica) {
        threads.emplace_back(QThread::create([&, replica] {
            const auto fail = [&](const QString &message) {
                const QMutexLocker locker(&mutex);
                errors.append(message);
            };
            Result<std::unique_ptr<Database>> database = Database::open(m_settings);
            if (!database) {
                return fail(database.error().message);
            }
            RelationshipRepository repository(**database, systemClock());
            for (int i = 0; i < kWrites; ++i) {
                const Result<bool> put = repository.put(
                    tuple(u"user:r%1"_s.arg(replica), u"viewer"_s, u"app"_s, u"app%1"_s.arg(i)));
                if (!put || !*put) {
                    return fail(put ? u"no change"_s : put.error().message);
                }
            }
        }));
    }
    for (const std::unique_ptr<QThread> &thread : threads) {
        thread->start();
    }
    for (const std::unique_ptr<QThread> &thread : threads) {
        QVERIFY(thread->wait(60000));
    }
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u"; "_s)));
    QCOMPARE(revision(), kReplicas * kWrites);
}

void tst_AuthzStore::modelsActivate()
{
    const QJsonObject first{{u"types"_s, QJsonObject{{u"app"_s, QJsonArray{u"admin"_s}}}}};
    const QJsonObject second{{u"types"_s, QJsonObject{{u"app"_s, QJsonArray{u"viewer"_s}}}}};
    const Result<std::optional<AuthzModel>> none = m_relationships->activeModel();
    QVERIFY2(none, qPrintable(why(none)));
    QVERIFY(!none->has_value());

    Result<AuthzModel> m1 = m_relationships->activateModel(u"m1"_s, first);
    QVERIFY2(m1, qPrintable(why(m1)));
    QCOMPARE(m1->version, 1);
    QVERIFY(m1->active);
    QCOMPARE(m1->definition, first);
    QCOMPARE(m1->createdAt, kBase);

    m_now = kBase.addSecs(5);
    m1 = m_relationships->activateModel(u"m1"_s, first);
    QVERIFY2(m1, qPrintable(why(m1)));
    QCOMPARE(m1->version, 1);
    QCOMPARE(m1->createdAt, kBase);

    const Result<AuthzModel> m2 = m_relationships->activateModel(u"m2"_s, second);
    QVERIFY2(m2, qPrintable(why(m2)));
    QCOMPARE(m2->version, 2);
    QVERIFY(m2->active);
    Result<std::optional<AuthzModel>> active = m_relationships->activeModel();
    QVERIFY2(active, qPrintable(why(active)));
    QVERIFY(active->has_value());
    QCOMPARE((*active)->id, u"m2"_s);
    QCOMPARE((*active)->definition, second);

    Result<AuthzModelPage> page = m_relationships->listModels(10, QString());
    QVERIFY2(page, qPrintable(why(page)));
    QCOMPARE(page->models.size(), 2);
    QCOMPARE(page->models.at(0).id, u"m2"_s);
    QVERIFY(page->models.at(0).active);
    QCOMPARE(page->models.at(1).id, u"m1"_s);
    QVERIFY(!page->models.at(1).active);

    // Going back to an old model keeps its version and makes it the active one again.
    m1 = m_relationships->activateModel(u"m1"_s, first);
    QVERIFY2(m1, qPrintable(why(m1)));
    QCOMPARE(m1->version, 1);
    active = m_relationships->activeModel();
    QVERIFY2(active, qPrintable(why(active)));
    QCOMPARE((*active)->id, u"m1"_s);
    page = m_relationships->listModels(10, QString());
    QVERIFY2(page, qPrintable(why(page)));
    QVERIFY(!page->models.at(0).active);
    // Models do not touch the relationship revision.
    QCOMPARE(revision(), 0);
}

void tst_AuthzStore::listModelsPaging()
{
    for (int i = 1; i <= 5; ++i) {
        const Result<AuthzModel> model =
            m_relationships->activateModel(u"model-%1"_s.arg(i), QJsonObject());
        QVERIFY2(model, qPrintable(why(model)));
        QCOMPARE(model->version, i);
    }
    QList<QList<int>> pages;
    QString token;
    do {
        const Result<AuthzModelPage> page = m_relationships->listModels(2, token);
        QVERIFY2(page, qPrintable(why(page)));
        QList<int> versions;
        for (const AuthzModel &model : page->models) {
            versions.append(model.version);
        }
        pages.append(versions);
        token = page->nextPageToken;
        QVERIFY(pages.size() <= 3);
    } while (!token.isEmpty());
    QCOMPARE(pages, (QList<QList<int>>{{5, 4}, {3, 2}, {1}}));

    const Result<AuthzModelPage> one = m_relationships->listModels(0, QString());
    QVERIFY2(one, qPrintable(why(one)));
    QCOMPARE(one->models.size(), 1);
    QVERIFY(!one->nextPageToken.isEmpty());
}

void tst_AuthzStore::snapshotReload()
{
    QCOMPARE(putAll(kFixture), QString());
    AuthzSnapshot snapshot(*m_relationships);
    QCOMPARE(snapshot.revision(), -1);
    QSignalSpy reloaded(&snapshot, &AuthzSnapshot::reloaded);
    const Result<void> loaded = snapshot.reload();
    QVERIFY2(loaded, qPrintable(why(loaded)));
    QCOMPARE(snapshot.revision(), revision());
    QCOMPARE(reloaded.size(), 1);
    QCOMPARE(reloaded.at(0).at(0).toLongLong(), revision());

    const ResourceRef github{u"app"_s, u"github"_s};
    QCOMPARE(snapshot.relation(u"user:alice"_s, github), std::optional<QString>(u"admin"_s));
    QCOMPARE(snapshot.relation(u"user:bob"_s, github), std::optional<QString>(u"viewer"_s));
    QCOMPARE(snapshot.relation(u"user:zed"_s, github), std::nullopt);
    QCOMPARE(snapshot.relation(u"user:alice"_s, {u"app"_s, u"nope"_s}), std::nullopt);
    // Managed tuples are not in the snapshot.
    QCOMPARE(snapshot.relation(u"user:dave"_s, {u"app_static"_s, u"github"_s}), std::nullopt);

    QCOMPARE(describe(snapshot.onResource(github)),
             (QStringList{u"app:github service_account:bot editor"_s,
                          u"app:github user:alice admin"_s,
                          u"app:github user:bob viewer"_s}));
    QVERIFY(snapshot.onResource({u"app"_s, u"nope"_s}).isEmpty());
    QCOMPARE(describe(snapshot.ofSubject(u"user:alice"_s)),
             (QStringList{u"app:github user:alice admin"_s,
                          u"app:slack user:alice viewer"_s,
                          u"managed_subject:service_account:bot user:alice admin"_s}));
    QVERIFY(snapshot.ofSubject(u"user:dave"_s).isEmpty());

    // A local write, then reload(): the snapshot follows.
    QCOMPARE(changed(m_relationships->remove({u"user"_s, u"alice"_s}, github)), QString());
    QCOMPARE(why(snapshot.reload()), QString());
    QCOMPARE(snapshot.relation(u"user:alice"_s, github), std::nullopt);
    QCOMPARE(snapshot.ofSubject(u"user:alice"_s).size(), 2);
}

void tst_AuthzStore::snapshotPollsOtherReplica()
{
    AuthzSnapshot snapshot(*m_relationships);
    QCOMPARE(why(snapshot.reload()), QString());
    QCOMPARE(snapshot.revision(), 0);
    snapshot.startPolling(kPollMs);

    // A second replica: its own Database and repository on the same datastore.
    Result<std::unique_ptr<Database>> other = Database::open(m_settings);
    QVERIFY2(other, qPrintable(why(other)));
    RelationshipRepository otherRepository(**other, systemClock());
    const ResourceRef slack{u"app"_s, u"slack"_s};
    QCOMPARE(changed(otherRepository.put(tuple(u"user:erin"_s, u"editor"_s, u"app"_s, u"slack"_s))),
             QString());

    QTRY_COMPARE_WITH_TIMEOUT(
        snapshot.relation(u"user:erin"_s, slack), std::optional<QString>(u"editor"_s), kWaitMs);
    QCOMPARE(snapshot.revision(), 1);

    QCOMPARE(changed(otherRepository.remove({u"user"_s, u"erin"_s}, slack)), QString());
    QTRY_COMPARE_WITH_TIMEOUT(snapshot.revision(), 2, kWaitMs);
    QCOMPARE(snapshot.relation(u"user:erin"_s, slack), std::nullopt);
    snapshot.stopPolling();
}

void tst_AuthzStore::snapshotFailedReloadKeepsData()
{
    const ResourceRef github{u"app"_s, u"github"_s};
    QCOMPARE(putAll({kFixture.at(0)}), QString());
    AuthzSnapshot snapshot(*m_relationships);
    QCOMPARE(why(snapshot.reload()), QString());
    QCOMPARE(snapshot.revision(), 1);

    QCOMPARE(putAll({kFixture.at(1)}), QString());
    snapshot.failNextReloadsForTesting(2);
    QSignalSpy reloaded(&snapshot, &AuthzSnapshot::reloaded);
    for (int i = 0; i < 2; ++i) {
        const Result<void> failed = snapshot.reload();
        QVERIFY(!failed);
        QCOMPARE(snapshot.revision(), 1);
        QCOMPARE(snapshot.relation(u"user:bob"_s, github), std::optional<QString>(u"viewer"_s));
        QCOMPARE(snapshot.relation(u"user:alice"_s, github), std::nullopt);
    }
    QCOMPARE(reloaded.size(), 0);
    // The count is used up: the next reload works again.
    QCOMPARE(why(snapshot.reload()), QString());
    QCOMPARE(snapshot.revision(), 2);
    QCOMPARE(snapshot.relation(u"user:alice"_s, github), std::optional<QString>(u"admin"_s));
}

void tst_AuthzStore::managedSubjectCreate()
{
    ManagedSubject input;
    input.id = u"release-bot"_s;
    input.description = u"ships releases"_s;
    input.createdBySubjectId = u"user:alice"_s;
    const Result<ManagedSubject> created = m_subjects->create(input);
    QVERIFY2(created, qPrintable(why(created)));
    QCOMPARE(created->displayName, u"release-bot"_s);
    QCOMPARE(created->subjectId(), u"service_account:release-bot"_s);
    QCOMPARE(created->createdAt, kBase);
    QCOMPARE(created->updatedAt, kBase);
    QVERIFY(!created->deletedAt);

    const Result<std::optional<ManagedSubject>> found = m_subjects->find(u"release-bot"_s);
    QVERIFY2(found, qPrintable(why(found)));
    QVERIFY(found->has_value());
    QCOMPARE((*found)->toJson(), created->toJson());

    const Result<ManagedSubject> again = m_subjects->create(input);
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::Conflict);
    QCOMPARE(again.error().message, u"managed subject already exists"_s);

    ManagedSubject bad = input;
    bad.id = u"no/slash"_s;
    QCOMPARE(m_subjects->create(bad).error().code, ErrorCode::InvalidArgument);
    bad.id = u"ok"_s;
    bad.kind = u"user"_s;
    QCOMPARE(m_subjects->create(bad).error().code, ErrorCode::InvalidArgument);
}

void tst_AuthzStore::managedSubjectSoftDelete()
{
    ManagedSubject input;
    input.id = u"bot"_s;
    QCOMPARE(why(m_subjects->create(input)), QString());
    m_now = kBase.addSecs(30);
    Result<bool> deleted = m_subjects->softDelete(u"bot"_s);
    QVERIFY2(deleted, qPrintable(why(deleted)));
    QVERIFY(*deleted);
    deleted = m_subjects->softDelete(u"bot"_s);
    QVERIFY2(deleted, qPrintable(why(deleted)));
    QVERIFY(!*deleted);
    deleted = m_subjects->softDelete(u"never-was"_s);
    QVERIFY2(deleted, qPrintable(why(deleted)));
    QVERIFY(!*deleted);

    const Result<std::optional<ManagedSubject>> found = m_subjects->find(u"bot"_s);
    QVERIFY2(found, qPrintable(why(found)));
    QVERIFY(!found->has_value());
    // Ids are never reused.
    const Result<ManagedSubject> again = m_subjects->create(input);
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::Conflict);
    const Result<QList<ManagedSubject>> listed = m_subjects->list();
    QVERIFY2(listed, qPrintable(why(listed)));
    QVERIFY(listed->isEmpty());
}

void tst_AuthzStore::managedSubjectList()
{
    for (const QString &id : {u"zeta"_s, u"Alpha"_s, u"beta"_s, u"gone"_s, u"Zulu"_s}) {
        ManagedSubject subject;
        subject.id = id;
        QCOMPARE(why(m_subjects->create(subject)), QString());
    }
    QCOMPARE(changed(m_subjects->softDelete(u"gone"_s)), QString());
    const auto ids = [](const QList<ManagedSubject> &subjects) {
        QStringList list;
        for (const ManagedSubject &subject : subjects) {
            list.append(subject.id);
        }
        return list;
    };
    Result<QList<ManagedSubject>> listed = m_subjects->list();
    QVERIFY2(listed, qPrintable(why(listed)));
    // Bytewise order on both backends, whatever the PostgreSQL server's locale.
    QCOMPARE(ids(*listed), (QStringList{u"Alpha"_s, u"Zulu"_s, u"beta"_s, u"zeta"_s}));
    listed =
        m_subjects->list(QStringList{u"zeta"_s, u"gone"_s, u"beta"_s, u"missing"_s, u"zeta"_s});
    QVERIFY2(listed, qPrintable(why(listed)));
    QCOMPARE(ids(*listed), (QStringList{u"beta"_s, u"zeta"_s}));
    listed = m_subjects->list(QStringList());
    QVERIFY2(listed, qPrintable(why(listed)));
    QVERIFY(listed->isEmpty());
}

void tst_AuthzStore::managedSubjectUpdate()
{
    ManagedSubject input;
    input.id = u"bot"_s;
    input.displayName = u"Bot"_s;
    input.description = u"first"_s;
    QCOMPARE(why(m_subjects->create(input)), QString());

    m_now = kBase.addSecs(60);
    Result<ManagedSubject> updated = m_subjects->update(u"bot"_s, u"Release Bot"_s, std::nullopt);
    QVERIFY2(updated, qPrintable(why(updated)));
    QCOMPARE(updated->displayName, u"Release Bot"_s);
    QCOMPARE(updated->description, u"first"_s);
    QCOMPARE(updated->createdAt, kBase);
    QCOMPARE(updated->updatedAt, kBase.addSecs(60));

    updated = m_subjects->update(u"bot"_s, std::nullopt, QString());
    QVERIFY2(updated, qPrintable(why(updated)));
    QCOMPARE(updated->displayName, u"Release Bot"_s);
    QVERIFY(updated->description.isEmpty());
    QVERIFY(!updated->toJson().contains(u"description"_s));

    const Result<std::optional<ManagedSubject>> found = m_subjects->find(u"bot"_s);
    QVERIFY2(found, qPrintable(why(found)));
    QCOMPARE((*found)->toJson(), updated->toJson());

    Result<ManagedSubject> missing = m_subjects->update(u"nobody"_s, u"x"_s, std::nullopt);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    QCOMPARE(changed(m_subjects->softDelete(u"bot"_s)), QString());
    missing = m_subjects->update(u"bot"_s, u"x"_s, std::nullopt);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
}

QTEST_GUILESS_MAIN(tst_AuthzStore)
#include "tst_authzstore.moc"
