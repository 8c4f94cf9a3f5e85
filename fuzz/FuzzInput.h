// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers shared by the libFuzzer harnesses: no global state, nothing that depends on time.

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>
#include <cstdint>

namespace GestaltFuzz {

// The input as a QByteArray (a deep copy, so ASan sees reads past the fuzzer's buffer as such).
inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// Cuts the input into pieces to feed an incremental parser: the first byte seeds the piece sizes
// (1..16 bytes, or the whole rest when the seed is 0), so the corpus also explores cuts inside a
// line, between CR and LF, and so on.
template<typename Feed>
void feedInPieces(const QByteArray &input, Feed feed)
{
    if (input.isEmpty())
        return;
    const auto seed = quint8(input.at(0));
    const QByteArray rest = input.mid(1);
    qsizetype pos = 0;
    quint32 state = seed;
    while (pos < rest.size()) {
        qsizetype piece = rest.size() - pos;
        if (seed != 0) {
            state = state * 1103515245u + 12345u;
            piece = qMin<qsizetype>(piece, qsizetype((state >> 16) % 16) + 1);
        }
        if (!feed(QByteArrayView(rest).sliced(pos, piece)))
            return;
        pos += piece;
    }
}

} // namespace GestaltFuzz
