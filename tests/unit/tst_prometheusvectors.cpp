// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// The shared Prometheus text parser (shared/PrometheusText.h) against the test vectors in
// tests/data/prometheus: NAME.prom is the input and NAME.json the expected parse, the families in
// order with their samples (labels in order, NaN and ±Inf as the strings "NaN", "+Inf", "-Inf"),
// or {"error": {"line": N}} for input that must be refused at line N. The /admin shell's parser
// (resources/admin/prometheus.js) passes the same vectors in the CTest js_prometheus_vectors.
#include "shared/PrometheusText.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using Gestalt::MetricFamily;

namespace {

const QString vectorDir = QStringLiteral(GESTALT_TEST_DATA_DIR "/prometheus");

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonValue valueJson(double value)
{
    if (std::isnan(value)) {
        return u"NaN"_s;
    }
    if (std::isinf(value)) {
        return value > 0 ? u"+Inf"_s : u"-Inf"_s;
    }
    return value;
}

// The parse in the shape of the .json files.
QJsonObject parseJson(const QByteArray &text)
{
    const Gestalt::Result<QList<MetricFamily>> parsed = Gestalt::parsePrometheusText(text);
    if (!parsed.hasValue()) {
        static const QRegularExpression lineOf(u"^line (\\d+): "_s);
        const QRegularExpressionMatch match = lineOf.match(parsed.error().message);
        return {{u"error"_s,
                 QJsonObject{{u"line"_s, match.hasMatch() ? match.captured(1).toInt() : -1}}}};
    }
    QJsonArray families;
    for (const MetricFamily &family : *parsed) {
        QJsonArray samples;
        for (const Gestalt::MetricSample &sample : family.samples) {
            QJsonArray labels;
            for (const auto &[name, value] : sample.labels) {
                labels.append(QJsonArray{name, value});
            }
            samples.append(QJsonObject{{u"name"_s, sample.name},
                                       {u"labels"_s, labels},
                                       {u"value"_s, valueJson(sample.value)}});
        }
        families.append(QJsonObject{{u"name"_s, family.name},
                                    {u"help"_s, family.help},
                                    {u"type"_s, Gestalt::metricTypeName(family.type)},
                                    {u"samples"_s, samples}});
    }
    return {{u"families"_s, families}};
}

} // namespace

class tst_PrometheusVectors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void vectors_data();
    void vectors();
};

void tst_PrometheusVectors::vectors_data()
{
    QTest::addColumn<QString>("name");
    const QStringList inputs = QDir(vectorDir).entryList({u"*.prom"_s}, QDir::Files, QDir::Name);
    QVERIFY2(inputs.size() >= 20, qPrintable(vectorDir));
    for (const QString &input : inputs) {
        const QString name = input.chopped(5);
        QTest::newRow(qPrintable(name)) << name;
    }
}

void tst_PrometheusVectors::vectors()
{
    QFETCH(QString, name);
    QJsonParseError error{};
    const QJsonDocument expected =
        QJsonDocument::fromJson(readFile(vectorDir + u'/' + name + u".json"_s), &error);
    QVERIFY2(error.error == QJsonParseError::NoError && expected.isObject(),
             qPrintable(name + u".json: "_s + error.errorString()));
    const QJsonObject actual = parseJson(readFile(vectorDir + u'/' + name + u".prom"_s));
    // Both sides written by the same writer: equal text means equal families, labels and values.
    QCOMPARE(QJsonDocument(actual).toJson(QJsonDocument::Compact),
             expected.toJson(QJsonDocument::Compact));
}

QTEST_GUILESS_MAIN(tst_PrometheusVectors)
#include "tst_prometheusvectors.moc"
