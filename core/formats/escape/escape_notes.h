// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "io/input.h"
#include "model/escape.h"

#include <string_view>
#include <vector>

namespace memscope {

bool looksLikeEscapeNotes(std::string_view head);
Result<std::vector<EscapeNote>> parseEscapeNotes(ByteStream& in);

} // namespace memscope
