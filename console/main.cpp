// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"

#include <QApplication>
#include <QLocale>
#include <QTranslator>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("gestalt-console"));
    QApplication::setOrganizationName(QStringLiteral("Gestalt"));

    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("gestalt-console"), QStringLiteral("_"),
                        QStringLiteral(":/i18n"))) {
        QApplication::installTranslator(&translator);
    }

    Gestalt::Console::MainWindow window;
    window.show();
    return QApplication::exec();
}
