// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/SourceRef.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Gestalt {

struct EgressConfig
{
    QStringList allowedHosts; // exact host or "*.suffix"; empty: server.egress.defaultAction
};

// One named entry of providers.<kind>.
struct ProviderEntry
{
    SourceRef source;   // may be omitted for built-ins
    QJsonObject config; // free-form, read by the provider
    bool isDefault = false;
    QString displayName;
    QString description;
    QString iconFile; // absolute
    QMap<QString, QString> env;
    EgressConfig egress;
};

using ProviderMap = QMap<QString, ProviderEntry>;

struct ProvidersConfig
{
    ProviderMap authentication;
    ProviderMap authorization;
    ProviderMap indexeddb;
    ProviderMap secrets;
    ProviderMap telemetry;
    ProviderMap audit;
    ProviderMap externalCredentials;
    ProviderMap cache;
    ProviderMap s3;
    ProviderMap ui;
    ProviderMap workflow;
    ProviderMap agent;
};

} // namespace Gestalt
