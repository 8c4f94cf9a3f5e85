// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// JWKS parsing and RS256/ES256 verification against keys made here with OpenSSL: valid tokens,
// tampering, wrong keys, algorithm confusion, unknown kids, and keys that must be skipped.
#include "crypto/Base64.h"
#include "crypto/Hash.h"
#include "crypto/Jwks.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <memory>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

using namespace Gestalt;
using namespace Gestalt::Crypto;
using namespace Qt::StringLiterals;

namespace {

QByteArray bnParam(EVP_PKEY *key, const char *name, int padTo = 0)
{
    BIGNUM *bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
        return {};
    }
    const int size = std::max(padTo, BN_num_bytes(bn));
    QByteArray out(size, Qt::Uninitialized);
    BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(out.data()), size);
    BN_free(bn);
    return out;
}

// A key pair made for the test, with its public JWK and a JWS signer.
class TestKey
{
public:
    static TestKey rsa(int bits)
    {
        return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)),
                       false);
    }
    static TestKey p256()
    {
        return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), true);
    }

    [[nodiscard]] bool isValid() const { return m_key != nullptr; }
    [[nodiscard]] QString alg() const { return m_ec ? u"ES256"_s : u"RS256"_s; }

    [[nodiscard]] QJsonObject jwk(const QString &kid) const
    {
        QJsonObject jwk{{u"kid"_s, kid}, {u"use"_s, u"sig"_s}};
        if (m_ec) {
            jwk.insert(u"kty"_s, u"EC"_s);
            jwk.insert(u"crv"_s, u"P-256"_s);
            jwk.insert(u"x"_s, base64UrlEncode(bnParam(m_key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)));
            jwk.insert(u"y"_s, base64UrlEncode(bnParam(m_key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)));
        } else {
            jwk.insert(u"kty"_s, u"RSA"_s);
            jwk.insert(u"n"_s, base64UrlEncode(bnParam(m_key.get(), OSSL_PKEY_PARAM_RSA_N)));
            jwk.insert(u"e"_s, base64UrlEncode(bnParam(m_key.get(), OSSL_PKEY_PARAM_RSA_E)));
        }
        return jwk;
    }

    // A compact JWS over exactly these header and claims.
    [[nodiscard]] QString sign(const QJsonObject &header, const QJsonObject &claims) const
    {
        const QString input =
            base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + u'.'
            + base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
        return input + u'.' + base64UrlEncode(signature(input.toLatin1()));
    }
    [[nodiscard]] QString sign(const QString &kid, const QJsonObject &claims) const
    {
        return sign(QJsonObject{{u"alg"_s, alg()}, {u"typ"_s, u"JWT"_s}, {u"kid"_s, kid}}, claims);
    }

    // RS256: PKCS#1 v1.5 bytes. ES256: r||s as JWS wants (derForm: the DER OpenSSL makes).
    [[nodiscard]] QByteArray signature(const QByteArray &input, bool derForm = false) const
    {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        size_t length = 0;
        EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, m_key.get());
        const auto *data = reinterpret_cast<const unsigned char *>(input.constData());
        EVP_DigestSign(ctx, nullptr, &length, data, static_cast<size_t>(input.size()));
        QByteArray out(static_cast<qsizetype>(length), Qt::Uninitialized);
        EVP_DigestSign(ctx,
                       reinterpret_cast<unsigned char *>(out.data()),
                       &length,
                       data,
                       static_cast<size_t>(input.size()));
        EVP_MD_CTX_free(ctx);
        out.resize(static_cast<qsizetype>(length));
        if (!m_ec || derForm) {
            return out;
        }
        const auto *der = reinterpret_cast<const unsigned char *>(out.constData());
        ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(out.size()));
        QByteArray raw(64, Qt::Uninitialized);
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char *>(raw.data()), 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char *>(raw.data()) + 32, 32);
        ECDSA_SIG_free(sig);
        return raw;
    }

private:
    TestKey(EVP_PKEY *key, bool ec)
        : m_key(key, EVP_PKEY_free)
        , m_ec(ec)
    {}
    std::shared_ptr<EVP_PKEY> m_key;
    bool m_ec;
};

QByteArray keySet(const QList<QJsonObject> &keys)
{
    QJsonArray array;
    for (const QJsonObject &key : keys) {
        array.append(key);
    }
    return QJsonDocument(QJsonObject{{u"keys"_s, array}}).toJson(QJsonDocument::Compact);
}

const QJsonObject kClaims{
    {u"iss"_s, u"https://idp.test"_s}, {u"sub"_s, u"alice"_s}, {u"exp"_s, 1'800'000'000}};

QString replacePart(const QString &token, int index, const QString &part)
{
    QStringList parts = token.split(u'.');
    parts[index] = part;
    return parts.join(u'.');
}

} // namespace

class tst_Jwks final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void validTokensVerify_data();
    void validTokensVerify();
    void badTokensAreInvalid_data();
    void badTokensAreInvalid();
    void unknownKidIsNotFound();
    void keysWithoutKidAreFoundByAlgorithm();
    void unusableKeysAreSkipped_data();
    void unusableKeysAreSkipped();
    void notAKeySetIsAnError_data();
    void notAKeySetIsAnError();
    void peekReadsWithoutVerifying();

private:
    [[nodiscard]] Jwks standardSet() const;

    std::optional<TestKey> m_rsa;
    std::optional<TestKey> m_otherRsa;
    std::optional<TestKey> m_ec;
    std::optional<TestKey> m_otherEc;
};

void tst_Jwks::initTestCase()
{
    m_rsa = TestKey::rsa(2048);
    m_otherRsa = TestKey::rsa(2048);
    m_ec = TestKey::p256();
    m_otherEc = TestKey::p256();
    QVERIFY(m_rsa->isValid() && m_otherRsa->isValid() && m_ec->isValid() && m_otherEc->isValid());
}

Jwks tst_Jwks::standardSet() const
{
    Result<Jwks> keys = Jwks::parse(keySet({m_rsa->jwk(u"rsa-1"_s), m_ec->jwk(u"ec-1"_s)}));
    return keys ? *keys : Jwks();
}

void tst_Jwks::validTokensVerify_data()
{
    QTest::addColumn<bool>("ec");
    QTest::newRow("RS256") << false;
    QTest::newRow("ES256") << true;
}

void tst_Jwks::validTokensVerify()
{
    QFETCH(bool, ec);
    const Jwks keys = standardSet();
    QCOMPARE(keys.size(), 2);
    const TestKey &key = ec ? *m_ec : *m_rsa;
    const QString kid = ec ? u"ec-1"_s : u"rsa-1"_s;
    const Result<VerifiedJwt> verified = verifyJws(key.sign(kid, kClaims), keys);
    QVERIFY2(verified, verified ? "" : qPrintable(verified.error().message));
    QCOMPARE(verified->claims, kClaims);
    QCOMPARE(verified->header.value(u"kid"_s).toString(), kid);
    QCOMPARE(keys.find(kid, key.alg())->keyType(), ec ? u"EC"_s : u"RSA"_s);
}

void tst_Jwks::badTokensAreInvalid_data()
{
    QTest::addColumn<QString>("token");
    const QString rsaToken = m_rsa->sign(u"rsa-1"_s, kClaims);
    const QString ecToken = m_ec->sign(u"ec-1"_s, kClaims);
    const QJsonObject otherClaims{{u"sub"_s, u"mallory"_s}, {u"exp"_s, 1'800'000'000}};
    const QString otherPayload =
        base64UrlEncode(QJsonDocument(otherClaims).toJson(QJsonDocument::Compact));

    QTest::newRow("RS256 tampered payload") << replacePart(rsaToken, 1, otherPayload);
    QTest::newRow("ES256 tampered payload") << replacePart(ecToken, 1, otherPayload);
    QByteArray signature = *base64UrlDecode(rsaToken.section(u'.', 2));
    signature[10] = static_cast<char>(signature.at(10) ^ 0x01);
    QTest::newRow("RS256 tampered signature")
        << replacePart(rsaToken, 2, base64UrlEncode(signature));
    signature = *base64UrlDecode(ecToken.section(u'.', 2));
    signature[40] = static_cast<char>(signature.at(40) ^ 0x01);
    QTest::newRow("ES256 tampered signature")
        << replacePart(ecToken, 2, base64UrlEncode(signature));
    QTest::newRow("RS256 other key, same kid") << m_otherRsa->sign(u"rsa-1"_s, kClaims);
    QTest::newRow("ES256 other key, same kid") << m_otherEc->sign(u"ec-1"_s, kClaims);
    const QString input = ecToken.section(u'.', 0, 1);
    QTest::newRow("ES256 DER signature")
        << input + u'.' + base64UrlEncode(m_ec->signature(input.toLatin1(), true));
    QTest::newRow("ES256 short signature")
        << input + u'.' + base64UrlEncode(m_ec->signature(input.toLatin1()).first(63));

    const QByteArray claimsJson = QJsonDocument(kClaims).toJson(QJsonDocument::Compact);
    QTest::newRow("alg none") << base64UrlEncode(R"({"alg":"none","kid":"rsa-1"})"_ba) + u'.'
                                     + base64UrlEncode(claimsJson) + u'.';
    // Algorithm confusion: HMAC keyed with the public key the verifier knows.
    const QString hsInput =
        base64UrlEncode(R"({"alg":"HS256","kid":"rsa-1"})"_ba) + u'.' + base64UrlEncode(claimsJson);
    const QByteArray publicN = *base64UrlDecode(m_rsa->jwk(u"rsa-1"_s).value(u"n"_s).toString());
    QTest::newRow("HS256 keyed with the RSA key")
        << hsInput + u'.' + base64UrlEncode(hmacSha256(publicN, hsInput.toLatin1()));
    QTest::newRow("HS256 keyed with the JWK JSON")
        << hsInput + u'.'
               + base64UrlEncode(
                   hmacSha256(QJsonDocument(m_rsa->jwk(u"rsa-1"_s)).toJson(QJsonDocument::Compact),
                              hsInput.toLatin1()));
    QTest::newRow("RS384") << m_rsa->sign(
        QJsonObject{{u"alg"_s, u"RS384"_s}, {u"kid"_s, u"rsa-1"_s}}, kClaims);
    QTest::newRow("ES256 header on the RSA kid")
        << m_ec->sign(QJsonObject{{u"alg"_s, u"ES256"_s}, {u"kid"_s, u"rsa-1"_s}}, kClaims);
    QTest::newRow("crit header") << m_rsa->sign(QJsonObject{{u"alg"_s, u"RS256"_s},
                                                            {u"kid"_s, u"rsa-1"_s},
                                                            {u"crit"_s, QJsonArray{u"exp"_s}}},
                                                kClaims);
    QTest::newRow("kid not a string")
        << m_rsa->sign(QJsonObject{{u"alg"_s, u"RS256"_s}, {u"kid"_s, 1}}, kClaims);
    QTest::newRow("two parts") << rsaToken.section(u'.', 0, 1);
    QTest::newRow("four parts") << rsaToken + u".x"_s;
    QTest::newRow("padded base64") << replacePart(rsaToken, 2, rsaToken.section(u'.', 2) + u"="_s);
    QTest::newRow("empty") << QString();
    const QString arrayPayload = base64UrlEncode("[1,2]"_ba);
    const QString arrayInput = rsaToken.section(u'.', 0, 0) + u'.' + arrayPayload;
    QTest::newRow("payload not an object")
        << arrayInput + u'.' + base64UrlEncode(m_rsa->signature(arrayInput.toLatin1()));
}

void tst_Jwks::badTokensAreInvalid()
{
    QFETCH(QString, token);
    const Result<VerifiedJwt> verified = verifyJws(token, standardSet());
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, ErrorCode::Unauthenticated);
    QCOMPARE(verified.error().message, u"invalid token"_s);
}

void tst_Jwks::unknownKidIsNotFound()
{
    const Jwks keys = standardSet();
    for (const QString &kid : {u"rsa-2"_s, QString()}) {
        // Without a kid the only RSA key would be used; with two RSA keys it is ambiguous.
        const Jwks set = kid.isEmpty()
                             ? *Jwks::parse(keySet({m_rsa->jwk(u"a"_s), m_otherRsa->jwk(u"b"_s)}))
                             : keys;
        const Result<VerifiedJwt> verified = verifyJws(
            m_rsa->sign(QJsonObject{{u"alg"_s, u"RS256"_s}, {u"kid"_s, kid}}, kClaims), set);
        QVERIFY(!verified);
        QCOMPARE(verified.error().code, ErrorCode::NotFound);
        QCOMPARE(verified.error().message, u"signing key not found"_s);
    }
    const Result<VerifiedJwt> empty = verifyJws(m_ec->sign(u"ec-1"_s, kClaims), Jwks());
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, ErrorCode::NotFound);
}

void tst_Jwks::keysWithoutKidAreFoundByAlgorithm()
{
    QJsonObject rsa = m_rsa->jwk(QString());
    rsa.remove(u"kid"_s);
    QJsonObject ec = m_ec->jwk(QString());
    ec.remove(u"kid"_s);
    ec.insert(u"alg"_s, u"ES256"_s);
    const Result<Jwks> keys = Jwks::parse(keySet({rsa, ec}));
    QVERIFY(keys);
    QCOMPARE(keys->size(), 2);
    for (const TestKey *key : {&*m_rsa, &*m_ec}) {
        const QString token = key->sign(QJsonObject{{u"alg"_s, key->alg()}}, kClaims);
        const Result<VerifiedJwt> verified = verifyJws(token, *keys);
        QVERIFY2(verified, qPrintable(key->alg()));
        QCOMPARE(verified->claims.value(u"sub"_s).toString(), u"alice"_s);
    }
    QVERIFY(!keys->find(u"nope"_s, u"RS256"_s));
    QVERIFY(keys->find(QString(), u"ES256"_s));
}

void tst_Jwks::unusableKeysAreSkipped_data()
{
    QTest::addColumn<QJsonObject>("jwk");
    QTest::addColumn<bool>("usable");

    QTest::newRow("RSA 2048") << m_rsa->jwk(u"k"_s) << true;
    QTest::newRow("P-256") << m_ec->jwk(u"k"_s) << true;
    QTest::newRow("RSA 1024") << TestKey::rsa(1024).jwk(u"k"_s) << false;
    QJsonObject jwk = m_ec->jwk(u"k"_s);
    QByteArray y = *base64UrlDecode(jwk.value(u"y"_s).toString());
    y[31] = static_cast<char>(y.at(31) ^ 0x01);
    jwk.insert(u"y"_s, base64UrlEncode(y));
    QTest::newRow("EC point not on the curve") << jwk << false;
    jwk = m_ec->jwk(u"k"_s);
    jwk.insert(u"x"_s, base64UrlEncode(QByteArray(32, '\0')));
    jwk.insert(u"y"_s, base64UrlEncode(QByteArray(32, '\0')));
    QTest::newRow("EC zero point") << jwk << false;
    jwk = m_ec->jwk(u"k"_s);
    jwk.insert(u"x"_s, base64UrlEncode(base64UrlDecode(jwk.value(u"x"_s).toString())->sliced(1)));
    QTest::newRow("EC short x") << jwk << false;
    jwk = m_ec->jwk(u"k"_s);
    jwk.insert(u"crv"_s, u"P-384"_s);
    QTest::newRow("EC P-384") << jwk << false;
    jwk = m_rsa->jwk(u"k"_s);
    jwk.insert(u"use"_s, u"enc"_s);
    QTest::newRow("use enc") << jwk << false;
    jwk = m_rsa->jwk(u"k"_s);
    jwk.insert(u"key_ops"_s, QJsonArray{u"encrypt"_s});
    QTest::newRow("key_ops without verify") << jwk << false;
    jwk = m_rsa->jwk(u"k"_s);
    jwk.insert(u"key_ops"_s, QJsonArray{u"verify"_s});
    QTest::newRow("key_ops verify") << jwk << true;
    jwk = m_rsa->jwk(u"k"_s);
    jwk.insert(u"alg"_s, u"RS256"_s);
    QTest::newRow("alg RS256") << jwk << true;
    jwk.insert(u"alg"_s, u"PS256"_s);
    QTest::newRow("alg PS256") << jwk << false;
    jwk = m_rsa->jwk(u"k"_s);
    jwk.insert(u"n"_s, QString(jwk.value(u"n"_s).toString() + u"=="_s));
    QTest::newRow("padded n") << jwk << true;
    jwk.remove(u"n"_s);
    QTest::newRow("RSA without n") << jwk << false;
    jwk = m_rsa->jwk(u"k"_s);
    jwk.insert(u"e"_s, u"!!"_s);
    QTest::newRow("RSA bad e") << jwk << false;
    QTest::newRow("oct") << QJsonObject{{u"kty"_s, u"oct"_s}, {u"k"_s, u"c2VjcmV0"_s}} << false;
    QTest::newRow("no kty") << QJsonObject{{u"kid"_s, u"k"_s}} << false;
    jwk = m_rsa->jwk(u"k"_s);
    jwk.insert(u"kid"_s, 7);
    QTest::newRow("kid a number") << jwk << false;
}

void tst_Jwks::unusableKeysAreSkipped()
{
    QFETCH(QJsonObject, jwk);
    QFETCH(bool, usable);
    QCOMPARE(bool(PublicKey::fromJwk(jwk)), usable);
    const Result<Jwks> keys = Jwks::parse(keySet({jwk, m_otherRsa->jwk(u"other"_s)}));
    QVERIFY(keys);
    QCOMPARE(keys->size(), usable ? 2 : 1);
}

void tst_Jwks::notAKeySetIsAnError_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("not JSON") << "nope"_ba;
    QTest::newRow("array") << "[]"_ba;
    QTest::newRow("no keys") << "{}"_ba;
    QTest::newRow("keys not an array") << R"({"keys":{}})"_ba;
}

void tst_Jwks::notAKeySetIsAnError()
{
    QFETCH(QByteArray, json);
    const Result<Jwks> keys = Jwks::parse(json);
    QVERIFY(!keys);
    QCOMPARE(keys.error().code, ErrorCode::InvalidArgument);
    // Entries that are not objects are skipped, not fatal.
    QVERIFY(Jwks::parse(R"({"keys":[1,"x",null]})"_ba)->isEmpty());
}

void tst_Jwks::peekReadsWithoutVerifying()
{
    const QString token = m_otherRsa->sign(u"whatever"_s, kClaims);
    QCOMPARE(peekJwsHeader(token).value(u"kid"_s).toString(), u"whatever"_s);
    QCOMPARE(peekJwsClaims(token), kClaims);
    QVERIFY(peekJwsHeader(u"gst_api_0123"_s).isEmpty());
    QVERIFY(peekJwsClaims(u"a.b.c"_s).isEmpty());
}

QTEST_GUILESS_MAIN(tst_Jwks)
#include "tst_jwks.moc"
