// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

namespace Gestalt::AgentDisplay {

// The `display` projection of an event (gestalt-facts §7): what a UI shows for it, from its raw
// type and data. `given` (a provider's own display) wins field by field; empty when the type has
// none. Kinds text | reasoning | tool | interaction | status | error; phases delta | completed |
// started | progress | failed | requested | resolved | canceled.
[[nodiscard]] QJsonObject
project(const QString &type, const QJsonObject &data, const QJsonObject &given = {});

} // namespace Gestalt::AgentDisplay
