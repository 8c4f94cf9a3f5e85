// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes the workflow cron parser: CronExpression::parse, then nextAfter() on what it accepts
// (a fixed instant and zone, so runs are reproducible).
#include "workflows/CronExpression.h"

#include <QDateTime>
#include <QString>
#include <QTimeZone>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto parsed = Gestalt::CronExpression::parse(text);
    if (parsed) {
        static const QTimeZone zone(QByteArrayLiteral("Europe/Berlin"));
        static const QDateTime after = QDateTime::fromSecsSinceEpoch(1'700'000'000, Qt::UTC);
        (void)parsed->nextAfter(after, zone);
    }
    return 0;
}
