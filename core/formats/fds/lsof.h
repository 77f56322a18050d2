// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "io/input.h"
#include "model/fds.h"

#include <string_view>

namespace memscope {

bool looksLikeLsofText(std::string_view head);
bool looksLikeLsofFields(std::string_view head);
// `lsof -n -P -p PID` (the first process when several are listed).
Result<FdSnapshot> parseLsofText(ByteStream& in);
// `lsof -F ...` and `-F0`, with -T states.
Result<FdSnapshot> parseLsofFields(ByteStream& in);

} // namespace memscope
