// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>
#include <QtGlobal>

#include <array>
#include <cstddef>
#include <optional>

namespace Gestalt {

// The names of a closed set (a status, a state) on the wire and in storage: one table per enum,
// in the order error messages list them. Every value of the enum has exactly one entry; the
// record tests round-trip each value.
template<typename E>
struct EnumName
{
    E value;
    QStringView name;
};

template<typename E, std::size_t N>
[[nodiscard]] QString enumName(const std::array<EnumName<E>, N> &names, E value)
{
    for (const EnumName<E> &entry : names) {
        if (entry.value == value) {
            return entry.name.toString();
        }
    }
    Q_ASSERT_X(false, "enumName", "a value without a name");
    return {};
}

// nullopt for a text that names no value (a bad filter, a stored row from elsewhere).
template<typename E, std::size_t N>
[[nodiscard]] std::optional<E> parseEnumName(const std::array<EnumName<E>, N> &names,
                                             QStringView text)
{
    for (const EnumName<E> &entry : names) {
        if (entry.name == text) {
            return entry.value;
        }
    }
    return std::nullopt;
}

// "a, b, c": for "must be one of" messages.
template<typename E, std::size_t N>
[[nodiscard]] QString joinedEnumNames(const std::array<EnumName<E>, N> &names)
{
    QStringList list;
    for (const EnumName<E> &entry : names) {
        list.append(entry.name.toString());
    }
    return list.join(QStringLiteral(", "));
}

} // namespace Gestalt
