// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/EnvExpander.h"

#include "config/ConfigErrors.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

bool isNameStart(QChar c)
{
    return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || c == u'_';
}

bool isNameChar(QChar c)
{
    return isNameStart(c) || (c >= u'0' && c <= u'9');
}

} // namespace

EnvExpander::Lookup EnvExpander::processEnvironment()
{
    return [](const QString &name) -> std::optional<QString> {
        const QByteArray key = name.toUtf8();
        if (!qEnvironmentVariableIsSet(key.constData())) {
            return std::nullopt;
        }
        return qEnvironmentVariable(key.constData());
    };
}

EnvExpander::EnvExpander()
    : m_lookup(processEnvironment())
{}

EnvExpander::EnvExpander(Lookup lookup)
    : m_lookup(std::move(lookup))
{}

std::optional<QString>
EnvExpander::resolve(const QString &name, const SourceLocation &where, ConfigErrors &errors) const
{
    if (std::optional<QString> value = m_lookup(name)) {
        return value;
    }
    const QString fileVariable = name + u"_FILE"_s;
    const std::optional<QString> path = m_lookup(fileVariable);
    if (!path || path->isEmpty()) {
        return std::nullopt;
    }
    QFile file(*path);
    if (!file.open(QIODevice::ReadOnly)) {
        errors.add(
            where,
            u"environment variable %1 is not set and %2 names a file that cannot be read (%3)"_s
                .arg(name, fileVariable, file.errorString()));
        return QString();
    }
    QString content = QString::fromUtf8(file.readAll());
    while (content.endsWith(u'\n') || content.endsWith(u'\r')) {
        content.chop(1);
    }
    return content;
}

QString
EnvExpander::expand(const QString &text, const SourceLocation &file, ConfigErrors &errors) const
{
    QString out;
    out.reserve(text.size());
    int line = 1;
    const auto here = [&file, &line] {
        SourceLocation where = file;
        where.line = line;
        where.column = 0;
        return where;
    };
    qsizetype i = 0;
    while (i < text.size()) {
        const QChar c = text.at(i);
        if (c == u'\n') {
            ++line;
        }
        if (c != u'$' || i + 1 >= text.size()) {
            out += c;
            ++i;
            continue;
        }
        const QChar next = text.at(i + 1);
        if (next == u'$') {
            out += u'$';
            i += 2;
            continue;
        }
        if (next != u'{') {
            out += c;
            ++i;
            continue;
        }
        // ${NAME} or ${NAME:-default}
        qsizetype j = i + 2;
        while (j < text.size() && isNameChar(text.at(j))) {
            ++j;
        }
        const QString name = text.mid(i + 2, j - i - 2);
        std::optional<QString> fallback;
        if (j + 1 < text.size() && text.at(j) == u':' && text.at(j + 1) == u'-') {
            const qsizetype start = j + 2;
            qsizetype end = start;
            while (end < text.size() && text.at(end) != u'}' && text.at(end) != u'\n') {
                ++end;
            }
            fallback = text.mid(start, end - start);
            j = end;
        }
        if (name.isEmpty() || !isNameStart(name.front()) || j >= text.size()
            || text.at(j) != u'}') {
            errors.add(here(),
                       u"invalid environment placeholder: expected ${NAME} or ${NAME:-default}"_s);
            out += c;
            ++i;
            continue;
        }
        i = j + 1;
        std::optional<QString> value = resolve(name, here(), errors);
        if (!value) {
            if (fallback) {
                value = fallback;
            } else {
                errors.add(here(), u"environment variable %1 is not set"_s.arg(name));
                continue;
            }
        }
        if (value->contains(u'\n') || value->contains(u'\r')) {
            errors.add(here(),
                       u"environment variable %1 holds a line break; a substituted value must fit "
                       u"on one line"_s.arg(name));
            continue;
        }
        out += *value;
    }
    return out;
}

} // namespace Gestalt
