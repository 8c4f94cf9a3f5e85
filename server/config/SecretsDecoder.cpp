// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "config/SecretsDecoder.h"

#include "config/ConfigErrors.h"
#include "config/ConfigMapReader.h"
#include "config/ConfigNode.h"
#include "config/ConfigScalars.h"
#include "config/SourceRef.h"

#include <QDir>

using namespace Qt::StringLiterals;

namespace Gestalt {

bool isSecretRef(const ConfigNode &node)
{
    if (!node.isMap() || node.entries().size() != 1 || node.entries().front().key != u"secret") {
        return false;
    }
    // {secret: {provider?, name}}; not an app security scheme's {secret: {env: ...}}. A ref
    // with a mistyped key still names its provider or its name, and is read (and refused) as one.
    const ConfigNode &secret = node.entries().front().value;
    return secret.isMap()
           && (secret.child(u"provider") != nullptr || secret.child(u"name") != nullptr);
}

bool containsSecretRef(const ConfigNode &node)
{
    if (isSecretRef(node)) {
        return true;
    }
    for (const ConfigNode &item : node.items()) {
        if (containsSecretRef(item)) {
            return true;
        }
    }
    for (const ConfigNode::Entry &entry : node.entries()) {
        if (containsSecretRef(entry.value)) {
            return true;
        }
    }
    return false;
}

namespace {

const ConfigNode *childOf(const ConfigNode *node, QStringView key)
{
    return node && node->isMap() ? node->child(key) : nullptr;
}

} // namespace

SecretsConfig SecretsDecoder::read(const ConfigNode &root, ConfigErrors &errors)
{
    SecretsConfig secrets;
    const ConfigNode *entries = childOf(childOf(&root, u"providers"), u"secrets");
    if (entries && entries->isMap()) {
        for (const ConfigNode::Entry &entry : entries->entries()) {
            const QString path = ConfigMapReader::joinPath(u"providers.secrets"_s, entry.key);
            SecretSource source;
            if (entry.value.isMap() && readEntry(entry.value, path, errors, source)) {
                secrets.providers.insert(entry.key, source);
            } else {
                secrets.refused.append(entry.key); // ConfigDecoder reports a non-map entry
            }
        }
    }
    chooseDefault(root, secrets);
    return secrets;
}

bool SecretsDecoder::readEntry(const ConfigNode &entry,
                               const QString &path,
                               ConfigErrors &errors,
                               SecretSource &out)
{
    const ConfigNode::Entry *source = entry.entry(u"source");
    if (!source || source->value.isNull()) {
        errors.add(entry.location(),
                   path + u".source: required (env or file, the built-in secrets providers)"_s);
        return false;
    }
    const QString text = source->value.isScalar() ? source->value.text() : QString();
    if (text == u"env") {
        out.kind = SecretSource::Kind::Env;
    } else if (text == u"file") {
        out.kind = SecretSource::Kind::File;
    } else {
        const QString what = SourceRef::classify(text) == SourceRef::Kind::Builtin
                                 ? u"\"%1\" is not a built-in secrets provider"_s.arg(text)
                                 : u"external secrets providers are not supported"_s;
        const QString message = path + u".source: "_s + what
                                + u" (this gestaltd has only the built-in env and file; use one of "
                                  u"them, or ${VAR} / VAR_FILE expansion)"_s;
        if (SourceRef::classify(text) == SourceRef::Kind::Builtin) {
            errors.add(source->keyLocation, message);
        } else {
            // A documented Go form this gestaltd refuses (docs/CONFIG.md), not a mistake.
            errors.addRefusal(source->keyLocation, message, u"providers.secrets.<name>.source"_s);
        }
        return false;
    }
    const ConfigNode::Entry *config = entry.entry(u"config");
    if (config && containsSecretRef(config->value)) {
        return false; // refused by SecretResolver, which names the ref
    }
    if (config && !config->value.isMap() && !config->value.isNull()) {
        return false; // ConfigDecoder reports a config that is not a map
    }
    ConfigMapReader reader(config ? &config->value : nullptr,
                           path + u".config"_s,
                           config ? config->keyLocation : entry.location(),
                           errors,
                           u"providers.secrets.<name>.config"_s);
    return readConfig(reader, out);
}

bool SecretsDecoder::readConfig(ConfigMapReader &config, SecretSource &out)
{
    if (out.kind == SecretSource::Kind::Env) {
        out.prefix = config.string(u"prefix");
        return true;
    }
    out.dir = config.string(u"dir");
    if (out.dir.isEmpty()) {
        config.errorHere(u"dir: required for source: file (the directory holding one file per "
                         u"secret)"_s);
        return false;
    }
    if (!QDir::isAbsolutePath(out.dir)) {
        config.error(u"dir", u"expected an absolute path or one relative to the config file"_s);
        return false;
    }
    return true;
}

void SecretsDecoder::chooseDefault(const ConfigNode &root, SecretsConfig &secrets)
{
    const ConfigNode *selected = childOf(childOf(&root, u"server"), u"providers");
    selected = childOf(selected, u"secrets");
    if (selected && selected->isScalar() && !selected->text().isEmpty()) {
        secrets.defaultProvider = selected->text(); // ConfigDecoder checks that it exists
        return;
    }
    const ConfigNode *entries = childOf(childOf(&root, u"providers"), u"secrets");
    if (entries == nullptr || !entries->isMap() || entries->entries().empty()) {
        secrets.builtinEnvDefault = true;
        return;
    }
    if (entries->entries().size() == 1) {
        secrets.defaultProvider = entries->entries().front().key;
        return;
    }
    for (const ConfigNode::Entry &entry : entries->entries()) {
        const ConfigNode *isDefault = childOf(&entry.value, u"default");
        if (isDefault != nullptr && isDefault->isScalar()
            && parseBool(isDefault->text()).value_or(false)) {
            secrets.defaultProvider = entry.key;
        }
    }
}

} // namespace Gestalt
