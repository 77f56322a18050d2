// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "io/input.h"
#include "model/fds.h"

#include <string_view>

namespace memscope::ss {

// `ss -tanp`, `ss -tanpi` (info lines skipped), `ss -uanp`, filtered output
// without the State column, and -H output without a header. States come out
// in lsof's spelling (ESTAB -> ESTABLISHED), so both land in the same tables.
// With several processes, the one owning most sockets is the snapshot's.
bool looksLikeSs(std::string_view head);
Result<FdSnapshot> parse(ByteStream& in);

} // namespace memscope::ss
