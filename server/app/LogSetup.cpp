// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/LogSetup.h"

#include "shared/JsonLine.h"

#include <QDateTime>

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
    // Fields in name order, as before with QJsonObject; written by hand (every request logs).
    const QByteArray bytes =
        JsonLine()
            .add("level", levelName(type))
            .add("logger", QString::fromLatin1(context.category ? context.category : "default"))
            .add("msg", message)
            .add("time", QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs))
            .finish()
        + '\n';
    // Best effort: a log line that cannot be written has nowhere else to go.
    static_cast<void>(std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stderr));
    static_cast<void>(std::fflush(stderr));
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
    qSetMessagePattern(
        u"%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}DEBUG%{endif}%{if-info}INFO %{endif}"
        "%{if-warning}WARN %{endif}%{if-critical}ERROR%{endif}%{if-fatal}FATAL%{endif} "
        "%{category} %{message}"_s);
}

} // namespace Gestalt
