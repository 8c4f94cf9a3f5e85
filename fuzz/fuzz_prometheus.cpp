// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes the Prometheus text parser (parsePrometheusText: the console reads /metrics with it),
// then writes what it accepted and quantiles its histogram buckets.
#include "FuzzInput.h"
#include "shared/PrometheusText.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto families = Gestalt::parsePrometheusText(GestaltFuzz::bytes(data, size));
    if (!families)
        return 0;
    (void)Gestalt::writePrometheusText(*families);
    for (const auto &family : *families) {
        if (family.type != Gestalt::MetricFamily::Type::Histogram)
            continue;
        QList<std::pair<double, double>> buckets;
        for (const auto &sample : family.samples) {
            for (const auto &[name, value] : sample.labels) {
                if (name == QStringLiteral("le"))
                    buckets.append({value.toDouble(), sample.value});
            }
        }
        (void)Gestalt::histogramQuantile(0.5, buckets);
        (void)Gestalt::histogramQuantile(0.99, buckets);
    }
    return 0;
}
