// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agents/ModelProvider.h"
#include "shared/Error.h"
#include "shared/Result.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// The OpenAI chat-completions wire format, apart from the network: what OpenAiModel sends and
// how it reads what comes back. Pure functions of JSON and text, so the many dialects of
// "OpenAI-compatible" servers can be handled (and reasoned about) without a socket.
namespace Gestalt::OpenAiWire {

// ---- The request -------------------------------------------------------------------------

// The chat-completions body for `request` (always streamed, usage included). `defaultModel`
// stands in for an empty request.model; the known sampling options of request.modelOptions
// pass through under their wire names.
[[nodiscard]] QJsonObject requestBody(const ModelRequest &request, const QString &defaultModel);

// ---- The answer --------------------------------------------------------------------------

// Gathers an answer from its chunks (or from one whole chat.completion): the text, the refusal,
// the finish reason, and tool calls whose id, name and arguments may arrive in pieces.
class AnswerBuilder final
{
public:
    // `whole`: `chunk` is a whole chat.completion (its choice has `message`, not `delta`).
    // The text and reasoning this chunk adds go to `text` / `reasoning`; an error message when
    // the chunk reports an error.
    [[nodiscard]] std::optional<QString>
    read(const QJsonObject &chunk, bool whole, QString &text, QString &reasoning);
    // The finished answer; `structured`: the text must be a JSON value (a response schema was
    // asked for) unless the model called tools.
    [[nodiscard]] Result<ModelReply> reply(bool structured) const;
    [[nodiscard]] const QString &finishReason() const { return m_finishReason; }

private:
    struct PartialCall
    {
        QString id;
        QString name;
        QString arguments; // fragments joined; parsed at the end
    };

    QString m_text;
    QString m_refusal;
    QString m_finishReason;
    QJsonObject m_usage; // ModelReply::usage
    QList<PartialCall> m_calls;
    QHash<int, qsizetype> m_slotByIndex; // the stream's `index` → m_calls
};

// ---- Errors ------------------------------------------------------------------------------

// The upstream's own words for an HTTP error (or an `error` stream event): error.message
// (OpenAI and most compatible servers), a bare `error` or `message` or `detail` string, else
// the start of the body.
[[nodiscard]] QString httpErrorDetail(const QByteArray &body);

// The gestalt error for an HTTP error status of the upstream.
[[nodiscard]] ErrorCode codeForStatus(int status);

// `text` with every occurrence of `secret` masked (unchanged when `secret` is empty).
[[nodiscard]] QString redacted(QString text, const QByteArray &secret);

} // namespace Gestalt::OpenAiWire
