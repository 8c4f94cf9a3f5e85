// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Gestalt {

// Where a config value was written: the file as the caller named it, its position in the list of
// merged files, and a 1-based line and column (0 when unknown).
struct SourceLocation
{
    QString file;
    int fileIndex = -1;
    int line = 0;
    int column = 0;

    [[nodiscard]] bool isValid() const { return !file.isEmpty(); }

    // "file:line:col", "file:line" or "file"; empty when nothing is known.
    [[nodiscard]] QString toString() const
    {
        if (file.isEmpty()) {
            return {};
        }
        QString text = file;
        if (line > 0) {
            text += QLatin1Char(':') + QString::number(line);
            if (column > 0) {
                text += QLatin1Char(':') + QString::number(column);
            }
        }
        return text;
    }
};

} // namespace Gestalt
