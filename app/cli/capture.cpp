// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope capture`: rounds of captures from a running service into a case,
// until --for or --count says stop, or Ctrl+C does (after the round in
// progress, which is written whole or not at all).
#include "capture/capture.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "import/capture_time.h"
#include "io/http_get.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace memscope::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void onStopSignal(int) { g_stop = true; }

// "10s", "500ms", "30m", "2h", "90" (seconds) -> ns; nothing when malformed.
std::optional<int64_t> parseDuration(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
        ++i;
    if (i == 0)
        return std::nullopt;
    double v = std::atof(s.substr(0, i).c_str());
    std::string unit = s.substr(i);
    double scale = unit.empty() || unit == "s" ? 1e9
                   : unit == "ms"              ? 1e6
                   : unit == "m"               ? 60e9
                   : unit == "h"               ? 3600e9
                                               : -1;
    if (scale < 0 || v <= 0)
        return std::nullopt;
    return int64_t(v * scale);
}

std::string mib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
    return buf;
}

std::string clock(int64_t ns) {
    int64_t s = ns / 1'000'000'000;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", (long long)(s / 3600),
                  (long long)(s / 60 % 60), (long long)(s % 60));
    return buf;
}

} // namespace

int cmdCapture(const std::vector<std::string>& argv) {
    Args a =
        parse(argv, 2,
              {"--url", "--pid", "--every", "--for", "--count", "--heapdump-every", "--target",
               "--smaps-every", "--pprof-path", "--vars-path", "--metrics-path", "--heapdump-path",
               "--timeout", "--proc-root", "--max-goroutine-dump", "--allocs-seconds", "--fds"},
              {"--remote", "--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("capture needs one case file (created when it does not exist)");
    CaptureOptions o;
    if (auto url = a.opt("--url"))
        o.url = *url;
    else
        return usageError("capture needs --url http://HOST:PORT (the service's debug server)");
    if (a.opt("--pid") && a.flag("--remote"))
        return usageError("--pid reads this machine's /proc; --remote says the service is "
                          "elsewhere: choose one");
    if (auto pid = a.opt("--pid")) {
        int64_t v = 0;
        if (!parseWholeInt(*pid, v) || v <= 0)
            return usageError("--pid needs a process id");
        o.pid = v;
    }
    auto duration = [&](const char* name, int64_t& into) -> bool {
        if (auto v = a.opt(name)) {
            auto d = parseDuration(*v);
            if (!d)
                return false;
            into = *d;
        }
        return true;
    };
    int64_t forNs = 0;
    if (!duration("--every", o.everyNs) || !duration("--for", forNs) ||
        !duration("--timeout", o.requestTimeoutNs))
        return usageError("durations are written 500ms, 10s, 30m or 2h");
    int64_t count = 0;
    auto whole = [&](const char* name, int64_t& into) -> bool {
        if (auto v = a.opt(name))
            return parseWholeInt(*v, into) && into >= 0;
        return true;
    };
    int64_t heapdumpEvery = 0, smapsEvery = o.smapsEvery;
    if (!whole("--count", count) || !whole("--heapdump-every", heapdumpEvery) ||
        !whole("--smaps-every", smapsEvery))
        return usageError("--count, --heapdump-every and --smaps-every take whole numbers");
    if (auto v = a.opt("--allocs-seconds")) {
        int64_t n = 0;
        if (!parseWholeInt(*v, n) || n < 0 || n > 3600)
            return usageError("--allocs-seconds takes whole seconds (0: never)");
        o.allocsSeconds = int(n);
    }
    if (auto v = a.opt("--fds")) {
        if (*v != "proc" && *v != "lsof" && *v != "ss")
            return usageError("--fds reads descriptors with proc, lsof or ss");
        if (!o.pid)
            return usageError("--fds looks at a process on this machine: give --pid");
        o.fdSource = *v;
    }
    o.heapdumpEvery = int(heapdumpEvery);
    o.smapsEvery = int(smapsEvery);
    if (auto v = a.opt("--target"))
        o.target = *v;
    if (auto v = a.opt("--pprof-path"))
        o.pprofPath = *v;
    if (auto v = a.opt("--vars-path"))
        o.varsPath = *v;
    if (auto v = a.opt("--metrics-path"))
        o.metricsPath = *v;
    if (auto v = a.opt("--heapdump-path"))
        o.heapdumpPath = *v;
    if (auto v = a.opt("--max-goroutine-dump")) {
        int64_t n = 0;
        if (!parseWholeInt(*v, n) || n <= 0)
            return usageError("--max-goroutine-dump takes a number of bytes");
        o.maxGoroutineDumpBytes = uint64_t(n);
    }
    if (auto v = a.opt("--proc-root"))
        o.procRoot = *v;
    if (o.url.rfind("http://", 0) != 0)
        return usageError("--url must be an http:// URL (https: reach the port through a tunnel)");
    if (o.pid && access((o.procRoot + "/" + std::to_string(*o.pid)).c_str(), F_OK) != 0)
        return usageError("no process " + std::to_string(*o.pid) + " on this machine (" +
                          o.procRoot + "); use --remote for a service elsewhere");

    auto store = CaseStore::open(a.positional[0]);
    if (!store) {
        std::cerr << store.error().withFile(a.positional[0]).toString() << "\n";
        return kInputFailed;
    }
    const bool json = a.flag("--json");
    const bool tty = isatty(STDERR_FILENO);
    struct sigaction sa {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    CaptureSession session(**store, o);
    const int64_t start = monotonicNs();
    uint64_t totalBytes = 0;
    int rounds = 0, failedRounds = 0, snapshots = 0;
    std::string lastError;
    // Prints a round's line (or JSON object) and its warnings.
    auto show = [&](const RoundReport& report, bool last) {
        totalBytes += report.bytes;
        snapshots += report.snapshots;
        if (!report.warnings.empty())
            lastError = report.warnings.back();
        if (json) {
            JsonWriter w(/*pretty=*/false); // a line per round
            w.beginObject();
            w.field("round", int64_t(report.round));
            w.field("time", formatTimeIso(report.timeNs));
            if (last)
                w.field("after_last_round", true);
            w.field("bytes", report.bytes);
            w.field("snapshots", int64_t(report.snapshots));
            w.key("warnings").beginArray();
            for (const auto& m : report.warnings)
                w.value(m);
            w.endArray();
            w.endObject();
            std::cout << w.str() << std::endl;
        }
        if (!tty) {
            for (const auto& m : report.warnings)
                std::cerr << "round " << report.round << ": warning: " << terminalSafe(m) << "\n";
        }
        if (tty) {
            std::cerr << "\r\033[Kround " << report.round << "  " << clock(monotonicNs() - start)
                      << "  " << mib(totalBytes) << "  " << report.snapshots << " snapshots"
                      << (lastError.empty() ? ""
                                            : "  last: " + terminalSafe(lastError.substr(0, 100)))
                      << std::flush;
        }
    };
    for (;;) {
        const int64_t roundStart = monotonicNs();
        // The round must end by the next one's start, a slow service or not.
        auto report = session.round(roundStart + o.everyNs, [] { return g_stop.load(); });
        ++rounds;
        if (!report) {
            ++failedRounds;
            lastError = report.error().toString();
            std::cerr << (tty ? "\n" : "") << "round " << rounds << ": " << lastError << "\n";
        } else {
            show(*report, false);
        }
        if (g_stop)
            break;
        if (count > 0 && rounds >= count)
            break;
        if (forNs > 0 && monotonicNs() + 1 - start >= forNs)
            break;
        // Sleep until the next round, waking for Ctrl+C.
        const int64_t next = roundStart + o.everyNs;
        while (!g_stop && monotonicNs() < next && !(forNs > 0 && monotonicNs() - start >= forNs))
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (g_stop || (forNs > 0 && monotonicNs() - start >= forNs))
            break;
    }
    // A heap or goroutine dump still downloading is waited for as long as
    // another round would have had (not at all after Ctrl+C).
    if (!session.inFlight().empty()) {
        auto last =
            session.finish(g_stop ? 0 : monotonicNs() + o.everyNs, [] { return g_stop.load(); });
        if (last)
            show(*last, true);
        else
            std::cerr << (tty ? "\n" : "") << last.error().toString() << "\n";
    }
    if (tty)
        std::cerr << "\n";
    if (!json)
        std::cerr << rounds << " round(s), " << mib(totalBytes) << " fetched into "
                  << a.positional[0] << (g_stop ? " (stopped)" : "") << "\n";
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (snapshots == 0) {
        std::cerr << "nothing was captured: every fetch failed (see the warnings above)\n";
        return kInputFailed;
    }
    return kOk;
}

} // namespace memscope::cli
