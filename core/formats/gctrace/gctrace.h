// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "io/input.h"
#include "model/gc.h"

#include <string_view>
#include <vector>

namespace memscope {

bool looksLikeGcTrace(std::string_view head);
// Lines that are not gc lines (program output, "GC forced", scav lines) are
// skipped. A gc line may follow a log prefix; `yearIfMissing` and
// `notAfterNs` complete prefixes without a year (see logLineTime).
Result<std::vector<GcRun>> parseGcTraceRuns(ByteStream& in, int yearIfMissing = 1970,
                                            int64_t notAfterNs = 0);
// All runs' cycles, one after the other.
Result<std::vector<GcCycle>> parseGcTrace(ByteStream& in);

} // namespace memscope
