// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "agents/ScriptedModel.h"

#include "config/ConfigScalars.h"

#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

QString lastText(const QList<ModelMessage> &messages, ModelMessage::Role role)
{
    for (qsizetype i = messages.size() - 1; i >= 0; --i) {
        if (messages.at(i).role == role) {
            return messages.at(i).text;
        }
    }
    return {};
}

// How many model calls of this turn came before: assistant messages after the last user one.
int callIndex(const QList<ModelMessage> &messages)
{
    int count = 0;
    for (qsizetype i = messages.size() - 1; i >= 0; --i) {
        if (messages.at(i).role == ModelMessage::Role::User) {
            break;
        }
        count += messages.at(i).role == ModelMessage::Role::Assistant ? 1 : 0;
    }
    return count;
}

// The answer a scripted reply gives (the reply has no error): its text with the placeholders
// filled in, its tool calls, and with a responseSchema its structured answer.
ModelReply answerFor(const QJsonObject &reply, const ModelRequest &request)
{
    ModelReply answer;
    QString text = reply.value(u"text"_s).toString();
    text.replace(u"{{lastToolResult}}"_s,
                 lastText(request.messages, ModelMessage::Role::Tool).left(500));
    text.replace(u"{{lastUserText}}"_s, lastText(request.messages, ModelMessage::Role::User));
    answer.text = text;
    const QJsonArray calls = reply.value(u"toolCalls"_s).toArray();
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const QJsonObject c = calls.at(i).toObject();
        answer.toolCalls.append({u"call_%1_%2"_s.arg(callIndex(request.messages)).arg(i),
                                 c.value(u"tool"_s).toString(),
                                 c.value(u"arguments"_s).toObject()});
    }
    answer.finishReason = answer.toolCalls.isEmpty() ? u"stop"_s : u"tool_calls"_s;
    if (!request.responseSchema.isEmpty() && answer.toolCalls.isEmpty()) {
        if (reply.contains(u"json"_s)) {
            answer.structured = reply.value(u"json"_s);
        } else {
            QJsonParseError error{};
            const QJsonDocument parsed = QJsonDocument::fromJson(text.toUtf8(), &error);
            answer.structured =
                error.error == QJsonParseError::NoError && !parsed.isNull()
                    ? (parsed.isObject() ? QJsonValue(parsed.object()) : QJsonValue(parsed.array()))
                    : QJsonValue(QJsonObject{{u"text"_s, text}});
        }
    }
    return answer;
}

// The text as it streams: chunks of `chunkWords` words (none for an empty text).
QStringList chunksOf(const QString &text, int chunkWords)
{
    QStringList chunks;
    if (text.isEmpty()) {
        return chunks;
    }
    const QStringList words = text.split(u' ');
    for (qsizetype i = 0; i < words.size(); i += chunkWords) {
        chunks.append(words.mid(i, chunkWords).join(u' ')
                      + (i + chunkWords < words.size() ? u" "_s : QString()));
    }
    return chunks;
}

// A call in flight: a timer per delta; abort() ends it with the canceled error.
class ScriptedCall final : public UpstreamCall
{
public:
    std::function<void()> onAbort;
    void abort() override
    {
        if (onAbort) {
            std::exchange(onAbort, {})();
        }
    }
};

} // namespace

ScriptedModel::ScriptedModel(QString name, QObject *parent)
    : QObject(parent)
    , m_name(std::move(name))
{}

Result<std::unique_ptr<ScriptedModel>>
ScriptedModel::create(const QString &name, const QJsonObject &config, QObject *parent)
{
    const QString at = u"providers.agent.%1.config"_s.arg(name);
    std::unique_ptr<ScriptedModel> model(new ScriptedModel(name, parent));
    for (auto it = config.begin(); it != config.end(); ++it) {
        static const QStringList known{u"model"_s, u"chunkWords"_s, u"delay"_s, u"rules"_s};
        if (!known.contains(it.key())) {
            return Error::invalid(u"%1: unknown key \"%2\""_s.arg(at, it.key()));
        }
    }
    if (config.contains(u"model"_s)) {
        model->m_model = config.value(u"model"_s).toString();
    }
    if (config.contains(u"chunkWords"_s)) {
        model->m_chunkWords = std::max(1, config.value(u"chunkWords"_s).toInt(2));
    }
    if (config.contains(u"delay"_s)) {
        const std::optional<std::chrono::milliseconds> delay =
            parseDuration(config.value(u"delay"_s).toString());
        if (!delay) {
            return Error::invalid(at + u".delay: expected a duration such as 50ms"_s);
        }
        model->m_delayMs = int(delay->count());
    }
    const QJsonArray rules = config.value(u"rules"_s).toArray();
    for (qsizetype i = 0; i < rules.size(); ++i) {
        const QJsonObject rule = rules.at(i).toObject();
        if (!rule.value(u"replies"_s).isArray() || rule.value(u"replies"_s).toArray().isEmpty()) {
            return Error::invalid(
                u"%1.rules[%2].replies: a non-empty list is required"_s.arg(at).arg(i));
        }
        model->m_rules.append(
            {rule.value(u"when"_s).toString(), rule.value(u"replies"_s).toArray()});
    }
    return model;
}

QJsonObject ScriptedModel::replyFor(const ModelRequest &request) const
{
    const QString user = lastText(request.messages, ModelMessage::Role::User);
    const int index = callIndex(request.messages);
    for (const Rule &rule : m_rules) {
        if (rule.when.isEmpty() || user.contains(rule.when, Qt::CaseInsensitive)) {
            return rule.replies.at(std::min<qsizetype>(index, rule.replies.size() - 1)).toObject();
        }
    }
    const bool afterTool =
        !request.messages.isEmpty() && request.messages.last().role == ModelMessage::Role::Tool;
    return QJsonObject{
        {u"text"_s,
         afterTool ? u"Tool result: {{lastToolResult}}"_s : u"You said: {{lastUserText}}"_s}};
}

std::shared_ptr<UpstreamCall> ScriptedModel::complete(const ModelRequest &request,
                                                      const ModelStreamSink &sink,
                                                      std::function<void(Result<ModelReply>)> done)
{
    const QJsonObject reply = replyFor(request);
    auto call = std::make_shared<ScriptedCall>();
    auto finished = std::make_shared<bool>(false);
    auto finish = [finished, done](Result<ModelReply> result) {
        if (!std::exchange(*finished, true)) {
            done(std::move(result));
        }
    };
    QPointer<ScriptedModel> self(this);
    call->onAbort = [self, finish] {
        if (ScriptedModel *model = self) {
            QTimer::singleShot(0, model, [finish, name = model->m_name] {
                finish(
                    Error{ErrorCode::BadGateway, u"model provider \"%1\": canceled"_s.arg(name)});
            });
        }
    };

    if (reply.contains(u"error"_s)) {
        const Error error{
            ErrorCode::BadGateway,
            u"model provider \"%1\": %2"_s.arg(m_name, reply.value(u"error"_s).toString())};
        QTimer::singleShot(m_delayMs, this, [finish, error] { finish(error); });
        return call;
    }
    const ModelReply answer = answerFor(reply, request);
    const QStringList chunks = chunksOf(answer.text, m_chunkWords);
    // The reasoning first, then the chunks m_delayMs apart, then the answer.
    const QString reasoning = reply.value(u"reasoning"_s).toString();
    auto step = std::make_shared<std::function<void(qsizetype)>>();
    *step =
        [self, finished, chunks, reasoning, sink, answer, finish, weakStep = std::weak_ptr(step)](
            qsizetype index) {
            if (!self || *finished) {
                return;
            }
            if (index == 0 && !reasoning.isEmpty() && sink.reasoningDelta) {
                sink.reasoningDelta(reasoning);
            }
            if (index < chunks.size()) {
                if (sink.textDelta) {
                    sink.textDelta(chunks.at(index));
                }
                if (std::shared_ptr<std::function<void(qsizetype)>> next = weakStep.lock()) {
                    QTimer::singleShot(
                        self->m_delayMs, self, [next, index] { (*next)(index + 1); });
                }
                return;
            }
            finish(answer);
        };
    QTimer::singleShot(m_delayMs, this, [step] { (*step)(0); });
    return call;
}

} // namespace Gestalt
