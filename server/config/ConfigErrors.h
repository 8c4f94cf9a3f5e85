// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/SourceLocation.h"
#include "shared/Error.h"

#include <QList>
#include <QStringList>

namespace Gestalt {

// Every problem found while loading a config, so `gestaltd validate` can print them all at once.
// Messages read "file:line:col: key.path: what is wrong" and never contain secret values.
class ConfigErrors final
{
public:
    void add(const SourceLocation &where, const QString &message);
    void add(const QString &message) { add(SourceLocation{}, message); }
    void append(const ConfigErrors &other);

    [[nodiscard]] bool isEmpty() const { return m_issues.isEmpty(); }
    [[nodiscard]] qsizetype count() const { return m_issues.size(); }

    // Sorted by file (in load order), line and column; problems without a place come last.
    [[nodiscard]] QStringList messages() const;
    // One InvalidArgument error whose message is every message, one per line.
    [[nodiscard]] Error toError() const;

private:
    struct Issue
    {
        SourceLocation where;
        QString message;
    };
    QList<Issue> m_issues;
};

} // namespace Gestalt
