// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "crypto/Jwks.h"

#include "core/Logging.h"
#include "crypto/Base64.h"
#include "crypto/Jwt.h"
#include "crypto/OpenSslBytes.h"
#include "shared/JsonParse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <memory>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

using namespace Qt::StringLiterals;

namespace Gestalt::Crypto {

namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;
constexpr qsizetype kMaxRsaExponentBytes = 8;
constexpr qsizetype kP256CoordinateBytes = 32;

const QString kRs256 = u"RS256"_s;
const QString kEs256 = u"ES256"_s;

struct BnFree
{
    void operator()(BIGNUM *bn) const { BN_free(bn); }
};
struct ParamBldFree
{
    void operator()(OSSL_PARAM_BLD *bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree
{
    void operator()(OSSL_PARAM *params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxFree
{
    void operator()(EVP_PKEY_CTX *ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct PkeyFree
{
    void operator()(EVP_PKEY *pkey) const { EVP_PKEY_free(pkey); }
};
struct MdCtxFree
{
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree
{
    void operator()(ECDSA_SIG *sig) const { ECDSA_SIG_free(sig); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

Error badKey(const QString &why)
{
    ERR_clear_error();
    return Error::invalid(why);
}

// A base64url JWK member. RFC 7518 forbids padding, but some issuers add it; it is dropped.
std::optional<QByteArray> jwkBytes(const QJsonObject &jwk, const QString &name)
{
    const QJsonValue value = jwk.value(name);
    if (!value.isString()) {
        return std::nullopt;
    }
    const QString string = value.toString();
    QStringView text(string);
    while (text.endsWith(u'=')) {
        text.chop(1);
    }
    std::optional<QByteArray> bytes = base64UrlDecode(text);
    if (!bytes || bytes->isEmpty()) {
        return std::nullopt;
    }
    return bytes;
}

BnPtr toBignum(const QByteArray &bigEndian)
{
    return BnPtr(BN_bin2bn(bytesOf(bigEndian), static_cast<int>(bigEndian.size()), nullptr));
}

// EVP_PKEY_fromdata() followed by a public-key check (the EC point lies on the curve, the RSA
// modulus and exponent are sane).
Result<EVP_PKEY *> keyFromParams(const char *type, OSSL_PARAM_BLD *builder)
{
    const std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(builder));
    const std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
        return badKey(u"cannot build key"_s);
    }
    EVP_PKEY *raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || !raw) {
        return badKey(u"key parameters rejected"_s);
    }
    std::unique_ptr<EVP_PKEY, PkeyFree> key(raw);
    const std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
        EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        return badKey(u"public key check failed"_s);
    }
    return key.release();
}

Result<EVP_PKEY *> rsaKey(const QJsonObject &jwk)
{
    const std::optional<QByteArray> n = jwkBytes(jwk, u"n"_s);
    const std::optional<QByteArray> e = jwkBytes(jwk, u"e"_s);
    if (!n || !e) {
        return badKey(u"RSA key without n or e"_s);
    }
    if (e->size() > kMaxRsaExponentBytes) {
        return badKey(u"RSA exponent too large"_s);
    }
    const BnPtr modulus = toBignum(*n);
    const BnPtr exponent = toBignum(*e);
    if (!modulus || !exponent) {
        return badKey(u"cannot read RSA parameters"_s);
    }
    const int bits = BN_num_bits(modulus.get());
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
        return badKey(u"RSA key of %1 bits (%2 to %3 accepted)"_s.arg(bits)
                          .arg(kMinRsaBits)
                          .arg(kMaxRsaBits));
    }
    const std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
    if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1
        || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
        return badKey(u"cannot build key"_s);
    }
    return keyFromParams("RSA", builder.get());
}

Result<EVP_PKEY *> p256Key(const QJsonObject &jwk)
{
    if (jwk.value(u"crv"_s) != u"P-256"_s) {
        return badKey(u"unsupported EC curve"_s);
    }
    const std::optional<QByteArray> x = jwkBytes(jwk, u"x"_s);
    const std::optional<QByteArray> y = jwkBytes(jwk, u"y"_s);
    // RFC 7518 section 6.2.1.2: the full coordinate length, leading zeros included.
    if (!x || !y || x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
        return badKey(u"P-256 key needs 32-byte x and y"_s);
    }
    const QByteArray point = QByteArray(1, '\x04') + *x + *y; // uncompressed SEC1 point
    const std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
    if (!builder
        || OSSL_PARAM_BLD_push_utf8_string(
               builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)
               != 1
        || OSSL_PARAM_BLD_push_octet_string(builder.get(),
                                            OSSL_PKEY_PARAM_PUB_KEY,
                                            point.constData(),
                                            static_cast<size_t>(point.size()))
               != 1) {
        return badKey(u"cannot build key"_s);
    }
    return keyFromParams("EC", builder.get());
}

// JWS ES256 signatures are r||s; OpenSSL verifies DER ECDSA-Sig-Value.
std::optional<QByteArray> es256ToDer(const QByteArray &signature)
{
    if (signature.size() != 2 * kP256CoordinateBytes) {
        return std::nullopt;
    }
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
    BnPtr r = toBignum(signature.first(kP256CoordinateBytes));
    BnPtr s = toBignum(signature.sliced(kP256CoordinateBytes));
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
        return std::nullopt;
    }
    // Owned by sig now.
    static_cast<void>(r.release());
    static_cast<void>(s.release());
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0) {
        return std::nullopt;
    }
    QByteArray der(length, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != length) {
        return std::nullopt;
    }
    return der;
}

} // namespace

PublicKey::~PublicKey()
{
    EVP_PKEY_free(static_cast<EVP_PKEY *>(m_pkey));
}

Result<std::shared_ptr<PublicKey>> PublicKey::fromJwk(const QJsonObject &jwk)
{
    const QJsonValue use = jwk.value(u"use"_s);
    if (!use.isUndefined() && use != u"sig"_s) {
        return Error::invalid(u"key is not for signatures"_s);
    }
    const QJsonValue ops = jwk.value(u"key_ops"_s);
    if (!ops.isUndefined() && !(ops.isArray() && ops.toArray().contains(u"verify"_s))) {
        return Error::invalid(u"key is not for verification"_s);
    }
    const QString kty = jwk.value(u"kty"_s).toString();
    QString alg;
    Result<EVP_PKEY *> pkey = Error::invalid(u"unsupported key type"_s);
    if (kty == u"RSA") {
        alg = kRs256;
        pkey = rsaKey(jwk);
    } else if (kty == u"EC") {
        alg = kEs256;
        pkey = p256Key(jwk);
    }
    if (!pkey) {
        return pkey.error();
    }
    std::shared_ptr<PublicKey> key(new PublicKey);
    key->m_pkey = *pkey; // owned from here on
    const QJsonValue declared = jwk.value(u"alg"_s);
    if (!declared.isUndefined() && declared != alg) {
        return Error::invalid(u"key algorithm is not %1"_s.arg(alg));
    }
    const QJsonValue kid = jwk.value(u"kid"_s);
    if (!kid.isUndefined() && !kid.isString()) {
        return Error::invalid(u"kid is not a string"_s);
    }
    key->m_kid = kid.toString();
    key->m_kty = kty;
    key->m_alg = alg;
    return key;
}

bool PublicKey::verify(const QByteArray &signingInput, const QByteArray &signature) const
{
    QByteArray encoded = signature;
    if (m_alg == kEs256) {
        std::optional<QByteArray> der = es256ToDer(signature);
        if (!der) {
            ERR_clear_error();
            return false;
        }
        encoded = std::move(*der);
    }
    const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    // RSA keys default to PKCS#1 v1.5 padding.
    const bool ok =
        ctx
        && EVP_DigestVerifyInit(
               ctx.get(), nullptr, EVP_sha256(), nullptr, static_cast<EVP_PKEY *>(m_pkey))
               == 1
        && EVP_DigestVerify(ctx.get(),
                            bytesOf(encoded),
                            static_cast<size_t>(encoded.size()),
                            bytesOf(signingInput),
                            static_cast<size_t>(signingInput.size()))
               == 1;
    ERR_clear_error();
    return ok;
}

Result<Jwks> Jwks::parse(const QByteArray &json)
{
    const std::optional<QJsonObject> object = parseJsonObject(json);
    if (!object || !object->value(u"keys"_s).isArray()) {
        return Error::invalid(u"not a JSON Web Key Set"_s);
    }
    Jwks set;
    const QJsonArray keys = object->value(u"keys"_s).toArray();
    for (const auto &entry : keys) {
        if (!entry.isObject()) {
            qCDebug(lcCrypto) << "JWKS entry skipped: not an object";
            continue;
        }
        Result<std::shared_ptr<PublicKey>> key = PublicKey::fromJwk(entry.toObject());
        if (!key) {
            qCDebug(lcCrypto).noquote() << "JWKS key" << entry.toObject().value(u"kid"_s).toString()
                                        << "skipped:" << key.error().message;
            continue;
        }
        set.m_keys.append(std::move(*key));
    }
    return set;
}

std::shared_ptr<PublicKey> Jwks::find(const QString &kid, const QString &alg) const
{
    std::shared_ptr<PublicKey> found;
    for (const std::shared_ptr<PublicKey> &key : m_keys) {
        if (key->algorithm() != alg) {
            continue;
        }
        if (!kid.isEmpty()) {
            if (key->keyId() == kid) {
                return key;
            }
            continue;
        }
        if (found) {
            return nullptr; // ambiguous without a kid
        }
        found = key;
    }
    return found;
}

Result<VerifiedJwt> verifyJws(const QString &token, const Jwks &keys)
{
    Result<Jwt::Parts> parts = Jwt::decode(token);
    if (!parts) {
        return parts.error();
    }
    const QJsonValue alg = parts->header.value(u"alg"_s);
    if (alg != kRs256 && alg != kEs256) {
        qCDebug(lcCrypto) << "JWS rejected: algorithm is not RS256 or ES256";
        return Jwt::invalidToken();
    }
    const QJsonValue kid = parts->header.value(u"kid"_s);
    if (!kid.isUndefined() && !kid.isString()) {
        qCDebug(lcCrypto) << "JWS rejected: kid is not a string";
        return Jwt::invalidToken();
    }
    const std::shared_ptr<PublicKey> key = keys.find(kid.toString(), alg.toString());
    if (!key) {
        // A known kid of the other algorithm is a confused or forged header, not a new key.
        const QString other = alg == kRs256 ? kEs256 : kRs256;
        if (!kid.toString().isEmpty() && keys.find(kid.toString(), other)) {
            qCDebug(lcCrypto) << "JWS rejected: the key named by kid is for another algorithm";
            return Jwt::invalidToken();
        }
        return Error::notFound(u"signing key not found"_s);
    }
    if (!key->verify(parts->signingInput, parts->signature)) {
        qCDebug(lcCrypto) << "JWS rejected: bad signature";
        return Jwt::invalidToken();
    }
    std::optional<QJsonObject> claims = parseJsonObject(parts->payload);
    if (!claims) {
        qCDebug(lcCrypto) << "JWS rejected: payload is no JSON object";
        return Jwt::invalidToken();
    }
    return VerifiedJwt{std::move(parts->header), std::move(*claims)};
}

QJsonObject peekJwsHeader(const QString &token)
{
    Result<Jwt::Parts> parts = Jwt::decode(token);
    return parts ? parts->header : QJsonObject();
}

QJsonObject peekJwsClaims(const QString &token)
{
    Result<Jwt::Parts> parts = Jwt::decode(token);
    if (!parts) {
        return {};
    }
    return parseJsonObject(parts->payload).value_or(QJsonObject());
}

} // namespace Gestalt::Crypto
