// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/ConfigLoader.h"

#include "config/ConfigDecoder.h"
#include "config/ConfigNode.h"
#include "config/RelativePathResolver.h"
#include "config/SecretResolver.h"
#include "config/SecretsDecoder.h"
#include "core/Logging.h"

#include <QFile>
#include <QFileInfo>

#include <vector>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

void checkApiVersion(const ConfigNode &root, const SourceLocation &file, ConfigErrors &errors)
{
    const ConfigNode::Entry *entry = root.entry(u"apiVersion");
    const QString expected = Config::apiVersionV5.toString();
    if (!entry || entry->value.isNull()) {
        errors.add(file, u"missing apiVersion (expected \"apiVersion: %1\")"_s.arg(expected));
        return;
    }
    if (!entry->value.isScalar()) {
        errors.add(entry->keyLocation, u"apiVersion: expected \"%1\""_s.arg(expected));
        return;
    }
    if (entry->value.text() != expected) {
        errors.add(entry->value.location(),
                   u"unsupported apiVersion \"%1\" (expected \"%2\")"_s.arg(entry->value.text(),
                                                                            expected));
    }
}

} // namespace

ConfigLoader::ConfigLoader(EnvExpander::Lookup environment)
    : m_expander(std::move(environment))
{}

ConfigLoadReport ConfigLoader::loadReport(const QStringList &files) const
{
    ConfigLoadReport report;
    ConfigErrors &errors = report.errors;
    if (files.isEmpty()) {
        errors.add(u"no config file given"_s);
        return report;
    }
    std::vector<ConfigNode> trees;
    bool usable = true;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString &path = files.at(i);
        const SourceLocation where{path, static_cast<int>(i), 0, 0};
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            errors.add(where, u"cannot read the config file: "_s + file.errorString());
            usable = false;
            continue;
        }
        QString text = QString::fromUtf8(file.readAll());
        if (text.startsWith(QChar(0xfeff))) {
            text.remove(0, 1);
        }
        const QString expanded = m_expander.expand(text, where, errors);
        std::optional<ConfigNode> tree = ConfigNode::parse(expanded.toUtf8(), where, errors);
        if (!tree) {
            usable = false;
            continue;
        }
        checkApiVersion(*tree, where, errors);
        RelativePathResolver(QFileInfo(path).absolutePath()).resolve(*tree);
        trees.push_back(std::move(*tree));
    }
    if (!usable) {
        return report;
    }

    ConfigNode merged = trees.front();
    for (size_t i = 1; i < trees.size(); ++i) {
        merged.mergeFrom(trees[i]);
    }
    Config config;
    for (const QString &path : files) {
        config.files.append(QFileInfo(path).absoluteFilePath());
    }
    config.baseDir = QFileInfo(files.front()).absolutePath();
    const int secrets =
        SecretResolver(SecretsDecoder::read(merged, errors), m_expander.lookup(), errors)
            .resolve(merged);
    if (secrets > 0) {
        qCDebug(lcConfig) << "config: resolved" << secrets << "secret refs";
    }
    ConfigDecoder(errors).read(merged, config);
    for (const Check &check : m_checks) {
        check(config, errors);
    }
    if (errors.isEmpty()) {
        qCDebug(lcConfig).noquote() << "config: loaded" << config.files.join(u", "_s);
        report.config = std::move(config);
    }
    return report;
}

Result<Config> ConfigLoader::load(const QStringList &files) const
{
    ConfigLoadReport report = loadReport(files);
    if (!report.config) {
        return report.errors.toError();
    }
    return std::move(*report.config);
}

} // namespace Gestalt
