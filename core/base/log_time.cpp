// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/log_time.h"

#include <array>

namespace memscope {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// n digits at p into `out`, advancing p.
bool digits(std::string_view s, size_t& p, size_t n, int& out) {
    if (p + n > s.size())
        return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!isDigit(s[p + i]))
            return false;
        v = v * 10 + (s[p + i] - '0');
    }
    out = v;
    p += n;
    return true;
}

bool lit(std::string_view s, size_t& p, char c) {
    if (p < s.size() && s[p] == c) {
        ++p;
        return true;
    }
    return false;
}

// hh:mm:ss[.fraction] at p.
bool clock(std::string_view s, size_t& p, int& h, int& m, int& sec, int64_t& fracNs) {
    if (!digits(s, p, 2, h) || !lit(s, p, ':') || !digits(s, p, 2, m) || !lit(s, p, ':') ||
        !digits(s, p, 2, sec))
        return false;
    if (h > 23 || m > 59 || sec > 60)
        return false;
    fracNs = 0;
    if (p + 1 < s.size() && (s[p] == '.' || s[p] == ',') && isDigit(s[p + 1])) {
        ++p;
        int64_t scale = 100000000;
        while (p < s.size() && isDigit(s[p])) {
            fracNs += (s[p] - '0') * scale;
            scale /= 10;
            ++p;
        }
    }
    return true;
}

// Z, +hh:mm, +hhmm, -hh, " +0100" or " UTC" after the clock: the zone's
// offset east of UTC in seconds; nothing read means UTC.
int64_t zone(std::string_view s, size_t& p) {
    size_t q = p;
    if (lit(s, q, 'Z') || lit(s, q, 'z')) {
        p = q;
        return 0;
    }
    if (q < s.size() && s[q] == ' ')
        ++q;
    if (s.substr(q, 3) == "UTC") {
        p = q + 3;
        return 0;
    }
    if (q < s.size() && (s[q] == '+' || s[q] == '-')) {
        int sign = s[q] == '-' ? -1 : 1;
        ++q;
        int hh = 0, mm = 0;
        if (!digits(s, q, 2, hh))
            return 0;
        lit(s, q, ':');
        size_t r = q;
        if (digits(s, r, 2, mm))
            q = r;
        if (hh > 14 || mm > 59)
            return 0;
        p = q;
        return sign * (hh * 3600 + mm * 60);
    }
    return 0;
}

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int64_t toNs(int64_t year, int month, int day, int h, int m, int sec, int64_t fracNs) {
    int64_t days = daysFromCivil(year, unsigned(month), unsigned(day));
    return ((days * 86400) + h * 3600 + m * 60 + sec) * 1000000000 + fracNs;
}

bool plausibleDate(int64_t year, int month, int day) {
    return year >= 1970 && year <= 2261 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

} // namespace

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + int64_t(doe) - 719468;
}

int yearOf(int64_t ns) {
    int64_t days = ns / 86400000000000;
    if (ns < 0 && ns % 86400000000000 != 0)
        --days;
    // Civil from days (Howard Hinnant's algorithm), the year only.
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned doe = unsigned(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return int(int64_t(yoe) + era * 400 + (month <= 2));
}

std::optional<LogTime> logLineTime(std::string_view s, int yearIfMissing, int64_t notAfterNs) {
    size_t p = 0;
    lit(s, p, '[');
    const size_t start = p;
    int Y = 0, M = 0, D = 0, h = 0, m = 0, sec = 0;
    int64_t frac = 0;
    // A year without one: the given year, or the one before when the time
    // would otherwise lie in the future of the log.
    auto noYear = [&](size_t end) -> std::optional<LogTime> {
        if (!plausibleDate(yearIfMissing, M, D))
            return std::nullopt;
        int64_t ns = toNs(yearIfMissing, M, D, h, m, sec, frac);
        if (notAfterNs > 0 && ns > notAfterNs + 86400 * int64_t(1000000000) && yearIfMissing > 1970)
            ns = toNs(yearIfMissing - 1, M, D, h, m, sec, frac);
        return LogTime{ns, end};
    };

    // 2026-02-26T12:52:23.767Z, 2026-02-26 12:52:23, 2026/02/26 12:52:23
    {
        size_t q = start;
        if (digits(s, q, 4, Y) && q < s.size() && (s[q] == '-' || s[q] == '/')) {
            const char sep = s[q++];
            if (digits(s, q, 2, M) && lit(s, q, sep) && digits(s, q, 2, D) && q < s.size() &&
                (s[q] == 'T' || s[q] == ' ')) {
                ++q;
                if (clock(s, q, h, m, sec, frac) && plausibleDate(Y, M, D)) {
                    int64_t offset = zone(s, q);
                    return LogTime{toNs(Y, M, D, h, m, sec, frac) - offset * 1000000000, q};
                }
            }
        }
    }
    // Feb 26 12:52:23.767 (the day may be padded with a space: "Feb  6")
    {
        size_t q = start;
        for (size_t i = 0; i < kMonths.size(); ++i) {
            if (s.substr(q, 3) != kMonths[i])
                continue;
            q += 3;
            if (!lit(s, q, ' '))
                break;
            lit(s, q, ' ');
            M = int(i) + 1;
            if (!(digits(s, q, 2, D) || digits(s, q, 1, D)) || !lit(s, q, ' '))
                break;
            if (clock(s, q, h, m, sec, frac))
                return noYear(q);
            break;
        }
    }
    // I0226 12:52:23.767123 (glog's severity letter, month and day)
    {
        size_t q = start;
        if (q < s.size() &&
            (s[q] == 'I' || s[q] == 'W' || s[q] == 'E' || s[q] == 'F' || s[q] == 'D')) {
            ++q;
            if (digits(s, q, 2, M) && digits(s, q, 2, D) && lit(s, q, ' ') &&
                clock(s, q, h, m, sec, frac))
                return noYear(q);
        }
    }
    return std::nullopt;
}

} // namespace memscope
