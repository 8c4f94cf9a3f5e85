// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes the workflow import (POST /api/v1/workflow/config/import): WorkflowYaml::read.
#include "FuzzInput.h"
#include "workflows/WorkflowYaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)Gestalt::WorkflowYaml::read(GestaltFuzz::bytes(data, size));
    return 0;
}
