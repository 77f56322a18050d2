// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/capture_time.h"

#include "base/log_time.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace memscope {

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size())
        return false;
    out = 0;
    for (size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (!std::isdigit(static_cast<unsigned char>(c)))
            return false;
        out = out * 10 + (c - '0');
    }
    return true;
}

// The seconds int64 nanoseconds can count from the epoch: up to
// 2262-04-11T23:47:16Z.
constexpr int64_t kMaxSeconds = INT64_MAX / 1000000000;

enum class DateTime { None, Ok, OutOfRange };

// Tries to read a date-time at pos; on success sets ns and the end position.
// A well-formed date outside 1970..2262 (what int64 nanoseconds hold) is
// OutOfRange, never a time wrapped into some other century.
DateTime dateTimeAt(std::string_view s, size_t pos, int64_t& ns, size_t& end) {
    int Y, M, D, h, m, sec;
    size_t p = pos;
    bool extended = p + 4 < s.size() && s[p + 4] == '-';
    if (!digits(s, p, 4, Y))
        return DateTime::None;
    p += 4;
    if (extended && s[p++] != '-')
        return DateTime::None;
    if (!digits(s, p, 2, M))
        return DateTime::None;
    p += 2;
    if (extended && (p >= s.size() || s[p++] != '-'))
        return DateTime::None;
    if (!digits(s, p, 2, D))
        return DateTime::None;
    p += 2;
    if (p >= s.size() || (s[p] != 'T' && s[p] != '_' && s[p] != ' ' && s[p] != 't'))
        return DateTime::None;
    ++p;
    if (!digits(s, p, 2, h))
        return DateTime::None;
    p += 2;
    if (extended && p < s.size() && (s[p] == ':' || s[p] == '-' || s[p] == '.'))
        ++p;
    if (!digits(s, p, 2, m))
        return DateTime::None;
    p += 2;
    if (extended && p < s.size() && (s[p] == ':' || s[p] == '-' || s[p] == '.'))
        ++p;
    if (!digits(s, p, 2, sec))
        return DateTime::None;
    p += 2;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return DateTime::None;
    int64_t frac = 0;
    if (p + 1 < s.size() && (s[p] == '.' || s[p] == ',') &&
        std::isdigit(static_cast<unsigned char>(s[p + 1]))) {
        ++p;
        int64_t scale = 100000000;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
            frac += (s[p] - '0') * scale;
            scale /= 10;
            ++p;
        }
    }
    int64_t offsetSec = 0;
    if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
        ++p;
    } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
        int oh, om = 0;
        int sign = s[p] == '-' ? -1 : 1;
        if (digits(s, p + 1, 2, oh)) {
            size_t q = p + 3;
            if (q < s.size() && s[q] == ':')
                ++q;
            if (digits(s, q, 2, om))
                q += 2;
            offsetSec = sign * (oh * 3600 + om * 60);
            p = q;
        }
    }
    end = p;
    int64_t days = daysFromCivil(Y, unsigned(M), unsigned(D));
    int64_t secs = days * 86400 + h * 3600 + m * 60 + sec - offsetSec;
    if (Y < 1970 || secs < 0 || secs > kMaxSeconds ||
        (secs == kMaxSeconds && frac > INT64_MAX - kMaxSeconds * 1000000000))
        return DateTime::OutOfRange;
    ns = secs * 1000000000 + frac;
    return DateTime::Ok;
}

} // namespace

std::optional<int64_t> timeFromFileName(std::string_view name, std::string* warning) {
    auto outOfRange = [&](std::string_view what) {
        if (warning)
            *warning = "the time in the file name (" + std::string(what) +
                       ") is outside 1970..2262, the range of nanosecond times; not used";
    };
    for (size_t i = 0; i + 15 <= name.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(name[i])))
            continue;
        if (i > 0 && std::isdigit(static_cast<unsigned char>(name[i - 1])))
            continue;
        int64_t ns;
        size_t end;
        switch (dateTimeAt(name, i, ns, end)) {
            case DateTime::Ok: return ns;
            case DateTime::OutOfRange: outOfRange(name.substr(i, end - i)); return std::nullopt;
            case DateTime::None: break;
        }
    }
    // Epoch seconds: a run of exactly 10 digits (2001-09-09 .. 2262-04-11).
    for (size_t i = 0; i < name.size();) {
        if (!std::isdigit(static_cast<unsigned char>(name[i]))) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j])))
            ++j;
        if (j - i == 10 && name[i] != '0') {
            int64_t v = 0;
            for (size_t k = i; k < j; ++k)
                v = v * 10 + (name[k] - '0');
            if (v > kMaxSeconds) {
                outOfRange(name.substr(i, j - i));
                return std::nullopt;
            }
            return v * 1000000000;
        }
        i = j;
    }
    return std::nullopt;
}

std::string formatTimeIso(int64_t ns) {
    int64_t secs = ns >= 0 ? ns / 1000000000 : (ns - 999999999) / 1000000000;
    int64_t rem = ns - secs * 1000000000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t sod = secs - days * 86400;
    // civil from days
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned doe = unsigned(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = int64_t(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char buf[64];
    if (rem / 1000000)
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                      (long long)y, m, d, (long long)(sod / 3600), (long long)(sod / 60 % 60),
                      (long long)(sod % 60), (long long)(rem / 1000000));
    else
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", (long long)y, m, d,
                      (long long)(sod / 3600), (long long)(sod / 60 % 60), (long long)(sod % 60));
    return buf;
}

std::optional<int64_t> parseTimeArg(std::string_view text) {
    bool allDigits = !text.empty();
    for (char c : text)
        allDigits = allDigits && std::isdigit(static_cast<unsigned char>(c));
    if (allDigits && text.size() <= 12) {
        int64_t v = 0;
        for (char c : text)
            v = v * 10 + (c - '0');
        if (v > kMaxSeconds)
            return std::nullopt;
        return v * 1000000000;
    }
    int64_t ns;
    size_t end;
    if (dateTimeAt(text, 0, ns, end) == DateTime::Ok && end == text.size())
        return ns;
    return std::nullopt;
}

} // namespace memscope
