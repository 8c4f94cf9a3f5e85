// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connections/StoredCredential.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Gestalt {

class AppCatalog;
struct AppConnection;
struct AppDefinition;

// What one connect writes: the app's user connection, the instance, whose credential it is and who
// connects it, with the connection params and OAuth scopes the request chose. The OAuth state and
// the pending choice carry it as token claims (sid, act, int, con, ins, cp).
struct ConnectTarget
{
    const AppDefinition *app = nullptr;
    const AppConnection *connection = nullptr;
    QString subjectId;      // whose credential
    QString actorSubjectId; // who connects it (differs for managed subjects)
    QString instance;
    QMap<QString, QString> params;
    QStringList scopes;

    // "app/connection/instance", the audit target name.
    [[nodiscard]] QString describe() const;

    // The claims of a sealed token of type `type` that names this target.
    [[nodiscard]] QJsonObject claims(const QString &type) const;
    // The target the claims name; nullopt when its app or connection is gone. An empty actor is
    // the subject.
    [[nodiscard]] static std::optional<ConnectTarget> fromClaims(const AppCatalog &catalog,
                                                                 const QJsonObject &claims);

    // A credential row for this target (subject, connection, instance, params as metadata).
    [[nodiscard]] StoredCredential credential(StoredCredential secret) const;

    // Values that come from a token response or a discovery answer end up in URLs and headers
    // ({param} interpolation): only plain tokens are kept (gestalt-facts §2.5); else empty.
    [[nodiscard]] static QString metadataValue(const QJsonValue &value);
    // A string, number or boolean as text; empty for anything else.
    [[nodiscard]] static QString scalarText(const QJsonValue &value);
};

// The result of connecting: stored, or several discovered accounts to choose from.
struct ConnectOutcome
{
    QString app;
    bool selectionRequired = false;
    QString pendingToken;  // sealed, 30 minutes
    QString bindingCookie; // pending_connection_state value binding the browser
    QJsonArray candidates; // [{id, name}]

    [[nodiscard]] QJsonObject toJson() const;
};

} // namespace Gestalt
