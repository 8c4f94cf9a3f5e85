// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

// The inside of ManagedSubjectRoutes, shared by ManagedSubjectRoutes.cpp (subjects, members,
// grants, external identities) and ManagedSubjectCredentialRoutes.cpp (integrations, tokens).

#include "authz/ManagedSubjectRelations.h"
#include "authz/ManagedSubjectRoutes.h"
#include "authz/ManagedSubjectService.h"

#include <QJsonArray>
#include <QJsonObject>

#include <functional>
#include <optional>

namespace Gestalt {

inline const QString SubjectsPath = QStringLiteral("/api/v1/authorization/subjects");
inline const QString SubjectPath = SubjectsPath + QStringLiteral("/{subjectID}");

// What an audit event names; handlers refine it as they learn more.
struct AuditTarget
{
    QString kind = QStringLiteral("managed_subject");
    QString id;
    QString name;
};

struct ManagedSubjectRoutes::Impl
{
    using Change = std::function<Result<HttpResponse>(const HttpRequest &, const SubjectAccess &,
                                                      AuditTarget &)>;
    using Rows = std::function<Result<QJsonArray>(const SubjectAccess &)>;

    explicit Impl(Deps dependencies);

    Deps deps;
    ManagedSubjectService service;
    ManagedSubjectRelations relations;

    // A subject's JSON plus the caller's role on it.
    [[nodiscard]] static QJsonObject subjectJson(const SubjectAccess &access);
    // The caller may manage managed subjects and holds at least `needed` on the path's one.
    [[nodiscard]] Result<SubjectAccess> admit(const HttpRequest &request, SubjectRole needed);
    void audit(const HttpRequest &request, const QString &action, const AuditTarget &target,
               const std::optional<Error> &error);
    // A change to one managed subject: admits the caller with `needed`, runs `run`, and records
    // `action` whether it succeeded or not.
    [[nodiscard]] Result<HttpResponse> change(const HttpRequest &request, const QString &action,
                                              SubjectRole needed, const Change &run);
    // A list about one managed subject for a caller holding at least `needed`.
    [[nodiscard]] Result<HttpResponse> read(const HttpRequest &request, SubjectRole needed,
                                            const Rows &get);

    void registerSubjectRoutes(Router &router);
    void registerRelationRoutes(Router &router);
    void registerCredentialRoutes(Router &router);
};

} // namespace Gestalt
