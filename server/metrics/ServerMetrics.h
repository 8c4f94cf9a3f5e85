// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QtGlobal>

namespace Gestalt {

class Counter;
class Gauge;
class Histogram;
class MetricsRegistry;

// The labels of one app operation (an invocation through gestaltd), for recordOperation().
// Keep every value bounded (names from config, enums), never ids or free text.
struct OperationLabels
{
    QString provider = {};          // gestalt_provider
    QString operation = {};         // gestalt_operation
    QString transport = {};         // gestalt_transport
    QString connectionMode = {};    // gestalt_connection_mode
    QString invocationSurface = {}; // gestalt_invocation_surface
    QString httpBinding = {};       // gestalt_http_binding ("" unless a hosted binding ran it)
    QString resultStatus = {};      // gestalt_result_status
    QString resultStatusClass = {}; // gestalt_result_status_class
};

// The standard metric families of gestaltd, registered in the given registry on construction
// (so their HELP and TYPE lines are exposed before the first sample), with typed accessors and
// recording helpers for the HTTP layer and the app-invocation layer.
class ServerMetrics final
{
public:
    // serviceVersion goes into target_info{service_name="gestaltd",service_version=...}.
    explicit ServerMetrics(MetricsRegistry &registry);
    ServerMetrics(MetricsRegistry &registry, const QString &serviceVersion);
    ~ServerMetrics() = default;
    Q_DISABLE_COPY_MOVE(ServerMetrics)

    // One served HTTP request. route is the route template ("/api/v1/tokens/{id}"), never the raw
    // path; a method outside the RFC 9110 set (plus PATCH) is recorded as "_OTHER". A negative
    // byte count means "unknown" and is not observed.
    void recordHttpRequest(const QString &method,
                           const QString &route,
                           int status,
                           double seconds,
                           qint64 requestBytes,
                           qint64 responseBytes);

    // One app operation: counts it, observes its duration and, if failed, counts the error.
    void recordOperation(const OperationLabels &labels, double seconds, bool failed);

    // http_server_request_duration_seconds
    // {http_request_method,http_route,http_response_status_code}
    [[nodiscard]] Histogram &httpRequestDuration() { return m_httpRequestDuration; }
    // http_server_request_body_size_bytes, same labels
    [[nodiscard]] Histogram &httpRequestBodySize() { return m_httpRequestBodySize; }
    // http_server_response_body_size_bytes, same labels
    [[nodiscard]] Histogram &httpResponseBodySize() { return m_httpResponseBodySize; }
    // gestaltd_operation_count_total{gestalt_provider,...,gestalt_result_status_class}
    [[nodiscard]] Counter &operationCount() { return m_operationCount; }
    // gestaltd_operation_duration_seconds, same labels
    [[nodiscard]] Histogram &operationDuration() { return m_operationDuration; }
    // target_info{service_name,service_version} = 1
    [[nodiscard]] Gauge &targetInfo() { return m_targetInfo; }

private:
    Histogram &m_httpRequestDuration;
    Histogram &m_httpRequestBodySize;
    Histogram &m_httpResponseBodySize;
    Counter &m_operationCount;
    Counter &m_operationErrorCount;
    Histogram &m_operationDuration;
    Gauge &m_targetInfo;
};

} // namespace Gestalt
