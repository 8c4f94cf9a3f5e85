// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/CommandLine.h"

#include "agents/AgentEngine.h"
#include "app/Application.h"
#include "app/ConfigChecks.h"
#include "app/LogSetup.h"
#include "app/ShutdownSignals.h"
#include "catalog/AppCatalog.h"
#include "config/ConfigLoader.h"
#include "config/DefaultConfig.h"
#include "core/Logging.h"
#include "crypto/Random.h"
#include "limits/RateLimiter.h"
#include "runtime/RuntimeProvider.h"
#include "shared/Version.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cstdio>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

const QString usage = u"Usage: gestaltd [command] [--config FILE]... [options]\n"
                      "\n"
                      "Commands:\n"
                      "  serve      load the config and serve (the default)\n"
                      "  validate   check the config files, print every problem, exit non-zero "
                      "if any\n"
                      "  init       write a starter config (default ~/.gestaltd/config.yaml)\n"
                      "  version    print the version\n"
                      "\n"
                      "Without --config, gestaltd reads $GESTALT_CONFIG, ./config.yaml or\n"
                      "~/.gestaltd/config.yaml, and writes the last one on first start.\n"_s;

void printOut(const QString &text)
{
    // Best effort: a closed stdout has nowhere to report to.
    static_cast<void>(std::fputs(text.toLocal8Bit().constData(), stdout));
    static_cast<void>(std::fflush(stdout));
}

void printErr(const QString &text)
{
    static_cast<void>(std::fputs(text.toLocal8Bit().constData(), stderr));
    static_cast<void>(std::fflush(stderr));
}

QString homeConfigPath()
{
    return QDir::homePath() + u"/.gestaltd/config.yaml"_s;
}

// Writes a starter config at path; never overwrites.
Result<void> writeDefaultConfig(const QString &path)
{
    if (QFileInfo::exists(path)) {
        return Error::conflict(u"%1 exists already; not overwriting it"_s.arg(path));
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        return Error::internal(u"cannot create the folder of %1"_s.arg(path));
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Error::invalid(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(defaultConfigYaml(Crypto::randomHex(32)).toUtf8());
    if (!file.commit()) {
        return Error::invalid(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    }
    return {};
}

// The config files to load: --config, else $GESTALT_CONFIG, ./config.yaml, ~/.gestaltd/config.yaml
// (generated when none exists).
Result<QStringList> resolveConfigFiles(const QStringList &given)
{
    if (!given.isEmpty()) {
        return given;
    }
    const QString fromEnv = qEnvironmentVariable("GESTALT_CONFIG");
    if (!fromEnv.isEmpty()) {
        return QStringList{fromEnv};
    }
    if (QFileInfo::exists(u"config.yaml"_s)) {
        return QStringList{QFileInfo(u"config.yaml"_s).absoluteFilePath()};
    }
    const QString home = homeConfigPath();
    if (!QFileInfo::exists(home)) {
        if (Result<void> written = writeDefaultConfig(home); !written) {
            return written.error();
        }
        qCInfo(lcConfig).noquote() << "config: no config found; wrote a starter config to" << home;
    }
    return QStringList{home};
}

int serve(const QStringList &givenFiles)
{
    Result<QStringList> files = resolveConfigFiles(givenFiles);
    if (!files) {
        printErr(u"gestaltd: %1\n"_s.arg(files.error().message));
        return 1;
    }
    ConfigLoader loader;
    addConfigChecks(loader);
    ConfigLoadReport report = loader.loadReport(*files);
    if (!report.config) {
        printErr(u"gestaltd: invalid config:\n%1\n"_s.arg(report.errors.toError().message));
        return 2;
    }
    std::optional<Config> &config = report.config;
    if (config->server.logFormat == LogFormat::Json) {
        installLogHandler(LogStyle::Json);
    }
    for (const QString &warning : report.errors.warnings()) {
        qCWarning(lcConfig).noquote() << "config:" << warning;
    }
    qCInfo(lcApp).noquote() << "app: gestaltd" << Gestalt::version() << "config"
                            << files->join(u", "_s);
    Result<std::unique_ptr<Application>> app = Application::create(*config);
    if (!app) {
        printErr(u"gestaltd: cannot start: %1\n"_s.arg(app.error().message));
        return 1;
    }
    if (Result<void> started = (*app)->start(); !started) {
        printErr(u"gestaltd: cannot start: %1\n"_s.arg(started.error().message));
        return 1;
    }
    ShutdownSignals signals;
    QObject::connect(&signals, &ShutdownSignals::shutdownRequested, app->get(), [&app](int number) {
        qCInfo(lcApp) << "app: received signal" << number;
        (*app)->shutdown();
    });
    QObject::connect(
        app->get(), &Application::stopped, QCoreApplication::instance(), &QCoreApplication::quit);
    const int code = QCoreApplication::exec();
    app->reset();
    qCInfo(lcApp) << "app: stopped";
    return code;
}

int validate(const QStringList &files)
{
    if (files.isEmpty()) {
        printErr(u"gestaltd validate: give at least one --config FILE\n"_s);
        return 2;
    }
    ConfigLoader loader;
    addConfigChecks(loader);
    const ConfigLoadReport report = loader.loadReport(files);
    QStringList problems = report.errors.messages();
    if (report.config) {
        problems += report.config->serveProblems();
        problems += AppCatalog::problems(*report.config);
        problems += AgentEngine::problems(*report.config);
        problems += RuntimeRegistry::problems(report.config->runtime);
        if (report.config->server.limits.isConfigured()) {
            if (Result<AppCatalog> catalog = AppCatalog::build(*report.config); catalog) {
                problems += RateLimiter::problems(report.config->server.limits, *catalog);
            }
        }
    }
    // Errors first, then warnings (a documented key that is accepted and does nothing here).
    const QStringList warnings = report.errors.warnings();
    if (!problems.isEmpty()) {
        printErr(problems.join(u'\n') + u'\n');
    }
    for (const QString &warning : warnings) {
        printErr(u"warning: "_s + warning + u'\n');
    }
    if (!problems.isEmpty()) {
        printErr(u"gestaltd validate: %1 problem(s) found, %2 warning(s)\n"_s.arg(problems.size())
                     .arg(warnings.size()));
        return 1;
    }
    printOut(u"config is valid: %1%2\n"_s.arg(
        files.join(u", "_s),
        warnings.isEmpty() ? QString() : u" (%1 warning(s))"_s.arg(warnings.size())));
    return 0;
}

} // namespace

int runCommandLine(int argc, char **argv)
{
    // Everything gestaltd writes (config, SQLite files) holds secrets: owner-only by default.
    ::umask(0077);
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(u"gestaltd"_s);
    QCoreApplication::setApplicationVersion(Gestalt::version());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Gestalt: the gateway between agents and the services they use."_s);
    parser.addPositionalArgument(u"command"_s, u"serve (default), validate, init or version"_s);
    const QCommandLineOption configOption(
        u"config"_s, u"Config file (may repeat; merged left to right)."_s, u"FILE"_s);
    const QCommandLineOption logFormatOption(
        u"log-format"_s, u"Log format: text or json."_s, u"FORMAT"_s);
    const QCommandLineOption helpOption({u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOption(configOption);
    parser.addOption(logFormatOption);
    parser.addOption(helpOption);
    if (!parser.parse(QCoreApplication::arguments())) {
        printErr(u"gestaltd: %1\n\n%2"_s.arg(parser.errorText(), usage));
        return 2;
    }
    if (parser.isSet(helpOption)) {
        printOut(usage
                 + u"\nOptions:\n  --config FILE       config file (repeatable)\n"
                   "  --log-format FORMAT text (default on a terminal) or json\n"
                   "  -h, --help          this help\n"_s);
        return 0;
    }
    const QString logFormat = parser.value(logFormatOption);
    if (!logFormat.isEmpty() && logFormat != u"text"_s && logFormat != u"json"_s) {
        printErr(u"gestaltd: --log-format must be text or json\n"_s);
        return 2;
    }
    installLogHandler(logFormat == u"json"_s
                              || (logFormat.isEmpty() && ::isatty(STDERR_FILENO) == 0)
                          ? LogStyle::Json
                          : LogStyle::Text);

    const QStringList positional = parser.positionalArguments();
    const QString command = positional.value(0, u"serve"_s);
    if (positional.size() > 1) {
        printErr(u"gestaltd: unexpected argument \"%1\"\n\n%2"_s.arg(positional[1], usage));
        return 2;
    }
    const QStringList files = parser.values(configOption);
    if (command == u"serve"_s) {
        return serve(files);
    }
    if (command == u"validate"_s) {
        return validate(files);
    }
    if (command == u"version"_s) {
        printOut(u"gestaltd %1\n"_s.arg(Gestalt::version()));
        return 0;
    }
    if (command == u"init"_s) {
        const QString path = files.value(0, homeConfigPath());
        if (Result<void> written = writeDefaultConfig(path); !written) {
            printErr(u"gestaltd init: %1\n"_s.arg(written.error().message));
            return 1;
        }
        printOut(u"wrote %1\n"_s.arg(path));
        return 0;
    }
    printErr(u"gestaltd: unknown command \"%1\"\n\n%2"_s.arg(command, usage));
    return 2;
}

} // namespace Gestalt
