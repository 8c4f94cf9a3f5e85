// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/ConfigErrors.h"

#include <algorithm>
#include <limits>
#include <tuple>

using namespace Qt::StringLiterals;

namespace Gestalt {

void ConfigErrors::add(const SourceLocation &where, const QString &message)
{
    m_issues.append(Issue{where, message, {}});
}

void ConfigErrors::addRefusal(const SourceLocation &where,
                              const QString &message,
                              const QString &keyPattern)
{
    m_issues.append(Issue{where, message, keyPattern});
}

void ConfigErrors::warn(const SourceLocation &where, const QString &message)
{
    m_warnings.append(Issue{where, message, {}});
}

void ConfigErrors::append(const ConfigErrors &other)
{
    m_issues.append(other.m_issues);
    m_warnings.append(other.m_warnings);
}

QStringList ConfigErrors::refusedKeys() const
{
    QStringList out;
    for (const Issue &issue : m_issues) {
        if (!issue.refusedKey.isEmpty()) {
            out.append(issue.refusedKey);
        }
    }
    out.removeDuplicates();
    return out;
}

qsizetype ConfigErrors::otherErrorCount() const
{
    return std::count_if(m_issues.cbegin(), m_issues.cend(), [](const Issue &issue) {
        return issue.refusedKey.isEmpty();
    });
}

QStringList ConfigErrors::messages() const
{
    return sortedMessages(m_issues);
}

QStringList ConfigErrors::warnings() const
{
    return sortedMessages(m_warnings);
}

QStringList ConfigErrors::sortedMessages(QList<Issue> sorted)
{
    const auto key = [](const Issue &issue) {
        const int file = issue.where.isValid() && issue.where.fileIndex >= 0
                             ? issue.where.fileIndex
                             : std::numeric_limits<int>::max();
        return std::make_tuple(file, issue.where.line, issue.where.column);
    };
    std::stable_sort(sorted.begin(), sorted.end(), [&key](const Issue &a, const Issue &b) {
        return key(a) < key(b);
    });
    QStringList out;
    out.reserve(sorted.size());
    for (const Issue &issue : std::as_const(sorted)) {
        const QString where = issue.where.toString();
        out.append(where.isEmpty() ? issue.message : where + u": "_s + issue.message);
    }
    out.removeDuplicates();
    return out;
}

Error ConfigErrors::toError() const
{
    return Error::invalid(messages().join(QLatin1Char('\n')));
}

} // namespace Gestalt
