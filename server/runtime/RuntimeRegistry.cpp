// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "runtime/RuntimeProvider.h"

using namespace Qt::StringLiterals;

namespace Gestalt {

RuntimeRegistry::RuntimeRegistry(const RuntimeConfig &config)
{
    if (config.providers.isEmpty()) {
        m_providers.push_back(
            std::make_unique<RuntimeProvider>(u"local"_s, RuntimeProviderConfig{}, true));
        m_default = m_providers.back().get();
        return;
    }
    const QString defaultName = config.effectiveDefaultProvider();
    for (auto it = config.providers.cbegin(); it != config.providers.cend(); ++it) {
        const bool isDefault = it.key() == defaultName;
        m_providers.push_back(std::make_unique<RuntimeProvider>(it.key(), it.value(), isDefault));
        if (isDefault) {
            m_default = m_providers.back().get();
        }
    }
}

RuntimeRegistry::~RuntimeRegistry() = default;

QList<RuntimeProvider *> RuntimeRegistry::providers() const
{
    QList<RuntimeProvider *> result;
    for (const auto &provider : m_providers) {
        result.append(provider.get()); // QMap order: by name
    }
    return result;
}

RuntimeProvider *RuntimeRegistry::provider(const QString &name) const
{
    for (const auto &provider : m_providers) {
        if (provider->name() == name) {
            return provider.get();
        }
    }
    return nullptr;
}

RuntimeProvider *RuntimeRegistry::defaultProvider() const
{
    return m_default;
}

QStringList RuntimeRegistry::problems(const RuntimeConfig &config)
{
    QStringList out;
    for (auto it = config.providers.constBegin(); it != config.providers.constEnd(); ++it) {
        QString error;
        static_cast<void>(RuntimeProvider::runAsFrom(it.value().config, error));
        if (!error.isEmpty()) {
            out.append(u"runtime.providers.%1.config: %2"_s.arg(it.key(), error));
        }
    }
    return out;
}

} // namespace Gestalt
