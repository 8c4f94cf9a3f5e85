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
// Warnings (a documented key that is accepted and ignored, see ConfigMapReader::ignored) are kept
// apart: they never make a config invalid.
class ConfigErrors final
{
public:
    void add(const SourceLocation &where, const QString &message);
    void add(const QString &message) { add(SourceLocation{}, message); }
    // An error that refuses a documented key; `keyPattern` is its path with map names written
    // <name> (as in docs/CONFIG.md), so tests can tell a refusal from any other error.
    void addRefusal(const SourceLocation &where, const QString &message, const QString &keyPattern);
    void warn(const SourceLocation &where, const QString &message);
    void append(const ConfigErrors &other);

    // Errors only: warnings do not count.
    [[nodiscard]] bool isEmpty() const { return m_issues.isEmpty(); }
    [[nodiscard]] qsizetype count() const { return m_issues.size(); }

    // Sorted by file (in load order), line and column; problems without a place come last.
    [[nodiscard]] QStringList messages() const;
    // The warnings, sorted the same way.
    [[nodiscard]] QStringList warnings() const;
    // The key patterns of the refusals among the errors, and how many errors are not refusals.
    [[nodiscard]] QStringList refusedKeys() const;
    [[nodiscard]] qsizetype otherErrorCount() const;
    // One InvalidArgument error whose message is every message, one per line.
    [[nodiscard]] Error toError() const;

private:
    struct Issue
    {
        SourceLocation where;
        QString message;
        QString refusedKey;
    };
    [[nodiscard]] static QStringList sortedMessages(QList<Issue> sorted);

    QList<Issue> m_issues;
    QList<Issue> m_warnings;
};

} // namespace Gestalt
