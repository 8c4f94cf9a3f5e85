// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/Base64.h"
#include "crypto/Hash.h"
#include "crypto/Jwt.h"
#include "crypto/Random.h"
#include "crypto/SealedToken.h"
#include "crypto/Sealer.h"
#include "crypto/SecretKey.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Gestalt;
using namespace Gestalt::Crypto;
using namespace Qt::StringLiterals;

namespace {

// A fixed "now" for everything with an expiry: tests never read the clock.
QDateTime fixedNow()
{
    return QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
}

Sealer makeSealer(char fill)
{
    return Sealer(SecretKey::fromBytes(QByteArray(SecretKey::Size, fill)));
}

QByteArray flipBit(QByteArray data, qsizetype index)
{
    data[index] = static_cast<char>(data.at(index) ^ 0x01);
    return data;
}

const QByteArray kJwtKey = "jwt-test-key-0123456789abcdef0123"_ba;

// A JWS with exactly the given header and payload JSON, signed with HMAC-SHA256 over them.
QString signRaw(const QByteArray &key, const QByteArray &headerJson, const QByteArray &payloadJson)
{
    const QString signingInput = base64UrlEncode(headerJson) + u'.' + base64UrlEncode(payloadJson);
    return signingInput + u'.' + base64UrlEncode(hmacSha256(key, signingInput.toLatin1()));
}

QByteArray hs256Header()
{
    return R"({"alg":"HS256","typ":"JWT"})"_ba;
}

QByteArray payloadExpiringAt(qint64 exp)
{
    return R"({"sub":"alice","exp":)"_ba + QByteArray::number(exp) + "}"_ba;
}

} // namespace

class tst_Crypto final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    // --- SecretKey ---------------------------------------------------------------------------

    void deriveFromRawHex_data()
    {
        QTest::addColumn<QString>("encryptionKey");
        QTest::newRow("lowercase")
            << u"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"_s;
        QTest::newRow("uppercase")
            << u"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"_s;
        QTest::newRow("mixed case")
            << u"000102030405060708090a0B0c0D0e0F101112131415161718191a1B1c1D1e1F"_s;
    }
    void deriveFromRawHex()
    {
        QFETCH(QString, encryptionKey);
        const Result<SecretKey> key = SecretKey::derive(encryptionKey);
        QVERIFY(key);
        QByteArray expected;
        for (int i = 0; i < SecretKey::Size; ++i) {
            expected.append(static_cast<char>(i));
        }
        QCOMPARE(key->bytes(), expected);
    }

    // Known Argon2id vectors, computed once with the reference argon2 CLI:
    //   printf '%s' "$KEY" | argon2 gestalt-derivekey-v1 -id -t 3 -k 65536 -p 4 -l 32 -r
    void deriveFromPassphrase_data()
    {
        QTest::addColumn<QString>("encryptionKey");
        QTest::addColumn<QByteArray>("expectedHex");
        QTest::newRow("ASCII passphrase")
            << u"correct horse battery staple"_s
            << "e2411819e3dd2323e1ee98b3cd7a83de90f064cfd2b553bb1fc2647fdb601a04"_ba;
        QTest::newRow("non-ASCII passphrase is hashed as UTF-8")
            << u"Grüße 🔑"_s
            << "d1cd2b2c9b19a512ffb09938b3e8aa06fd23652b951caea0acf4e7c195c7379a"_ba;
        QTest::newRow("63 hex chars")
            << u"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"_s
            << "2577c72a1cc9f2012163ef921db8f0d160239eba0dc9d8922504307c83d91e43"_ba;
        QTest::newRow("65 hex chars")
            << u"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"_s
            << "875ab2be2a148a80d906c865ed461b5c0e987cd46bb012f71d37b96ddcd154bd"_ba;
        QTest::newRow("64 chars with a non-hex one")
            << u"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg"_s
            << "2a6567eeaccc1822780ce3d3eb755ed85e1482d609203f000b2034f70c5c165e"_ba;
    }
    void deriveFromPassphrase()
    {
        QFETCH(QString, encryptionKey);
        QFETCH(QByteArray, expectedHex);
        const Result<SecretKey> key = SecretKey::derive(encryptionKey);
        QVERIFY(key);
        QCOMPARE(key->bytes().size(), SecretKey::Size);
        QCOMPARE(key->bytes().toHex(), expectedHex);
    }

    void deriveIsDeterministic()
    {
        const Result<SecretKey> first = SecretKey::derive(u"a passphrase"_s);
        const Result<SecretKey> second = SecretKey::derive(u"a passphrase"_s);
        const Result<SecretKey> other = SecretKey::derive(u"another passphrase"_s);
        QVERIFY(first && second && other);
        QCOMPARE(first->bytes().size(), SecretKey::Size);
        QCOMPARE(first->bytes(), second->bytes());
        QVERIFY(first->bytes() != other->bytes());
    }

    void deriveRejectsEmptyKey()
    {
        const Result<SecretKey> key = SecretKey::derive(QString());
        QVERIFY(!key);
        QCOMPARE(key.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(key.error().message, u"server.encryptionKey is required"_s);
    }

    void secretKeyCopiesSurviveTheOriginal()
    {
        const QByteArray raw(SecretKey::Size, 'k');
        std::optional<SecretKey> original = SecretKey::fromBytes(QByteArray(SecretKey::Size, 'k'));
        const SecretKey copy = *original;
        SecretKey assigned = SecretKey::fromBytes(QByteArray(SecretKey::Size, 'x'));
        assigned = *original;
        original.reset(); // wipes only what no other key still uses
        QCOMPARE(copy.bytes(), raw);
        QCOMPARE(assigned.bytes(), raw);

        SecretKey moved = SecretKey::fromBytes(QByteArray(SecretKey::Size, 'y'));
        moved = SecretKey(copy);
        QCOMPARE(moved.bytes(), raw);
        QCOMPARE(copy.bytes(), raw);
    }

    // --- Hash ----------------------------------------------------------------------------------

    void sha256Hex_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("expected");
        QTest::newRow("abc")
            << "abc"_ba << u"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"_s;
        QTest::newRow("empty")
            << QByteArray()
            << u"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_s;
    }
    void sha256Hex()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, expected);
        QCOMPARE(Crypto::sha256Hex(data), expected);
        QCOMPARE(Crypto::sha256(data), QByteArray::fromHex(expected.toLatin1()));
    }

    // RFC 4231 test cases 1, 2 and 6, plus the empty key.
    void hmacSha256_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("expected");
        QTest::newRow("RFC 4231 case 1")
            << QByteArray(20, '\x0b') << "Hi There"_ba
            << u"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"_s;
        QTest::newRow("RFC 4231 case 2")
            << "Jefe"_ba
            << "what do ya want for nothing?"_ba
            << u"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"_s;
        QTest::newRow("RFC 4231 case 6: key longer than a block")
            << QByteArray(131, '\xaa')
            << "Test Using Larger Than Block-Size Key - Hash Key First"_ba
            << u"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"_s;
        QTest::newRow("empty key and data")
            << QByteArray() << QByteArray()
            << u"b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"_s;
    }
    void hmacSha256()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, data);
        QFETCH(QString, expected);
        QCOMPARE(Crypto::hmacSha256Hex(key, data), expected);
        QCOMPARE(Crypto::hmacSha256(key, data), QByteArray::fromHex(expected.toLatin1()));
    }

    void constantTimeEquals_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        QTest::newRow("identical") << "secret-token"_ba
                                   << "secret-token"_ba << true;
        QTest::newRow("first byte differs") << "secret-token"_ba
                                            << "Secret-token"_ba << false;
        QTest::newRow("last byte differs") << "secret-token"_ba
                                           << "secret-tokeN"_ba << false;
        QTest::newRow("prefix") << "secret-token"_ba
                                << "secret"_ba << false;
        QTest::newRow("longer") << "secret"_ba
                                << "secret-token"_ba << false;
        QTest::newRow("both empty") << ""_ba
                                    << ""_ba << true;
        QTest::newRow("null and empty") << QByteArray() << ""_ba << true;
        QTest::newRow("empty and non-empty") << QByteArray() << "x"_ba << false;
        QTest::newRow("embedded NUL") << "a\0b"_ba
                                      << "a\0c"_ba << false;
    }
    void constantTimeEquals()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        QCOMPARE(Crypto::constantTimeEquals(a, b), equal);
        QCOMPARE(Crypto::constantTimeEquals(b, a), equal);
    }

    // --- Random --------------------------------------------------------------------------------

    void randomValues()
    {
        QCOMPARE(randomBytes(0).size(), 0);
        QCOMPARE(randomBytes(1).size(), 1);
        QCOMPARE(randomBytes(32).size(), 32);
        QVERIFY(randomBytes(32) != randomBytes(32));

        const QString hex = randomHex(16);
        QVERIFY2(QRegularExpression(u"^[0-9a-f]{32}$"_s).match(hex).hasMatch(), qPrintable(hex));
        QVERIFY(randomHex(16) != hex);

        const QString token = randomUrlToken(32);
        QVERIFY2(QRegularExpression(u"^[A-Za-z0-9_-]{43}$"_s).match(token).hasMatch(),
                 qPrintable(token));
        QCOMPARE(base64UrlDecode(token).value_or(QByteArray()).size(), 32);
    }

    void uuidV4()
    {
        const QRegularExpression format(
            u"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s);
        QSet<QString> seen;
        for (int i = 0; i < 100; ++i) {
            const QString uuid = Crypto::uuidV4();
            QVERIFY2(format.match(uuid).hasMatch(), qPrintable(uuid));
            seen.insert(uuid);
        }
        QCOMPARE(seen.size(), 100);
    }

    // --- Base64 --------------------------------------------------------------------------------

    void base64UrlDecodeIsStrict_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::newRow("canonical") << u"_-8"_s << true;
        QTest::newRow("empty") << QString() << true;
        QTest::newRow("padding") << u"_-8="_s << false;
        QTest::newRow("standard alphabet") << u"/+8"_s << false;
        QTest::newRow("whitespace") << u"_-8 "_s << false;
        QTest::newRow("stray bits in last char") << u"_-9"_s << false;
        QTest::newRow("impossible length") << u"_-8AB"_s << false;
        QTest::newRow("non-ASCII") << u"_-ü"_s << false;
    }
    void base64UrlDecodeIsStrict()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        const std::optional<QByteArray> decoded = base64UrlDecode(text);
        QCOMPARE(decoded.has_value(), valid);
        if (valid) {
            QCOMPARE(base64UrlEncode(*decoded), text);
        }
    }

    void base64DecodeIsStrict_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::newRow("canonical") << u"/+8="_s << true;
        QTest::newRow("missing padding") << u"/+8"_s << false;
        QTest::newRow("url alphabet") << u"_-8="_s << false;
        QTest::newRow("line break") << u"/+8=\n"_s << false;
        QTest::newRow("stray bits in last char") << u"/+9="_s << false;
    }
    void base64DecodeIsStrict()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        const std::optional<QByteArray> decoded = base64Decode(text);
        QCOMPARE(decoded.has_value(), valid);
        if (valid) {
            QCOMPARE(base64Encode(*decoded), text);
        }
    }

    // --- Sealer --------------------------------------------------------------------------------

    void sealRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("plaintext");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("text") << "refresh-token-123"_ba;
        QTest::newRow("binary with NUL bytes") << "\0\x01\xff\0"_ba;
        QTest::newRow("1 MiB") << QByteArray(qsizetype{1024} * 1024, 'm');
    }
    void sealRoundTrip()
    {
        QFETCH(QByteArray, plaintext);
        const Sealer sealer = makeSealer('a');
        const QByteArray sealed = sealer.seal(plaintext);
        QCOMPARE(sealed.size(), plaintext.size() + Sealer::Overhead);
        if (!plaintext.isEmpty()) {
            QVERIFY(!sealed.contains(plaintext));
        }
        const Result<QByteArray> opened = sealer.open(sealed);
        QVERIFY(opened);
        QCOMPARE(*opened, plaintext);
    }

    void sealUsesFreshNonces()
    {
        const Sealer sealer = makeSealer('a');
        const QByteArray first = sealer.seal("same plaintext"_ba);
        const QByteArray second = sealer.seal("same plaintext"_ba);
        QVERIFY(first != second);
        QVERIFY(first.first(Sealer::NonceSize) != second.first(Sealer::NonceSize));
    }

    void openRejectsAnyTamperedByte()
    {
        const Sealer sealer = makeSealer('a');
        const QByteArray sealed = sealer.seal("secret"_ba);
        for (qsizetype i = 0; i < sealed.size(); ++i) {
            const Result<QByteArray> opened = sealer.open(flipBit(sealed, i));
            QVERIFY2(!opened, qPrintable(u"byte %1 flipped"_s.arg(i)));
            QCOMPARE(opened.error().code, ErrorCode::InvalidArgument);
            QCOMPARE(opened.error().message, u"sealed data is invalid"_s);
        }
    }

    void openRejectsMalformed_data()
    {
        const QByteArray sealed = makeSealer('a').seal("secret"_ba);
        QTest::addColumn<QByteArray>("sealed");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("one byte short of nonce and tag") << sealed.first(Sealer::Overhead - 1);
        QTest::newRow("last byte cut off") << sealed.chopped(1);
        QTest::newRow("byte appended") << sealed + "x"_ba;
        QTest::newRow("nonce and tag only")
            << sealed.first(Sealer::NonceSize) + sealed.last(Sealer::TagSize);
        QTest::newRow("all zeros") << QByteArray(64, '\0');
    }
    void openRejectsMalformed()
    {
        QFETCH(QByteArray, sealed);
        const Result<QByteArray> opened = makeSealer('a').open(sealed);
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(opened.error().message, u"sealed data is invalid"_s);
    }

    void openRejectsWrongKey()
    {
        const QByteArray sealed = makeSealer('a').seal("secret"_ba);
        const Result<QByteArray> opened = makeSealer('b').open(sealed);
        QVERIFY(!opened);
        QCOMPARE(opened.error().message, u"sealed data is invalid"_s);
    }

    void sealBindsAssociatedData()
    {
        const Sealer sealer = makeSealer('a');
        const QByteArray sealed = sealer.seal("secret"_ba, "credential:42"_ba);
        const Result<QByteArray> opened = sealer.open(sealed, "credential:42"_ba);
        QVERIFY(opened);
        QCOMPARE(*opened, "secret"_ba);
        QVERIFY(!sealer.open(sealed, "credential:43"_ba));
        QVERIFY(!sealer.open(sealed));
        QVERIFY(!sealer.open(sealer.seal("secret"_ba), "credential:42"_ba));
    }

    void base64RoundTrip_data()
    {
        QTest::addColumn<QByteArray>("plaintext");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("one byte (padded)") << "x"_ba;
        QTest::newRow("text") << "client-secret"_ba;
    }
    void base64RoundTrip()
    {
        QFETCH(QByteArray, plaintext);
        const Sealer sealer = makeSealer('a');
        const QString text = sealer.sealToBase64(plaintext);
        QCOMPARE(text.isEmpty(), plaintext.isEmpty());
        QVERIFY(base64Decode(text));
        const Result<QByteArray> opened = sealer.openBase64(text);
        QVERIFY(opened);
        QCOMPARE(*opened, plaintext);
    }

    void openBase64RejectsGarbage_data()
    {
        const Sealer sealer = makeSealer('a');
        const QString valid = sealer.sealToBase64("x"_ba); // 29 bytes: ends in one '='
        QVERIFY(valid.endsWith(u'='));
        QTest::addColumn<QString>("text");
        QTest::newRow("not base64") << u"not base64!"_s;
        QTest::newRow("valid base64, too short") << u"AAAA"_s;
        QTest::newRow("padding removed") << valid.chopped(1);
        QTest::newRow("url alphabet") << base64UrlEncode(*base64Decode(valid));
        QTest::newRow("leading space") << u" "_s + valid;
        QTest::newRow("non-ASCII") << u"ää=="_s;
        QTest::newRow("tampered") << base64Encode(flipBit(*base64Decode(valid), 15));
        QTest::newRow("other key") << makeSealer('b').sealToBase64("x"_ba);
    }
    void openBase64RejectsGarbage()
    {
        QFETCH(QString, text);
        const Result<QByteArray> opened = makeSealer('a').openBase64(text);
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(opened.error().message, u"sealed data is invalid"_s);
    }

    void urlTokenRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("plaintext");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("text") << "state=abc&next=/"_ba;
    }
    void urlTokenRoundTrip()
    {
        QFETCH(QByteArray, plaintext);
        const Sealer sealer = makeSealer('a');
        const QString token = sealer.sealToUrlToken(plaintext);
        QVERIFY2(QRegularExpression(u"^[A-Za-z0-9_-]+$"_s).match(token).hasMatch(),
                 qPrintable(token));
        const Result<QByteArray> opened = sealer.openUrlToken(token);
        QVERIFY(opened);
        QCOMPARE(*opened, plaintext);
    }

    void openUrlTokenRejectsGarbage_data()
    {
        const Sealer sealer = makeSealer('a');
        const QString valid = sealer.sealToUrlToken("x"_ba);
        QTest::addColumn<QString>("token");
        QTest::newRow("empty") << QString();
        QTest::newRow("garbage") << u"garbage!"_s;
        QTest::newRow("valid base64url, too short") << u"AAAA"_s;
        QTest::newRow("with padding") << valid + u'=';
        QTest::newRow("standard alphabet") << base64Encode(*base64UrlDecode(valid));
        QTest::newRow("truncated") << valid.chopped(4);
        QTest::newRow("tampered") << base64UrlEncode(flipBit(*base64UrlDecode(valid), 20));
        QTest::newRow("other key") << makeSealer('b').sealToUrlToken("x"_ba);
    }
    void openUrlTokenRejectsGarbage()
    {
        QFETCH(QString, token);
        const Result<QByteArray> opened = makeSealer('a').openUrlToken(token);
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(opened.error().message, u"sealed data is invalid"_s);
    }

    // --- SealedToken ---------------------------------------------------------------------------

    void sealedTokenRoundTrip()
    {
        const Sealer sealer = makeSealer('a');
        const QJsonObject claims{{u"purpose"_s, u"oauth-state"_s},
                                 {u"app"_s, u"github"_s},
                                 {u"exp"_s, 1}}; // replaced by encode()
        const QDateTime expiresAt = fixedNow().addSecs(600);
        const QString token = SealedToken::encode(sealer, claims, expiresAt);
        QVERIFY(QRegularExpression(u"^[A-Za-z0-9_-]+$"_s).match(token).hasMatch());
        QVERIFY(!token.contains(u"github"_s));

        const Result<QJsonObject> decoded = SealedToken::decode(sealer, token, fixedNow());
        QVERIFY(decoded);
        QCOMPARE(decoded->value(u"purpose"_s).toString(), u"oauth-state"_s);
        QCOMPARE(decoded->value(u"app"_s).toString(), u"github"_s);
        QCOMPARE(decoded->value(u"exp"_s).toInteger(), expiresAt.toSecsSinceEpoch());
        QCOMPARE(decoded->size(), 3);
    }

    void sealedTokenExpiry_data()
    {
        QTest::addColumn<QDateTime>("now");
        QTest::addColumn<bool>("valid");
        const QDateTime expiresAt = fixedNow();
        QTest::newRow("long before") << expiresAt.addDays(-1) << true;
        QTest::newRow("one second before") << expiresAt.addSecs(-1) << true;
        QTest::newRow("last millisecond") << expiresAt.addMSecs(-1) << true;
        QTest::newRow("at expiry") << expiresAt << false;
        QTest::newRow("one second after") << expiresAt.addSecs(1) << false;
        QTest::newRow("invalid now") << QDateTime() << false;
    }
    void sealedTokenExpiry()
    {
        QFETCH(QDateTime, now);
        QFETCH(bool, valid);
        const Sealer sealer = makeSealer('a');
        const QString token = SealedToken::encode(sealer, {{u"k"_s, u"v"_s}}, fixedNow());
        const Result<QJsonObject> decoded = SealedToken::decode(sealer, token, now);
        QCOMPARE(decoded.hasValue(), valid);
        if (!valid) {
            QCOMPARE(decoded.error().code, ErrorCode::InvalidArgument);
            QCOMPARE(decoded.error().message, u"invalid or expired token"_s);
        }
    }

    void sealedTokenRejects_data()
    {
        const Sealer sealer = makeSealer('a');
        const QByteArray context = SealedToken::AssociatedData.toByteArray();
        const auto sealJson = [&](const QByteArray &json) {
            return base64UrlEncode(sealer.seal(json, context));
        };
        const QString valid =
            SealedToken::encode(sealer, {{u"k"_s, u"v"_s}}, fixedNow().addDays(1));
        const QByteArray validBytes = *base64UrlDecode(valid);

        QTest::addColumn<QString>("token");
        QTest::newRow("empty") << QString();
        QTest::newRow("garbage") << u"not a token"_s;
        QTest::newRow("tampered nonce") << base64UrlEncode(flipBit(validBytes, 0));
        QTest::newRow("tampered ciphertext") << base64UrlEncode(flipBit(validBytes, 15));
        QTest::newRow("tampered tag")
            << base64UrlEncode(flipBit(validBytes, validBytes.size() - 1));
        QTest::newRow("truncated") << valid.chopped(2);
        QTest::newRow("other key")
            << SealedToken::encode(makeSealer('b'), {{u"k"_s, u"v"_s}}, fixedNow().addDays(1));
        QTest::newRow("JSON array") << sealJson(R"([{"exp":9999999999}])"_ba);
        QTest::newRow("JSON string") << sealJson(R"("exp")"_ba);
        QTest::newRow("not JSON") << sealJson("exp=9999999999"_ba);
        QTest::newRow("object without exp") << sealJson(R"({"k":"v"})"_ba);
        QTest::newRow("exp is a string") << sealJson(R"({"exp":"9999999999"})"_ba);
        QTest::newRow("sealed without token context")
            << sealer.sealToUrlToken(R"({"exp":9999999999})"_ba);
    }
    void sealedTokenRejects()
    {
        QFETCH(QString, token);
        const Result<QJsonObject> decoded = SealedToken::decode(makeSealer('a'), token, fixedNow());
        QVERIFY(!decoded);
        QCOMPARE(decoded.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(decoded.error().message, u"invalid or expired token"_s);
    }

    // --- Jwt -----------------------------------------------------------------------------------

    void jwtRoundTrip()
    {
        const QJsonObject claims{{u"sub"_s, u"alice"_s},
                                 {u"groups"_s, QJsonArray{u"admins"_s}},
                                 {u"exp"_s, fixedNow().toSecsSinceEpoch() + 300}};
        const QString token = Jwt::signHs256(kJwtKey, claims);
        const QList<QStringView> parts = QStringView(token).split(u'.');
        QCOMPARE(parts.size(), 3);
        QCOMPARE(base64UrlDecode(parts.at(0)).value_or(QByteArray()), hs256Header());

        const Result<QJsonObject> verified = Jwt::verifyHs256(kJwtKey, token, fixedNow());
        QVERIFY(verified);
        QCOMPARE(*verified, claims);
    }

    // Independently computed (Python hmac/base64) tokens, so the format is pinned, not only
    // consistent with itself.
    void jwtKnownVectors()
    {
        const QByteArray key = "your-256-bit-secret"_ba;
        const QJsonObject claims{
            {u"sub"_s, u"1234567890"_s}, {u"name"_s, u"John Doe"_s}, {u"exp"_s, 2'000'000'000}};
        QCOMPARE(Jwt::signHs256(key, claims),
                 u"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                 "eyJleHAiOjIwMDAwMDAwMDAsIm5hbWUiOiJKb2huIERvZSIsInN1YiI6IjEyMzQ1Njc4OTAifQ."
                 "PZkjkeKZiSHminL8O4ld9RZ6Sht24MAbsmO7QnkcKSc"_s);

        // Foreign header: other key order, a space.
        const Result<QJsonObject> verified = Jwt::verifyHs256(
            key,
            u"eyJ0eXAiOiJKV1QiLCAiYWxnIjoiSFMyNTYifQ."
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiZXhwIjoyMDAwMDAwMDAwfQ."
            "-YT1S_Q7FE169mZSxat066lP2qGwZ45KmQVTSy5OJyg"_s,
            fixedNow());
        QVERIFY(verified);
        QCOMPARE(*verified, claims);
    }

    void jwtRejects_data()
    {
        const qint64 exp = fixedNow().toSecsSinceEpoch() + 300;
        const QByteArray payload = payloadExpiringAt(exp);
        const QString valid = signRaw(kJwtKey, hs256Header(), payload);
        const QList<QStringView> parts = QStringView(valid).split(u'.');
        const QString header = parts.at(0).toString();
        const QString body = parts.at(1).toString();
        const QString signature = parts.at(2).toString();
        const QString otherBody = base64UrlEncode(payloadExpiringAt(exp + 1));

        QTest::addColumn<QString>("token");
        QTest::newRow("empty") << QString();
        QTest::newRow("one part") << header;
        QTest::newRow("two parts") << header + u'.' + body;
        QTest::newRow("four parts") << valid + u'.' + signature;
        QTest::newRow("bad base64 in header") << u"!!."_s + body + u'.' + signature;
        QTest::newRow("bad base64 in payload") << header + u".!!."_s + signature;
        QTest::newRow("bad base64 in signature") << header + u'.' + body + u".!!"_s;
        QTest::newRow("padded signature") << valid + u'=';
        QTest::newRow("header not JSON") << signRaw(kJwtKey, "HS256"_ba, payload);
        QTest::newRow("header is an array") << signRaw(kJwtKey, R"(["HS256"])"_ba, payload);
        QTest::newRow("wrong key") << signRaw("another-key"_ba, hs256Header(), payload);
        QTest::newRow("payload swapped") << header + u'.' + otherBody + u'.' + signature;
        QTest::newRow("signature truncated") << valid.chopped(1);
        QTest::newRow("signature missing") << header + u'.' + body + u'.';
        const QByteArray noneHeader = R"({"alg":"none","typ":"JWT"})"_ba;
        QTest::newRow("alg none, unsigned") << base64UrlEncode(noneHeader) + u'.' + body + u'.';
        QTest::newRow("alg none, with HS256 signature") << signRaw(kJwtKey, noneHeader, payload);
        QTest::newRow("alg HS512") << signRaw(kJwtKey, R"({"alg":"HS512"})"_ba, payload);
        QTest::newRow("alg RS256") << signRaw(kJwtKey, R"({"alg":"RS256"})"_ba, payload);
        QTest::newRow("alg lowercase") << signRaw(kJwtKey, R"({"alg":"hs256"})"_ba, payload);
        QTest::newRow("alg missing") << signRaw(kJwtKey, R"({"typ":"JWT"})"_ba, payload);
        QTest::newRow("alg not a string") << signRaw(kJwtKey, R"({"alg":256})"_ba, payload);
        QTest::newRow("crit header")
            << signRaw(kJwtKey, R"({"alg":"HS256","crit":["b64"],"b64":false})"_ba, payload);
        QTest::newRow("payload not JSON") << signRaw(kJwtKey, hs256Header(), "sub=alice"_ba);
        QTest::newRow("payload is an array") << signRaw(kJwtKey, hs256Header(), "[1]"_ba);
        QTest::newRow("exp missing") << signRaw(kJwtKey, hs256Header(), R"({"sub":"a"})"_ba);
        QTest::newRow("exp is a string")
            << signRaw(kJwtKey, hs256Header(), R"({"exp":"9999999999"})"_ba);
        QTest::newRow("nbf is a string")
            << signRaw(kJwtKey, hs256Header(), R"({"exp":9999999999,"nbf":"0"})"_ba);
    }
    void jwtRejects()
    {
        QFETCH(QString, token);
        const Result<QJsonObject> verified = Jwt::verifyHs256(kJwtKey, token, fixedNow());
        QVERIFY(!verified);
        QCOMPARE(verified.error().code, ErrorCode::Unauthenticated);
        QCOMPARE(verified.error().message, u"invalid token"_s);
    }

    void jwtRejectsEmptyKey()
    {
        const QString token =
            signRaw(QByteArray(), hs256Header(), payloadExpiringAt(9'999'999'999));
        const Result<QJsonObject> verified = Jwt::verifyHs256(QByteArray(), token, fixedNow());
        QVERIFY(!verified);
        QCOMPARE(verified.error().message, u"invalid token"_s);
    }

    void jwtTimes_data()
    {
        const qint64 now = fixedNow().toSecsSinceEpoch();
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("error"); // empty: accepted
        const auto exp = [](qint64 t) -> QByteArray {
            return R"({"exp":)"_ba + QByteArray::number(t) + "}"_ba;
        };
        const auto nbf = [now](qint64 t) -> QByteArray {
            return R"({"exp":)"_ba + QByteArray::number(now + 3600) + R"(,"nbf":)"_ba
                   + QByteArray::number(t) + "}"_ba;
        };
        QTest::newRow("exp in the future") << exp(now + 1) << QString();
        QTest::newRow("exp passed, within leeway") << exp(now - 59) << QString();
        QTest::newRow("exp passed by the leeway") << exp(now - 60) << u"token has expired"_s;
        QTest::newRow("exp long passed") << exp(now - 86400) << u"token has expired"_s;
        QTest::newRow("fractional exp within leeway")
            << R"({"exp":)"_ba + QByteArray::number(static_cast<double>(now) - 59.5, 'f', 1)
                   + "}"_ba
            << QString();
        QTest::newRow("nbf passed") << nbf(now - 10) << QString();
        QTest::newRow("nbf ahead, within leeway") << nbf(now + 60) << QString();
        QTest::newRow("nbf ahead beyond leeway") << nbf(now + 61) << u"token is not yet valid"_s;
    }
    void jwtTimes()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, error);
        const QString token = signRaw(kJwtKey, hs256Header(), payload);
        const Result<QJsonObject> verified = Jwt::verifyHs256(kJwtKey, token, fixedNow());
        if (error.isEmpty()) {
            QVERIFY(verified);
        } else {
            QVERIFY(!verified);
            QCOMPARE(verified.error().code, ErrorCode::Unauthenticated);
            QCOMPARE(verified.error().message, error);
        }
    }
};

QTEST_GUILESS_MAIN(tst_Crypto)
#include "tst_crypto.moc"
