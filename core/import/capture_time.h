// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memscope {

// A capture time from a file name: ISO 8601 (2026-11-26T16:59:01Z,
// 2026-11-26T16:59:01.5+02:00), its basic form (20261126T165901Z), or epoch
// seconds (a 10-digit run). Nanoseconds since the epoch, UTC. A time outside
// 1970..2262 (what int64 nanoseconds hold) is no time: nothing is returned and
// `warning`, when given, says why, so the caller falls back to another source.
std::optional<int64_t> timeFromFileName(std::string_view name, std::string* warning = nullptr);

// "2026-11-26T16:59:01Z" (milliseconds when not whole seconds).
std::string formatTimeIso(int64_t ns);

// Accepts what timeFromFileName accepts, plus plain integer unix seconds;
// nothing outside 1970..2262.
std::optional<int64_t> parseTimeArg(std::string_view text);

} // namespace memscope
