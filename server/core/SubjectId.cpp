// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "core/SubjectId.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

constexpr qsizetype kMaxKindLength = 32;
constexpr qsizetype kMaxIdLength = 256;
constexpr qsizetype kMaxServiceAccountIdLength = 128;

bool isValidKind(QStringView kind)
{
    if (kind.isEmpty() || kind.size() > kMaxKindLength) {
        return false;
    }
    return std::all_of(
        kind.begin(), kind.end(), [](QChar c) { return (c >= u'a' && c <= u'z') || c == u'_'; });
}

bool hasControlCharacter(QStringView text)
{
    // C0, DEL and C1; also lone surrogates, which no well-formed id contains.
    return std::any_of(text.begin(), text.end(), [](QChar c) {
        return c.category() == QChar::Other_Control || c.isSurrogate();
    });
}

} // namespace

Result<SubjectId> SubjectId::parse(const QString &canonical)
{
    const qsizetype colon = canonical.indexOf(u':');
    if (colon < 0) {
        return Error::invalid(u"subject id must have the form kind:id"_s);
    }
    const QStringView kind = QStringView(canonical).first(colon);
    const QStringView id = QStringView(canonical).sliced(colon + 1);
    if (kind.isEmpty()) {
        return Error::invalid(u"subject id has an empty kind"_s);
    }
    if (id.isEmpty()) {
        return Error::invalid(u"subject id has an empty id"_s);
    }
    if (!isValidKind(kind)) {
        return Error::invalid(u"subject kind must be 1 to 32 of [a-z_]"_s);
    }
    if (id.size() > kMaxIdLength) {
        return Error::invalid(u"subject id is longer than %1 characters"_s.arg(kMaxIdLength));
    }
    if (hasControlCharacter(id)) {
        return Error::invalid(u"subject id contains control characters"_s);
    }
    SubjectId subject{kind.toString(), id.toString()};
    if (subject.isServiceAccount() && !isValidServiceAccountId(subject.id)) {
        return Error::invalid(u"service account id must be 1 to 128 of [A-Za-z0-9._-]"_s);
    }
    return subject;
}

Result<SubjectId> SubjectId::parseWritable(const QString &canonical)
{
    Result<SubjectId> subject = parse(canonical);
    if (subject && subject->isSystem()) {
        return Error::invalid(u"system subjects cannot be granted roles"_s);
    }
    return subject;
}

bool SubjectId::isValidServiceAccountId(const QString &id)
{
    if (id.isEmpty() || id.size() > kMaxServiceAccountIdLength) {
        return false;
    }
    return std::all_of(id.begin(), id.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
               || c == u'.' || c == u'_' || c == u'-';
    });
}

} // namespace Gestalt
