// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "connections/PendingChoices.h"

#include "catalog/AppCatalog.h"
#include "crypto/Random.h"
#include "crypto/SealedToken.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString PendingType = u"pending_connection"_s;
const QString BindingType = u"pending_binding"_s;

Error invalidToken()
{
    return Error::invalid(u"invalid pending connection token"_s);
}

// The secret parts of a credential, as the token's "tok" claim.
QJsonObject tokenClaims(const StoredCredential &credential)
{
    QJsonObject tok{{u"acc"_s, credential.accessToken},
                    {u"ref"_s, credential.refreshToken},
                    {u"typ"_s, credential.tokenType}};
    if (credential.expiresAt) {
        tok.insert(u"exp"_s, credential.expiresAt->toMSecsSinceEpoch());
    }
    return tok;
}

StoredCredential credentialFrom(const QJsonObject &tok)
{
    StoredCredential credential;
    credential.accessToken = tok.value(u"acc"_s).toString();
    credential.refreshToken = tok.value(u"ref"_s).toString();
    credential.tokenType = tok.value(u"typ"_s).toString();
    if (tok.contains(u"exp"_s)) {
        credential.expiresAt =
            QDateTime::fromMSecsSinceEpoch(qint64(tok.value(u"exp"_s).toDouble()), Qt::UTC);
    }
    return credential;
}

Result<QJsonObject>
candidateOf(const QJsonArray &candidates, const QString &candidateIndex, const QString &candidateId)
{
    if (!candidateIndex.isEmpty()) {
        bool ok = false;
        const int index = candidateIndex.toInt(&ok);
        if (!ok || index < 0 || index >= candidates.size()) {
            return Error::invalid(u"candidate not found"_s);
        }
        return candidates.at(index).toObject();
    }
    QJsonObject chosen;
    for (const auto &candidate : candidates) {
        if (candidate[u"id"_s].toString() == candidateId) {
            chosen = candidate.toObject();
        }
    }
    if (chosen.isEmpty()) {
        return Error::invalid(u"candidate not found"_s);
    }
    return chosen;
}

} // namespace

PendingChoices::PendingChoices(const AppCatalog &catalog, const Crypto::Sealer &sealer, Clock clock)
    : m_catalog(catalog)
    , m_sealer(sealer)
    , m_clock(std::move(clock))
{}

ConnectOutcome PendingChoices::create(const ConnectTarget &target,
                                      const StoredCredential &credential,
                                      const QJsonArray &candidates) const
{
    const QDateTime expires = m_clock().addSecs(TtlSeconds);
    const QString bind = Crypto::randomUrlToken(16);
    QJsonObject claims = target.claims(PendingType);
    claims.insert(u"tok"_s, tokenClaims(credential));
    claims.insert(u"bind"_s, bind);
    claims.insert(u"cand"_s, candidates);
    ConnectOutcome outcome;
    outcome.app = target.app->name;
    outcome.selectionRequired = true;
    outcome.pendingToken = Crypto::SealedToken::encode(m_sealer, claims, expires);
    outcome.bindingCookie = Crypto::SealedToken::encode(
        m_sealer, QJsonObject{{u"typ"_s, BindingType}, {u"bind"_s, bind}}, expires);
    for (const auto &candidate : candidates) {
        outcome.candidates.append(
            QJsonObject{{u"id"_s, candidate[u"id"_s]}, {u"name"_s, candidate[u"name"_s]}});
    }
    return outcome;
}

Result<QJsonObject> PendingChoices::decode(const QString &pendingToken) const
{
    if (pendingToken.isEmpty()) {
        return Error::invalid(u"pending_token is required"_s);
    }
    Result<QJsonObject> claims = Crypto::SealedToken::decode(m_sealer, pendingToken, m_clock());
    if (!claims) {
        // Tell an expired token apart from a forged one: an expired token still opens when
        // read as of long ago.
        Result<QJsonObject> old = Crypto::SealedToken::decode(
            m_sealer, pendingToken, QDateTime::fromSecsSinceEpoch(0, Qt::UTC));
        if (old && old->value(u"typ"_s).toString() == PendingType) {
            return Error{ErrorCode::Gone, u"the pending connection has expired; connect again"_s};
        }
        return invalidToken();
    }
    if (claims->value(u"typ"_s).toString() != PendingType) {
        return invalidToken();
    }
    return claims;
}

Result<QJsonObject> PendingChoices::open(const QString &pendingToken,
                                         const QString &bindingCookie,
                                         const Principal *principal) const
{
    Result<QJsonObject> claims = decode(pendingToken);
    if (!claims) {
        return claims.error();
    }
    const QString actor = claims->value(u"act"_s).toString();
    bool proven = principal != nullptr
                  && (principal->subjectId == claims->value(u"sid"_s).toString()
                      || (!actor.isEmpty() && principal->subjectId == actor));
    if (!proven && !bindingCookie.isEmpty()) {
        Result<QJsonObject> binding =
            Crypto::SealedToken::decode(m_sealer, bindingCookie, m_clock());
        proven = binding && binding->value(u"typ"_s).toString() == BindingType
                 && binding->value(u"bind"_s).toString() == claims->value(u"bind"_s).toString();
    }
    if (!proven) {
        return Error::unauthenticated(
            u"the pending connection belongs to another browser or user"_s);
    }
    return claims;
}

Result<PendingChoices::Choice> PendingChoices::choose(const QJsonObject &claims,
                                                      const QString &candidateIndex,
                                                      const QString &candidateId) const
{
    Result<QJsonObject> chosen =
        candidateOf(claims.value(u"cand"_s).toArray(), candidateIndex, candidateId);
    if (!chosen) {
        return chosen.error();
    }
    std::optional<ConnectTarget> target = ConnectTarget::fromClaims(m_catalog, claims);
    if (!target) {
        return invalidToken();
    }
    StoredCredential credential =
        target->credential(credentialFrom(claims.value(u"tok"_s).toObject()));
    return Choice{std::move(*target), std::move(credential), std::move(chosen).value()};
}

} // namespace Gestalt
