// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/profile.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memscope {

// One source line of a function, valued as pprof's list view does: flat =
// samples whose leaf frame is this line, cum = samples with this line
// anywhere in the stack (once per sample).
struct SourceLineValue {
    int64_t line = 0;
    int64_t flat = 0;
    int64_t cum = 0;
};

struct FunctionLines {
    std::string function;
    std::string file;
    int64_t startLine = 0;
    std::string sample, unit;
    std::vector<SourceLineValue> lines; // by line number
};

// The lines of `function` that carry samples of `sampleIndex` (-1: the
// profile's default sample type).
FunctionLines functionLines(const Profile& p, int sampleIndex, const std::string& function);

// Where `file` (as a profile or escape note names it: an absolute build path,
// "module/pkg/file.go" or "./file.go") lives under `root`: the longest suffix
// of its path that exists there, module and GOPATH (src/...) layouts
// included. Never a path outside `root`, symbolic links resolved; nothing
// when `root` is empty.
std::optional<std::string> resolveSourcePath(const std::string& root, const std::string& file);

// The file's lines, at most `maxBytes` read; nothing when it cannot be read.
std::optional<std::vector<std::string>> readSourceLines(const std::string& path,
                                                        size_t maxBytes = 16u << 20);

} // namespace memscope
