// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"
#include "Translations.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"
#include "shared/Version.h"

#include <QApplication>
#include <QCommandLineParser>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"gestalt-console"_s);
    QApplication::setOrganizationName(u"Gestalt"_s);
    QApplication::setApplicationVersion(Gestalt::version());
    QApplication::setDesktopFileName(u"gestalt-console"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Gestalt Console: the operator console of gestaltd"_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption lang(u"lang"_s,
                                  u"Language of the interface (e.g. de, en); default: the saved "
                                  "choice, else the system's."_s,
                                  u"code"_s);
    parser.addOption(lang);
    parser.process(app);

    Gestalt::Console::Settings settings;
    QString language = parser.value(lang);
    if (language.isEmpty()) {
        language = settings.value(Gestalt::Console::Settings::Key::Language).toString();
    }
    Gestalt::Console::installTranslations(app, language);

    Gestalt::Console::KeychainSecretStore secrets;
    Gestalt::Console::MainWindow window(settings, secrets);
    window.show();
    window.reconnectLastProfile();
    return QApplication::exec();
}
