// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLocale>
#include <QString>

class QCoreApplication;

namespace Gestalt::Console {

// Installs the console's translation (built into the program from translations/*.ts) and Qt's own
// for `language` ("de", "de_DE"...) or, when it is empty, for the first of the system's UI
// languages that has one. English needs none. A language chosen explicitly also becomes the
// default QLocale (numbers, dates). Returns the language installed ("" for English).
QString installTranslations(QCoreApplication &app, const QString &language = {});

// The languages the console ships, as codes ("de").
[[nodiscard]] QStringList availableLanguages();

} // namespace Gestalt::Console
