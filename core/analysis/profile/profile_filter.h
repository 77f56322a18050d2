// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "model/profile.h"

#include <string>

namespace memscope {

// pprof's -focus, -ignore and -hide, with their meaning: each is a regular
// expression searched (unanchored) in function names.
//  - focus keeps the samples with a frame whose function or file matches;
//  - ignore drops the samples with a frame whose function or file matches;
//  - hide removes the matching frames from every stack, keeping the samples.
// The expressions are ECMAScript's (std::regex), which agree with RE2 on the
// usual `pkg\.Func|other` patterns; RE2-only syntax such as (?i) is an error.
struct ProfileFilter {
    std::string focus, ignore, hide;
    bool empty() const { return focus.empty() && ignore.empty() && hide.empty(); }
    bool operator==(const ProfileFilter&) const = default;
};

// The profile with the filter applied: the same functions and sample types,
// the kept samples, locations stripped of hidden lines. An expression that
// does not compile is a Usage error naming it.
Result<Profile> filterProfile(const Profile& p, const ProfileFilter& filter);

// A focus expression matching exactly these function names, regex characters
// escaped: "what runs through a goroutine group's functions".
std::string focusOnFunctions(const std::vector<std::string>& functions);

} // namespace memscope
