// SPDX-License-Identifier: GPL-3.0-or-later
// What `memscope diff` adds for two heap dumps: the objects that survived
// between them, the new and the freed ones, and what each root's retained
// bytes are made of.
#pragma once

#include "analysis/heapdiff/heapdiff.h"
#include "base/json_writer.h"

#include <string>

namespace memscope::cli {

// `casePath` names the case in the line that shows how to follow a new
// object with `memscope paths`; empty when the case lives in memory only.
void printObjectDiff(const HeapObjectDiff& d, long limit, SnapshotId base, SnapshotId now,
                     const std::string& casePath);
void writeObjectDiffJson(JsonWriter& w, const HeapObjectDiff& d, long limit);

// What an object diff cannot know, one paragraph for text and JSON alike.
extern const char* const kObjectDiffLimits;

} // namespace memscope::cli
