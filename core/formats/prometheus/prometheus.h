// SPDX-License-Identifier: GPL-3.0-or-later
// The Prometheus text exposition format (version 0.0.4, what /metrics of the
// Go client library serves): `# HELP`, `# TYPE`, and sample lines
// `name{label="value",...} value [timestamp_ms]`.
#pragma once

#include "base/result.h"
#include "io/input.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace memscope {

struct PromSample {
    std::string_view name;
    std::string_view labels; // between the braces, as written; empty when none
    double value = 0;
    std::optional<int64_t> timestampMs;
};

bool looksLikePrometheusText(std::string_view head);

// Every sample in order. A line that is neither a comment nor a sample is an
// error naming its line; the views are valid during the call only.
Status readPrometheusText(ByteStream& in, const std::function<void(const PromSample&)>& onSample);

// The series name memscope uses for a sample of the Go client library's
// collectors: `go_memstats_heap_inuse_bytes` -> "memstats.HeapInuse",
// `go_goroutines` -> "/sched/goroutines:goroutines", runtime/metrics names
// the collector exports (`go_memory_classes_heap_free_bytes`) -> their
// runtime/metrics name, `process_resident_memory_bytes` -> "process.rss_bytes".
// Empty when the sample is not one of those (it keeps its own name).
std::string goClientSeriesName(std::string_view name, std::string_view labels);

} // namespace memscope
