// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/LogSetup.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return u"debug"_s;
    case QtInfoMsg:
        return u"info"_s;
    case QtWarningMsg:
        return u"warn"_s;
    case QtCriticalMsg:
        return u"error"_s;
    case QtFatalMsg:
        return u"fatal"_s;
    }
    return u"info"_s;
}

void jsonHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QJsonObject line{
        {u"time"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {u"level"_s, levelName(type)},
        {u"logger"_s, QString::fromLatin1(context.category ? context.category : "default")},
        {u"msg"_s, message},
    };
    const QByteArray bytes = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stderr);
    std::fflush(stderr);
    if (type == QtFatalMsg) {
        std::abort();
    }
}

} // namespace

void installLogHandler(LogStyle style)
{
    if (style == LogStyle::Json) {
        qInstallMessageHandler(jsonHandler);
        return;
    }
    qSetMessagePattern(u"%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}DEBUG%{endif}%{if-info}INFO %{endif}"
                       "%{if-warning}WARN %{endif}%{if-critical}ERROR%{endif}%{if-fatal}FATAL%{endif} "
                       "%{category} %{message}"_s);
}

} // namespace Gestalt
