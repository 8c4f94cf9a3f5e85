// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace Gestalt {

// gestaltd's command line: serve (default), validate, init, version, --help. Returns the exit code.
int runCommandLine(int argc, char **argv);

} // namespace Gestalt
