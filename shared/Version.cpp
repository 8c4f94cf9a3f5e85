// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "shared/Version.h"

namespace Gestalt {

QString version()
{
    return QStringLiteral(GESTALT_VERSION);
}

} // namespace Gestalt
