// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/wire/Authorization.h"

#include "shared/wire/WireJson.h"

using namespace Qt::StringLiterals;

namespace Gestalt::Wire {

QJsonObject AppPolicy::toJson() const
{
    QJsonObject object{{u"name"_s, name}, {u"displayName"_s, displayName}};
    insertString(object, u"authorizationPolicy"_s, policy);
    return object;
}

AppPolicy AppPolicy::fromJson(const QJsonObject &object)
{
    AppPolicy app;
    app.name = object.value(u"name"_s).toString();
    app.displayName = object.value(u"displayName"_s).toString(app.name);
    app.policy = object.value(u"authorizationPolicy"_s).toString();
    return app;
}

QString MemberRow::subject() const
{
    return subjectId.isEmpty() ? selectorValue : subjectId;
}

QJsonObject MemberRow::toJson() const
{
    QJsonObject row{{u"role"_s, role},
                    {u"source"_s, source},
                    {u"effective"_s, effective},
                    {u"mutable"_s, isMutable},
                    {u"selectorKind"_s, selectorKind},
                    {u"selectorValue"_s, selectorValue}};
    insertString(row, u"subjectId"_s, subjectId);
    insertString(row, u"email"_s, email);
    insertString(row, u"shadowedBy"_s, shadowedBy);
    return row;
}

MemberRow MemberRow::fromJson(const QJsonObject &object)
{
    MemberRow row;
    row.subjectId = object.value(u"subjectId"_s).toString();
    row.email = object.value(u"email"_s).toString();
    row.role = object.value(u"role"_s).toString();
    row.source = object.value(u"source"_s).toString();
    row.effective = object.value(u"effective"_s).toBool(true);
    row.isMutable = object.value(u"mutable"_s).toBool(false);
    row.shadowedBy = object.value(u"shadowedBy"_s).toString();
    row.selectorKind = object.value(u"selectorKind"_s).toString();
    row.selectorValue = object.value(u"selectorValue"_s).toString();
    return row;
}

} // namespace Gestalt::Wire
