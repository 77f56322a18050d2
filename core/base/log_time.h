// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace memscope {

// The wall-clock time a log line starts with, as loggers and log collectors
// write it in front of a program's own output:
//   2026-02-26T12:52:23.767Z          ISO 8601, RFC 3339, container runtimes
//   2026-02-26 12:52:23,767 +0100     ISO with a space, a comma, a zone
//   2026/02/26 12:52:23.767123        Go's log package
//   Feb 26 12:52:23.767               syslog, journalctl (no year)
//   I0226 12:52:23.767123             glog, klog (no year)
// An opening '[' is skipped. A time without a zone is UTC; a time without a
// year takes `yearIfMissing`, or the year before when that would put it more
// than a day after `notAfterNs` (a log read in January written in December).
// Nanoseconds since the epoch, and where the time ends in `line`.
struct LogTime {
    int64_t ns = 0;
    size_t end = 0;
};
std::optional<LogTime> logLineTime(std::string_view line, int yearIfMissing,
                                   int64_t notAfterNs = 0);

// The calendar year (UTC) of a time in nanoseconds since the epoch.
int yearOf(int64_t ns);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d);

} // namespace memscope
