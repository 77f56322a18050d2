// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "io/input.h"
#include "model/profile.h"

#include <map>
#include <string>
#include <string_view>

namespace memscope {

// A legacy `heap?debug=1` text profile, read into the same Profile a
// profile.proto gives. Values are unsampled the way pprof does it (rate =
// the header's heap/N over 2), so totals match `go tool pprof` on the same
// file; unlike pprof, the `#` symbol lines are used, inlined frames included.
struct HeapText {
    Profile profile;
    // The `# runtime.MemStats` trailer, numbers only ("Alloc", "NumGC", ...;
    // "Stack" gives "StackInuse"/"StackSys").
    std::map<std::string, double> memstats;
};

bool looksLikeHeapText(std::string_view head);
Result<HeapText> parseHeapText(ByteStream& in);

// runtime/pprof's scaleHeapSample: (count, bytes) sampled at `rate` to estimates.
void scaleHeapSample(int64_t count, int64_t bytes, int64_t rate, int64_t& outCount,
                     int64_t& outBytes);

} // namespace memscope
