// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

// Small builders and printers shared by the Prometheus text-format tests.
#include "shared/PrometheusText.h"

#include <QByteArray>

#include <limits>

namespace Gestalt {

// Readable QCOMPARE failures for parsed families.
inline char *toString(const QList<MetricFamily> &families)
{
    QByteArray text;
    for (const MetricFamily &family : families) {
        text += "\n[" + family.name.toUtf8() + ' ' + metricTypeName(family.type).toUtf8()
                + " help=\"" + family.help.toUtf8() + "\"]";
        for (const MetricSample &sample : family.samples) {
            text += "\n  " + sample.name.toUtf8() + " {";
            for (const auto &[name, value] : sample.labels) {
                text += name.toUtf8() + "=<" + value.toUtf8() + "> ";
            }
            text += "} " + QByteArray::number(sample.value, 'g', 17);
        }
    }
    return qstrdup(text.constData());
}

namespace Test {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The error message of a failed result, for QVERIFY2 (which evaluates its message eagerly).
template<typename T>
QByteArray errorOf(const Result<T> &result)
{
    return result.hasValue() ? QByteArray() : result.error().message.toUtf8();
}

inline MetricFamily family(const QString &name,
                           const QString &help,
                           MetricFamily::Type type,
                           const QList<MetricSample> &samples = {})
{
    return MetricFamily{name, help, type, samples};
}

inline MetricSample sample(const QString &name, double value, const MetricLabels &labels = {})
{
    return MetricSample{name, labels, value};
}

} // namespace Test
} // namespace Gestalt
