// SPDX-License-Identifier: GPL-3.0-or-later
// The dispatcher: a table of subcommands, each with its usage lines, from
// which --help is written; the commands live in a file each beside this one.
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/plugins.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>

namespace memscope::cli {

namespace {

struct Command {
    const char* name;
    int (*run)(const std::vector<std::string>& argv);
    const char* usage; // its lines in --help, in the table's order
};

// A line of the table is a line of --help.
// clang-format off
const Command kCommands[] = {
    {"import", cmdImport,
     "  memscope import CASE PATH... [--target NAME] [--binary EXE]\n"
     "                                          import files and folders into CASE\n"},
    {"info", cmdInfo, "  memscope info CASE [--json]             targets, snapshots, time span\n"},
    {"top", cmdTop,
     "  memscope top CASE|FILE [--snapshot ID] [--sample NAME] [-n N] [--json]\n"
     "                                          functions by flat and cum, like pprof -top\n"},
    {"goroutines", cmdGoroutines,
     "  memscope goroutines CASE [--snapshot ID] [--label KEY=VALUE]... [-n N] [--json]\n"
     "  memscope goroutines CASE --cost [-n N] [--json]\n"
     "                                          goroutine groups of a dump, largest first;\n"
     "                                          --cost: every group by heap, sockets, growth\n"},
    {"diff", cmdDiff,
     "  memscope diff CASE A B | FILE_A FILE_B [--sample NAME] [-n N] [--json]\n"
     "                                          what changed between two snapshots of a kind\n"},
    {"annotate", cmdAnnotate,
     "  memscope annotate CASE (--at TIME | --from TIME --to TIME | --snapshot ID) --text TEXT\n"
     "                    [--severity info|warning|critical] [--series KEY]   | --remove ID\n"},
    {"annotations", cmdAnnotations,
     "  memscope annotations CASE [--json]      notes that charts and reports carry\n"},
    {"export-chart", cmdExportChart,
     "  memscope export-chart CASE --chart heap|gc|goroutines|fds|connections|finalizers\n"
     "                    [--from TIME --to TIME] [--size WxH] [--scale 2] -o FILE.png|svg|pdf\n"
     "  memscope export-chart CASE --chart flame [--snapshot ID] [--base ID] [--sample NAME] -o FILE\n"
     "                                          a heap profile's flame graph, or its change since --base\n"},
    {"findings", cmdFindings,
     "  memscope findings CASE [--limit NAME=VALUE]... [--json]\n"
     "                                          the traps memscope finds, with their evidence\n"},
    {"forecast", cmdForecast,
     "  memscope forecast CASE [--limit NAME=VALUE]... [--json]\n"
     "                                          when growing series reach their limits\n"},
    {"series", cmdSeries,
     "  memscope series CASE [--match TEXT] [--json]\n"
     "                                          every time line of the case, with its points\n"},
    {"capture", cmdCapture,
     "  memscope capture CASE --url http://HOST:PORT [--pid PID | --remote] [--every 10s]\n"
     "                    [--for 30m | --count N] [--heapdump-every N] [--allocs-seconds N]\n"
     "                    [--fds proc|lsof|ss] [--target NAME] [--json]\n"
     "                                          rounds of captures from a running service\n"},
    {"rss", cmdRss,
     "  memscope rss CASE [--snapshot ID] [--all] [--json]\n"
     "                                          where the resident memory goes, and what says so\n"},
    {"retention", cmdRetention,
     "  memscope retention CASE [--snapshot ID] [--by site|root|object|finalizer] [-n N] [--json]\n"
     "                                          what keeps a heap dump's memory alive\n"},
    {"paths", cmdPaths,
     "  memscope paths CASE [--snapshot ID] (--site FUNCTION | --object ADDR) [-n N] [--hops N] [--json]\n"
     "                                          shortest chains from roots to objects\n"},
    {"report", cmdReport,
     "  memscope report CASE [--format md|html|json] [-o FILE] [--limit NAME=VALUE]...\n"
     "                                          postmortem report: findings, evidence, charts\n"},
    {"formats", cmdFormats,
     "  memscope formats                        the capture formats this memscope reads\n"},
};
// clang-format on

std::optional<int> dispatch(const std::vector<std::string>& args) {
    // Plugins load before any command, so each sees their formats.
    pluginLog(args.empty() ? "" : args[0]);
    if (args.size() < 2)
        return std::nullopt;
    const std::string& cmd = args[1];
    for (const Command& c : kCommands)
        if (cmd == c.name)
            return c.run(args);
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        std::cout << usage();
        return kOk;
    }
    if (cmd == "--version") {
        std::cout << "memscope " << MEMSCOPE_VERSION << "\n";
        return kOk;
    }
    if (cmd == "--demo" && headless())
        return printDemoReport(args);
    if (!cmd.empty() && cmd[0] != '-' && args.size() > 2)
        return usageError("unknown command " + cmd);
    return std::nullopt;
}

} // namespace

std::string usage() {
    std::string text =
        "usage:\n"
        "  memscope [CASE]                         open the workbench (on CASE)\n"
        "  memscope --demo                         open the workbench on the bundled demo case\n";
    for (const Command& c : kCommands)
        text += c.usage;
    return text + "\nexit status: 0 ok, 1 some input failed (the rest was done), 2 usage error\n";
}

int usageError(const std::string& msg) {
    std::cerr << "memscope: " << msg << "\n\n" << usage();
    return kUsage;
}

int readFailed(const Error& e) {
    std::cerr << "memscope: " << e.toString() << "\n";
    return kInputFailed;
}

std::optional<int> run(const std::vector<std::string>& args) {
    std::optional<int> rc;
    try {
        rc = dispatch(args);
    } catch (const std::bad_alloc&) {
        // Under a memory limit (ulimit -v, a container's) an allocation can
        // fail anywhere: a clear failure, not an abort.
        std::cerr
            << "memscope: out of memory: the input needs more memory than this process may use\n";
        return kInputFailed;
    }
    if (!rc)
        return rc;
    // What went to standard output must have arrived: `memscope top ... >
    // /dev/full` or a full disk is a failure, not a silent success.
    // The reason is the errno of the write that failed: nothing since then
    // has failed to overwrite it.
    std::cout.flush();
    bool lost = std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout.good();
    if (lost) {
        int err = errno;
        std::cerr << "memscope: standard output: " << (err ? std::strerror(err) : "write failed")
                  << "\n";
        return *rc == kOk ? kInputFailed : *rc;
    }
    return rc;
}

} // namespace memscope::cli
