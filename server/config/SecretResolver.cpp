// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/SecretResolver.h"

#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"
#include "config/ConfigNode.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString notFound(const QString &provider, const QString &name, const QString &why = {})
{
    QString message = u"secret \"%1\" not found in provider \"%2\""_s.arg(name, provider);
    return why.isEmpty() ? message : message + u" ("_s + why + u')';
}

// Names are echoed in errors; keep them printable and short.
bool isPlainName(const QString &name)
{
    if (name.isEmpty() || name.size() > 256) {
        return false;
    }
    return std::all_of(name.cbegin(), name.cend(), [](QChar c) { return c.isPrint(); });
}

} // namespace

SecretResolver::SecretResolver(SecretsConfig secrets,
                               EnvExpander::Lookup environment,
                               ConfigErrors &errors)
    : m_secrets(std::move(secrets))
    , m_environment(std::move(environment))
    , m_errors(errors)
{}

int SecretResolver::resolve(ConfigNode &root) const
{
    int resolved = 0;
    if (!root.isMap()) {
        return resolved;
    }
    for (ConfigNode::Entry &entry : root.mutableEntries()) {
        if (entry.key != u"providers" || !entry.value.isMap()) {
            walk(entry.value, entry.key, resolved);
            continue;
        }
        for (ConfigNode::Entry &kind : entry.value.mutableEntries()) {
            const QString path = ConfigMapReader::joinPath(u"providers"_s, kind.key);
            if (kind.key == u"secrets") {
                refuseRefs(kind.value, path);
            } else {
                walk(kind.value, path, resolved);
            }
        }
    }
    return resolved;
}

void SecretResolver::walk(ConfigNode &node, const QString &path, int &resolved) const
{
    if (isSecretRef(node)) {
        resolveRef(node, path, resolved);
        return;
    }
    std::vector<ConfigNode> &items = node.mutableItems();
    for (size_t i = 0; i < items.size(); ++i) {
        walk(items[i], u"%1[%2]"_s.arg(path).arg(i), resolved);
    }
    for (ConfigNode::Entry &entry : node.mutableEntries()) {
        walk(entry.value, ConfigMapReader::joinPath(path, entry.key), resolved);
    }
}

void SecretResolver::refuseRefs(const ConfigNode &node, const QString &path) const
{
    if (isSecretRef(node)) {
        m_errors.add(node.location(),
                     path
                         + u": a secrets provider's own settings cannot use a secret ref (it "
                           u"would depend on itself); use ${VAR} or VAR_FILE expansion"_s);
        return;
    }
    for (size_t i = 0; i < node.items().size(); ++i) {
        refuseRefs(node.items()[i], u"%1[%2]"_s.arg(path).arg(i));
    }
    for (const ConfigNode::Entry &entry : node.entries()) {
        refuseRefs(entry.value, ConfigMapReader::joinPath(path, entry.key));
    }
}

void SecretResolver::resolveRef(ConfigNode &node, const QString &path, int &resolved) const
{
    QString provider;
    QString name;
    {
        const ConfigNode::Entry &secret = node.entries().front();
        // Recorded under the {secret} row of docs/CONFIG.md, wherever the ref stands.
        ConfigMapReader ref(&secret.value,
                            ConfigMapReader::joinPath(path, u"secret"),
                            secret.keyLocation,
                            m_errors,
                            ConfigMapReader::secretRefPattern());
        provider = ref.string(u"provider");
        name = ref.requiredString(u"name");
    }
    const SourceLocation where = node.location();
    if (provider.isEmpty()) {
        provider = m_secrets.builtinEnvDefault ? u"env"_s : m_secrets.defaultProvider;
    }
    if (name.isEmpty()) {
        node = ConfigNode(); // as if absent: the ref's error is enough
        return;
    }
    if (provider.isEmpty()) {
        m_errors.add(where,
                     path
                         + u": secret \"%1\": name its provider (secret.provider), or choose a "
                           u"default with server.providers.secrets"_s.arg(name));
    } else if (m_secrets.refused.contains(provider)) {
        // The entry's own problem is reported already.
    } else if (Result<QString> value = lookup(provider, name); !value) {
        m_errors.add(where, path + u": "_s + value.error().message);
    } else {
        node.setSecretText(*value);
        ++resolved;
        return;
    }
    node = ConfigNode();
}

Result<QString> SecretResolver::lookup(const QString &provider, const QString &name) const
{
    if (!isPlainName(name)) {
        return Error::invalid(u"secret names are 1 to 256 printable characters"_s);
    }
    const auto entry = m_secrets.providers.constFind(provider);
    if (entry != m_secrets.providers.cend()) {
        return entry->kind == SecretSource::Kind::Env ? fromEnv(provider, *entry, name)
                                                      : fromFile(provider, *entry, name);
    }
    if (provider == u"env" && m_secrets.builtinEnvDefault) {
        return fromEnv(provider, SecretSource{}, name);
    }
    QString message = u"secret \"%1\": no providers.secrets entry \"%2\""_s.arg(name, provider);
    const QString closest = ConfigMapReader::suggestion(provider, m_secrets.providers.keys());
    if (!closest.isEmpty()) {
        message += u" (did you mean \"%1\"?)"_s.arg(closest);
    }
    return Error::notFound(message);
}

Result<QString> SecretResolver::fromEnv(const QString &provider,
                                        const SecretSource &source,
                                        const QString &name) const
{
    const QString variable = source.prefix + name;
    if (variable.contains(u'=')) {
        return Error::invalid(u"secret \"%1\": not a valid environment variable name"_s.arg(name));
    }
    std::optional<QString> value = m_environment(variable);
    if (!value) {
        return Error::notFound(
            notFound(provider, name, u"environment variable %1 is not set"_s.arg(variable)));
    }
    return std::move(*value);
}

Result<QString>
SecretResolver::fromFile(const QString &provider, const SecretSource &source, const QString &name)
{
    if (name.contains(u'/') || name.contains(u'\\') || name.contains(u".."_s) || name == u".") {
        return Error::invalid(u"secret \"%1\": a file secret's name may not contain '/', '\\' "
                              u"or \"..\" (it names one file in the provider's dir)"_s.arg(name));
    }
    const QString dir = QFileInfo(source.dir).canonicalFilePath();
    if (dir.isEmpty() || !QFileInfo(dir).isDir()) {
        return Error::notFound(notFound(provider, name, u"no directory %1"_s.arg(source.dir)));
    }
    const QFileInfo info(QDir(dir).filePath(name));
    if (!info.exists()) {
        return Error::notFound(notFound(provider, name));
    }
    const QString real = info.canonicalFilePath();
    const QString inside = dir.endsWith(u'/') ? dir : dir + u'/';
    if (real.isEmpty() || !real.startsWith(inside)) {
        return Error::invalid(u"secret \"%1\" in provider \"%2\": the file leads outside %3"_s.arg(
            name, provider, source.dir));
    }
    const QFileInfo target(real);
    QString problem;
    if (!target.isFile()) {
        problem = u"not a regular file"_s;
    } else if (target.permissions().testFlag(QFileDevice::WriteOther)) {
        problem = u"the file is writable by every user (chmod o-w)"_s;
    } else if (target.size() > maxFileBytes) {
        problem = u"the file is larger than 64 KiB"_s;
    }
    QFile file(real);
    if (problem.isEmpty() && !file.open(QIODevice::ReadOnly)) {
        problem = u"cannot read it: "_s + file.errorString();
    }
    if (!problem.isEmpty()) {
        return Error::invalid(
            u"secret \"%1\" in provider \"%2\": %3"_s.arg(name, provider, problem));
    }
    QByteArray data = file.read(maxFileBytes);
    if (data.endsWith("\r\n")) {
        data.chop(2);
    } else if (data.endsWith('\n')) {
        data.chop(1);
    }
    return QString::fromUtf8(data);
}

} // namespace Gestalt
