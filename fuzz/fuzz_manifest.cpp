// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes app manifests (ManifestLoader, then the app decoder on the merged entry): the input is
// manifest.yaml next to a fixed config whose app `m` names it as its source, loaded with
// ConfigLoader like gestaltd does. Files live in a private temporary directory made once.
#include "FuzzInput.h"
#include "config/ConfigLoader.h"

#include <QFile>
#include <QTemporaryDir>

#include <optional>

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(content) == content.size();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    static const QString config = dir.filePath(QStringLiteral("gestaltd.yaml"));
    static const bool configWritten = writeFile(config,
                                                QByteArrayLiteral("apiVersion: gestaltd.config/v5\n"
                                                                  "apps:\n"
                                                                  "  m:\n"
                                                                  "    source: ./manifest.yaml\n"));
    static const Gestalt::ConfigLoader loader(
        [](const QString &) -> std::optional<QString> { return std::nullopt; });
    if (!configWritten
        || !writeFile(dir.filePath(QStringLiteral("manifest.yaml")),
                      GestaltFuzz::bytes(data, size)))
        return 0;
    (void)loader.loadReport({config});
    return 0;
}
