// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
// Fuzzes the OpenAPI document loader (YAML or JSON text: $ref resolution, parameters, security
// schemes, operations) through OpenApiLoader::parse, the entry loadFile() also uses.
#include "FuzzInput.h"
#include "catalog/OpenApiLoader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)Gestalt::OpenApiLoader::parse(GestaltFuzz::bytes(data, size),
                                        QStringLiteral("fuzz.yaml"));
    return 0;
}
