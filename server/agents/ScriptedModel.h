// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agents/ModelProvider.h"

#include <QObject>

namespace Gestalt {

// A deterministic model for local use and tests (`source: scripted`): its replies and tool calls
// come from its config, so the whole agent surface works offline.
//
//   config:
//     model: scripted              # the default model name
//     chunkWords: 2                # words per streamed text delta
//     delay: 0ms                   # between deltas (a slow stream, to watch or cancel it)
//     rules:                       # the first rule whose `when` the last user text contains
//       - when: weather            #   (case-insensitive; no `when`: any)
//         replies:                 # one per model call within the turn, the last one repeats
//           - toolCalls: [{tool: httpbin_get_anything, arguments: {city: Berlin}}]
//           - text: "The service said: {{lastToolResult}}"
//       - when: fail
//         replies: [{error: "the model is down"}]
//
// A reply may set text, reasoning, toolCalls [{tool, arguments}], json (the structured answer)
// and error. `{{lastToolResult}}` and `{{lastUserText}}` are replaced in text. Without a
// matching rule the answer is "You said: <last user text>" (after a tool call: "Tool result:
// <result>"); with a responseSchema and no json, the text is parsed as JSON, else
// {"text": <text>}.
class ScriptedModel final
    : public QObject
    , public ModelProvider
{
    Q_OBJECT

public:
    [[nodiscard]] static Result<std::unique_ptr<ScriptedModel>>
    create(const QString &name, const QJsonObject &config, QObject *parent = nullptr);

    [[nodiscard]] QString name() const override { return m_name; }
    [[nodiscard]] QString defaultModel() const override { return m_model; }
    std::shared_ptr<UpstreamCall> complete(const ModelRequest &request,
                                           const ModelStreamSink &sink,
                                           std::function<void(Result<ModelReply>)> done) override;

private:
    struct Rule
    {
        QString when;
        QJsonArray replies;
    };

    ScriptedModel(QString name, QObject *parent);
    [[nodiscard]] QJsonObject replyFor(const ModelRequest &request) const;

    QString m_name;
    QString m_model = QStringLiteral("scripted");
    int m_chunkWords = 2;
    int m_delayMs = 0;
    QList<Rule> m_rules;
};

} // namespace Gestalt
