// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/AppDefinition.h"
#include "shared/Result.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace Gestalt {

struct Config;

// Every app of the config, built once at start: manifests already merged by the config loader,
// OpenAPI documents read, REST manifests turned into operations, allowedOperations applied,
// connection bindings resolved to their definitions and checked. Read-only afterwards.
class AppCatalog final
{
public:
    // Every problem at once (one line each, "apps.<name>: ..."), or the catalog.
    [[nodiscard]] static Result<AppCatalog> build(const Config &config);
    // The problems only, for `gestaltd validate`.
    [[nodiscard]] static QStringList problems(const Config &config);

    [[nodiscard]] const AppDefinition *app(const QString &name) const;
    [[nodiscard]] const QMap<QString, AppDefinition> &apps() const { return m_apps; }

private:
    QMap<QString, AppDefinition> m_apps;
};

} // namespace Gestalt
