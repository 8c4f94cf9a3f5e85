// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "Translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

QStringList availableLanguages()
{
    QStringList out;
    const QStringList files = QDir(u":/i18n"_s).entryList({u"gestalt-console_*.qm"_s});
    for (const QString &file : files) {
        out.append(file.mid(16, file.size() - 16 - 3)); // between "gestalt-console_" and ".qm"
    }
    return out;
}

QString installTranslations(QCoreApplication &app, const QString &language)
{
    const QStringList wanted = language.isEmpty() ? QLocale().uiLanguages() : QStringList{language};
    for (const QString &candidate : wanted) {
        const QLocale locale(candidate);
        if (locale.language() == QLocale::English || locale.language() == QLocale::C) {
            return {}; // the source texts are English
        }
        auto *console = new QTranslator(&app);
        if (!console->load(locale, u"gestalt-console"_s, u"_"_s, u":/i18n"_s)) {
            delete console;
            continue;
        }
        QCoreApplication::installTranslator(console);
        if (!language.isEmpty()) {
            QLocale::setDefault(locale); // chosen, not the system's: numbers and dates follow
        }
        auto *qt = new QTranslator(&app);
        if (qt->load(
                locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QCoreApplication::installTranslator(qt);
        } else {
            delete qt;
        }
        return QLocale::languageToCode(locale.language());
    }
    return {};
}

} // namespace Gestalt::Console
