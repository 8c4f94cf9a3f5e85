// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "app/CommandLine.h"

int main(int argc, char *argv[])
{
    return Gestalt::runCommandLine(argc, argv);
}
