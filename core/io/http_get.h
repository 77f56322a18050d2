// SPDX-License-Identifier: GPL-3.0-or-later
// A plain HTTP/1.1 GET for `memscope capture`: what a service's net/http/pprof
// and expvar handlers serve, over plain http (a pprof port is not exposed over
// TLS; reach a remote one through a tunnel or port-forward). Every request has
// a deadline; a body over the limit is an error, never a silent cut.
#pragma once

#include "base/result.h"

#include <cstdint>
#include <functional>
#include <string>

namespace memscope {

struct HttpResponse {
    int status = 0; // 200, 404, ...
    std::string reason;
    std::string contentType;
    std::string body;
};

struct HttpOptions {
    int64_t deadlineNs = 0;          // CLOCK_MONOTONIC ns by which the request must end
    uint64_t maxBody = 512u << 20;   // larger bodies are an ErrorCode::Limit error
    std::function<bool()> cancelled; // polled while waiting
};

// "http://host:port/path?query". Errors name the URL and what went wrong:
// the connection, the deadline, a malformed or truncated response.
Result<HttpResponse> httpGet(const std::string& url, const HttpOptions& opts);

// CLOCK_MONOTONIC now, in ns.
int64_t monotonicNs();

} // namespace memscope
