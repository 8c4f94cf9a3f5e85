// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes the config loader end to end on one file: ${VAR} expansion (with a fixed, small
// environment instead of the process's), YAML parsing, apiVersion, relative paths, decoding and
// checks. The input is written to a file in a private temporary directory made once.
#include "FuzzInput.h"
#include "config/ConfigLoader.h"

#include <QFile>
#include <QHash>
#include <QTemporaryDir>

#include <optional>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    static const QString path = dir.filePath(QStringLiteral("gestaltd.yaml"));
    static const Gestalt::ConfigLoader loader([](const QString &name) -> std::optional<QString> {
        static const QHash<QString, QString> environment{
            {QStringLiteral("HOME"), QStringLiteral("/home/gestalt")},
            {QStringLiteral("PORT"), QStringLiteral("8080")},
            {QStringLiteral("TOKEN"), QStringLiteral("s3cret")},
            {QStringLiteral("EMPTY"), QString()},
        };
        const auto found = environment.constFind(name);
        if (found == environment.constEnd())
            return std::nullopt;
        return *found;
    });
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 0;
        file.write(GestaltFuzz::bytes(data, size));
    }
    (void)loader.loadReport({path});
    return 0;
}
