// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

// The inside of ManagedSubjectRoutes, shared by ManagedSubjectRoutes.cpp (subjects, members,
// grants, external identities) and ManagedSubjectCredentialRoutes.cpp (integrations, tokens).

#include "audit/AuditEvent.h"
#include "subjects/ManagedSubjectRelations.h"
#include "subjects/ManagedSubjectRoutes.h"
#include "subjects/ManagedSubjectService.h"

#include <QJsonArray>
#include <QJsonObject>

#include <functional>
#include <optional>

namespace Gestalt {

inline const QString SubjectsPath = QStringLiteral("/api/v1/authorization/subjects");
inline const QString SubjectPath = SubjectsPath + QStringLiteral("/{subjectID}");

// What an audit event of these routes names at first; handlers refine it as they learn more.
inline const QString ManagedSubjectKind = QStringLiteral("managed_subject");

struct ManagedSubjectRoutes::Impl
{
    using Change = std::function<Result<HttpResponse>(
        const HttpRequest &, const SubjectAccess &, AuditTarget &)>;
    using Rows = std::function<Result<QJsonArray>(const SubjectAccess &)>;
    using Write = std::function<Result<WriteOutcome>(const HttpRequest &, const SubjectAccess &)>;

    explicit Impl(Deps dependencies);

    Deps deps;
    ManagedSubjectService &service;
    ManagedSubjectRelations &relations;

    // A subject's JSON plus the caller's role on it.
    [[nodiscard]] static QJsonObject subjectJson(const SubjectAccess &access);
    // The caller may manage managed subjects and holds at least `needed` on the path's one.
    [[nodiscard]] Result<SubjectAccess> admit(const HttpRequest &request, SubjectRole needed);
    void audit(const HttpRequest &request,
               const QString &action,
               const AuditTarget &target,
               const std::optional<Error> &error);
    // A change to one managed subject: admits the caller with `needed`, runs `run`, and records
    // `action` whether it succeeded or not.
    [[nodiscard]] Result<HttpResponse> change(const HttpRequest &request,
                                              const QString &action,
                                              SubjectRole needed,
                                              const Change &run);
    // A list about one managed subject for a caller holding at least `needed`.
    [[nodiscard]] Result<HttpResponse>
    read(const HttpRequest &request, SubjectRole needed, const Rows &get);
    // A write through ManagedSubjectRelations by a subject admin, audited as `action` and
    // answered as WriteOutcome::toResponse(okStatus, pendingStatus).
    [[nodiscard]] Result<HttpResponse> write(const HttpRequest &request,
                                             const QString &action,
                                             const QString &okStatus,
                                             const QString &pendingStatus,
                                             const Write &run);

    void registerSubjectRoutes(Router &router);
    void registerRelationRoutes(Router &router);
    void registerCredentialRoutes(Router &router);

    // Subjects (ManagedSubjectRoutes.cpp).
    [[nodiscard]] Result<HttpResponse> listSubjects(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> createSubject(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> getSubject(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> updateSubject(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> deleteSubject(const HttpRequest &request);

    // Members, grants and external identities (ManagedSubjectRoutes.cpp).
    [[nodiscard]] Result<HttpResponse> listMembers(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> putMember(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> removeMember(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> listGrants(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> putGrant(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> removeGrant(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> listExternalIdentities(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> putExternalIdentity(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> removeExternalIdentity(const HttpRequest &request);

    // Integrations and API tokens (ManagedSubjectCredentialRoutes.cpp).
    [[nodiscard]] Result<HttpResponse> listIntegrations(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> disconnectIntegration(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> startOAuth(const HttpRequest &request);
    void connectManual(const HttpRequest &request, const Responder &responder);
    [[nodiscard]] Result<HttpResponse> listTokens(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> createToken(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> revokeToken(const HttpRequest &request);
    [[nodiscard]] Result<HttpResponse> revokeAllTokens(const HttpRequest &request);
};

} // namespace Gestalt
