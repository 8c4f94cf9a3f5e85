// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Gestalt {

// The config gestaltd writes to ~/.gestaltd/config.yaml on first start: public listener on
// 127.0.0.1:8080, the given encryption key (64 hex characters from a CSPRNG), no authentication
// provider (anonymous local mode), SQLite gestalt.db beside the file (providers.indexeddb left
// out), and the httpbin demo app described by the OpenAPI document shipped as a Qt resource. Its
// base URL can be redirected with GESTALT_HTTPBIN_URL (tests point it at a local httpbin).
[[nodiscard]] QString defaultConfigYaml(const QString &encryptionKeyHex);

} // namespace Gestalt
