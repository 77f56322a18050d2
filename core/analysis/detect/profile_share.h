// SPDX-License-Identifier: GPL-3.0-or-later
// Questions the detectors ask of the latest heap profile: who calls into a
// machinery, and how much of a site's memory comes through some code.
#pragma once

#include "model/profile.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

namespace memscope::detect {

// Inuse bytes of the latest heap profile grouped by the first user frame
// found walking toward the root from a frame that matches `from`.
std::map<std::tuple<std::string, std::string, int64_t>, int64_t>
userCallersOf(const Profile& p, bool (*from)(const std::string&));

// Share of a leaf function's inuse bytes whose stacks pass through a
// function `through` accepts.
double shareThrough(const Profile& p, const std::string& leaf, bool (*through)(const std::string&));
// ... through one of these source lines (file, line).
double shareThroughFrames(const Profile& p, const std::string& leaf,
                          const std::set<std::pair<std::string, int64_t>>& lines);

bool isHttpClientMachinery(const std::string& function);
bool isHttpServerConn(const std::string& function);
bool isHttpClientEntry(const std::string& function);

} // namespace memscope::detect
