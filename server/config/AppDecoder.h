// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/AppConfig.h"

namespace Gestalt {

class ConfigMapReader;
struct Config;

// Reads one `apps.<name>` (alias `plugins.<name>`) entry. References to policies, top-level
// connections and providers are checked against `context`, which must already hold those sections.
class AppDecoder final
{
public:
    explicit AppDecoder(const Config &context);

    [[nodiscard]] AppConfig read(ConfigMapReader &reader) const;
    // `app: <name>`, or `plugin: <name>` as older configs write it (both at once is an error).
    [[nodiscard]] static QString readAppName(ConfigMapReader &reader);

private:
    void readReferences(ConfigMapReader &reader, AppConfig &app) const;
    // `overridesManifest`: the app has a source, whose manifest supplies what the entry leaves out.
    [[nodiscard]] static AppSurfaces readSurfaces(ConfigMapReader &reader, bool overridesManifest);
    [[nodiscard]] static RestSurface readRest(ConfigMapReader &reader);
    [[nodiscard]] static RestOperation readOperation(ConfigMapReader &op);
    [[nodiscard]] static McpSurface readMcp(ConfigMapReader &reader);
    [[nodiscard]] static SecurityScheme readSecurityScheme(ConfigMapReader &reader,
                                                           bool overridesManifest);
    [[nodiscard]] static HttpBinding readHttpBinding(ConfigMapReader &reader);
    // Keys of executable plugins, and keys whose support is not written yet: refused.
    static void readExecutableOnly(ConfigMapReader &r);
    static void readExtras(ConfigMapReader &reader, AppConfig &app);

    const Config &m_context;
};

} // namespace Gestalt
