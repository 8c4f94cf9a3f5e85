// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/CommandLine.h"

namespace Gestalt {

int runCommandLine(int argc, char *argv[])
{
    (void)argc;
    (void)argv;
    return 0;
}

} // namespace Gestalt
