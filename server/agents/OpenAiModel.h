// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agents/ModelProvider.h"
#include "httpclient/EgressPolicy.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <chrono>
#include <map>
#include <memory>
#include <utility>

namespace Gestalt {

class UpstreamClient;

// A model behind an OpenAI-compatible chat-completions API (`source: openai`): OpenAI itself,
// Azure OpenAI, OpenRouter, vLLM, Ollama, llama.cpp, LM Studio...
//
//   config:
//     baseUrl: https://api.openai.com/v1   # required; requests go to <baseUrl>/chat/completions
//                                          #   (a query such as ?api-version=... is kept)
//     apiKey: ${OPENAI_API_KEY}            # optional; sent as Authorization: Bearer <key>
//     model: gpt-4o-mini                   # required; the default model
//     timeout: 120s                        # the whole request, streaming included
//     organization: org-...                # optional; the OpenAI-Organization header
//     headers: {api-key: ...}              # optional extra request headers
//
// Every request streams (stream: true); an answer that comes back as one JSON document (servers
// that ignore `stream`) is read the same way. The API key never appears in a log line or an
// error message, even when the upstream echoes it back.
//
// Requests go through UpstreamClient::stream() under the provider's EgressPolicy (its
// providers.agent.<name>.egress.allowedHosts, else server.egress.defaultAction): a host it does
// not allow fails the call with Forbidden before anything is sent. No redirect is followed.
//
// This class owns the network side (the call, its timeout, cancellation, the size cap); what
// goes on the wire and how an answer is put together from it is OpenAiWire's.
class OpenAiModel final
    : public QObject
    , public ModelProvider
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OpenAiModel)

public:
    // `upstream` carries the requests (it should outlive the model; calls fail once it is gone).
    [[nodiscard]] static Result<std::unique_ptr<OpenAiModel>> create(const QString &name,
                                                                     const QJsonObject &config,
                                                                     UpstreamClient &upstream,
                                                                     EgressPolicy egress,
                                                                     QObject *parent = nullptr);
    ~OpenAiModel() override;

    [[nodiscard]] QString name() const override { return m_name; }
    [[nodiscard]] QString defaultModel() const override { return m_model; }
    std::shared_ptr<UpstreamCall> complete(const ModelRequest &request,
                                           const ModelStreamSink &sink,
                                           std::function<void(Result<ModelReply>)> done) override;

    // The answer is cut off beyond this many bytes (a runaway or hostile upstream).
    static constexpr qint64 MaxResponseBytes = qint64(16) * 1024 * 1024;

private:
    struct Exchange;

    OpenAiModel(QString name, UpstreamClient &upstream, EgressPolicy egress, QObject *parent);

    // The exchange while it may still make progress (not finished, not canceled).
    [[nodiscard]] Exchange *live(quint64 id) const;
    void onData(quint64 id, const QByteArray &bytes);
    void onFinished(quint64 id, const Result<void> &ended);
    // Reads SSE events; false when the exchange ended (or the model went away) meanwhile.
    [[nodiscard]] bool readEvents(quint64 id, QByteArrayView bytes);
    // One chunk (streamed) or one whole chat.completion; false when the exchange ended.
    [[nodiscard]] bool readChunk(quint64 id, const QJsonObject &chunk, bool whole);
    void succeed(quint64 id); // the answer is all there: build the reply
    void fail(quint64 id, const Error &error);
    void cancel(quint64 id);
    void finish(quint64 id, Result<ModelReply> result);
    [[nodiscard]] Error upstreamError(ErrorCode code, const QString &detail) const;

    QString m_name;
    QUrl m_endpoint;
    QByteArray m_apiKey;
    QString m_model;
    std::chrono::milliseconds m_timeout{std::chrono::seconds(120)};
    QList<std::pair<QByteArray, QByteArray>> m_headers; // extra ones, then Authorization etc.
    QPointer<UpstreamClient> m_upstream;
    EgressPolicy m_egress;
    quint64 m_nextId = 1;
    std::map<quint64, std::unique_ptr<Exchange>> m_exchanges;
};

} // namespace Gestalt
