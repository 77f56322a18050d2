// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "cli/cli_common.h"

#include "import/capture_time.h"
#include "store/case_store.h"
#include "base/format.h"
#include "import/importer.h"
#include "import/import_batch.h"
#include "io/input.h"
#include "base/json_writer.h"
#include "io/output_file.h"
#include "formats/pprof/pprof_reader.h"
#include "report/report.h"
#include "base/text_util.h"
#include "analysis/profile/top.h"
#include "report/chart_svg.h"

#include "gui_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <new>
#include <unistd.h>

#ifndef MEMSCOPE_LIBDIR
#define MEMSCOPE_LIBDIR "lib"
#endif
#ifndef MEMSCOPE_DATA_DIR
#define MEMSCOPE_DATA_DIR ""
#endif

namespace fs = std::filesystem;

namespace memscope::cli {


Args parse(const std::vector<std::string>& in, size_t from,
           const std::vector<std::string>& withValue, const std::vector<std::string>& flags) {
    Args a;
    for (size_t i = from; i < in.size(); ++i) {
        const std::string& s = in[i];
        if (s.size() > 1 && s[0] == '-') {
            std::string name = s, value;
            auto eq = s.find('=');
            if (eq != std::string::npos) {
                name = s.substr(0, eq);
                value = s.substr(eq + 1);
            }
            if (std::find(withValue.begin(), withValue.end(), name) != withValue.end()) {
                if (eq == std::string::npos) {
                    if (i + 1 >= in.size()) {
                        a.error = name + " needs a value";
                        return a;
                    }
                    value = in[++i];
                }
                a.options.emplace_back(name, value);
            } else if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
                a.options.emplace_back(name, "");
            } else {
                a.error = "unknown option " + name;
                return a;
            }
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

bool Args::flag(const std::string& name) const {
    return std::any_of(options.begin(), options.end(), [&](const auto& o) { return o.first == name; });
}

std::optional<std::string> Args::opt(const std::string& name) const {
    for (const auto& o : options)
        if (o.first == name)
            return o.second;
    return std::nullopt;
}

int usageError(const std::string& msg) {
    std::cerr << "memscope: " << msg << "\n\n" << usage();
    return kUsage;
}

int readFailed(const Error& e) {
    std::cerr << "memscope: " << e.toString() << "\n";
    return kInputFailed;
}

bool isCaseFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    char head[16] = {};
    f.read(head, 16);
    return f.gcount() == 16 && std::string(head, 16) == std::string("SQLite format 3\0", 16);
}

std::unique_ptr<CaseStore> openCaseFor(const std::string& path, bool forWriting) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        std::cerr << "memscope: " << path << ": no such case file\n";
        return nullptr;
    }
    // Reading never writes: no schema into an empty file, no -wal left
    // behind, and a case in a read-only folder still reads. Only a case of an
    // older schema is opened writable, once, to migrate it.
    auto store = CaseStore::open(path, !forWriting);
    if (!store && !forWriting && store.error().code == ErrorCode::Unsupported &&
        store.error().message.find("needs an upgrade") != std::string::npos)
        store = CaseStore::open(path, false);
    if (!store) {
        std::cerr << "memscope: " << store.error().toString() << "\n";
        return nullptr;
    }
    return std::move(*store);
}


int openSnapshot(const Args& a, const std::string& kind, const std::string& what, std::unique_ptr<CaseStore>& store,
                 int64_t& id) {
    store = openCaseFor(a.positional.at(0));
    if (!store)
        return kInputFailed;
    id = pickSnapshot(*store, a, kind, what);
    return id >= 0 ? kOk : id == -2 ? kUsage : kInputFailed;
}

int64_t pickSnapshot(CaseStore& store, const Args& a, const std::string& kind, const std::string& what) {
    if (auto s = a.opt("--snapshot")) {
        char* end = nullptr;
        int64_t id = std::strtoll(s->c_str(), &end, 10);
        auto found = end && *end == 0 ? store.snapshot(id) : std::optional<SnapshotInfo>();
        if (!found) {
            readFailed(found.error());
            return -1;
        }
        const auto& sn = *found;
        if (!sn || sn->kind != kind) {
            usageError("snapshot " + *s + " is not a " + what);
            return -2;
        }
        return id;
    }
    auto list = store.snapshots(kind);
    if (!list) {
        readFailed(list.error());
        return -1;
    }
    if (list->empty()) {
        std::cerr << "memscope: " << store.path() << ": no " << what << "s in the case\n";
        return -1;
    }
    return list->back().id;
}

namespace {

int cmdImport(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--target", "--binary"}, {});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() < 2)
        return usageError("import needs a case file and at least one path");
    auto store = CaseStore::open(a.positional[0]);
    if (!store) {
        std::cerr << "memscope: " << store.error().toString() << "\n";
        return kInputFailed;
    }
    ImportOptions opts;
    opts.targetName = a.opt("--target").value_or("");
    opts.binaryPath = a.opt("--binary").value_or("");
    std::vector<std::string> files, missing;
    listFiles({a.positional.begin() + 1, a.positional.end()}, files, missing);
    for (const auto& m : missing)
        std::cout << "failed     " << terminalSafe(m) << ": no such file or folder\n";
    // On a terminal, a progress line on stderr (overwritten in place).
    Progress progress;
    bool tty = isatty(2);
    if (tty)
        progress.report = [](uint64_t done, uint64_t total, const std::string& what) {
            if (total == 0)
                return;
            std::fprintf(stderr, "\r\033[K%3d%%  %s", int(100 * double(done) / double(total)),
                         terminalSafe(what.substr(0, 100)).c_str());
        };
    else // scripts still hear once per file why nothing moves
        progress.report = [last = std::string()](uint64_t, uint64_t, const std::string& what) mutable {
            if (what.ends_with(kWaitingForCase) && what != last)
                std::fprintf(stderr, "memscope: %s\n", what.c_str());
            last = what;
        };
    BatchSummary sum = importBatch(**store, files, opts, progress, [tty](const ImportOutcome& o) {
        if (tty)
            std::fprintf(stderr, "\r\033[K");
        switch (o.status) {
        case ImportStatus::Imported:
            std::cout << "imported   " << terminalSafe(o.path) << " (" << o.format << ", " << o.snapshotIds.size()
                      << " snapshot" << (o.snapshotIds.size() == 1 ? "" : "s") << ", time from "
                      << o.timeSource << ")\n";
            for (const auto& w : o.warnings)
                std::cout << "  warning: " << terminalSafe(w) << "\n";
            break;
        case ImportStatus::Duplicate:
            std::cout << "duplicate  " << terminalSafe(o.path) << " (already in the case)\n";
            break;
        case ImportStatus::Skipped:
            std::cout << "skipped    " << terminalSafe(o.path) << ": " << terminalSafe(o.error ? o.error->message : "") << "\n";
            break;
        case ImportStatus::Failed:
            std::cout << "failed     " << terminalSafe(o.error ? o.error->toString() : o.path) << "\n";
            break;
        }
        std::cout.flush();
    });
    if (tty)
        std::fprintf(stderr, "\r\033[K");
    int failed = sum.failed + int(missing.size());
    if (sum.stoppedEarly)
        std::cout << "stopped: the case could not be written; " << sum.stoppedEarly
                  << " file(s) not tried (the files imported so far are intact)\n";
    std::cout << sum.imported << " imported, " << sum.duplicate << " duplicate, " << sum.skipped
              << " skipped, " << failed << " failed\n";
    return failed ? kInputFailed : kOk;
}

int cmdInfo(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("info needs one case file");
    auto store = openCaseFor(a.positional[0]);
    if (!store)
        return kInputFailed;
    auto info = a.flag("--json") ? caseInfoJson(*store) : caseInfoText(*store);
    if (!info)
        return readFailed(info.error());
    std::cout << *info;
    return kOk;
}

int cmdTop(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--snapshot", "--sample", "-n"}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("top needs one case or profile file");
    const std::string& path = a.positional[0];
    int limit = 20;
    if (auto n = a.opt("-n")) {
        char* end;
        long v = std::strtol(n->c_str(), &end, 10);
        if (*end || v < 0)
            return usageError("-n takes a count, 0 for all");
        limit = int(v);
    }
    Result<Profile> profile = makeError(ErrorCode::Usage, "");
    std::string label;
    if (isCaseFile(path)) {
        auto store = openCaseFor(path);
        if (!store)
            return kInputFailed;
        int64_t id = 0;
        if (auto s = a.opt("--snapshot")) {
            id = std::strtoll(s->c_str(), nullptr, 10);
            auto sn = store->snapshot(id);
            if (!sn)
                return readFailed(sn.error());
            if (!*sn)
                return usageError("no snapshot " + *s + " in " + path);
        } else {
            auto heaps = store->snapshots("heap");
            if (!heaps)
                return readFailed(heaps.error());
            if (heaps->empty()) {
                auto all = store->snapshots();
                if (!all)
                    return readFailed(all.error());
                for (const auto& s : *all) {
                    auto types = store->sampleTypes(s.id);
                    if (!types)
                        return readFailed(types.error());
                    if (!types->empty())
                        id = s.id;
                }
            } else {
                id = heaps->back().id;
            }
            if (!id) {
                std::cerr << "memscope: " << path << ": no profile snapshots in the case\n";
                return kInputFailed;
            }
        }
        profile = store->loadProfile(id);
        label = "snapshot " + std::to_string(id);
    } else {
        if (a.opt("--snapshot"))
            return usageError("--snapshot needs a case file, " + path + " is a capture");
        profile = readProfileFile(path);
        label = path;
    }
    if (!profile) {
        std::cerr << "memscope: " << profile.error().toString() << "\n";
        return kInputFailed;
    }
    int idx = profile->defaultSampleIndex();
    if (auto s = a.opt("--sample")) {
        idx = profile->sampleIndex(*s);
        if (idx < 0) {
            std::string names;
            for (const auto& t : profile->sampleTypes)
                names += (names.empty() ? "" : ", ") + t.type;
            return usageError("no sample type " + *s + " (have: " + names + ")");
        }
    }
    TopResult top = computeTop(*profile, idx);
    size_t shown = limit == 0 ? top.rows.size() : std::min<size_t>(top.rows.size(), size_t(limit));
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject().field("sample", top.sample).field("unit", top.unit).field("total", top.total);
        w.key("rows").beginArray();
        for (size_t i = 0; i < shown; ++i) {
            const auto& r = top.rows[i];
            w.beginObject().field("function", r.function).field("file", r.file);
            w.field("flat", r.flat).field("cum", r.cum);
            if (!r.inlineLabel.empty())
                w.field("inline", r.inlineLabel);
            w.endObject();
        }
        w.endArray().endObject();
        std::cout << w.str() << "\n";
        return kOk;
    }
    int64_t shownFlat = 0;
    for (size_t i = 0; i < shown; ++i)
        shownFlat += top.rows[i].flat;
    auto pct = [&](int64_t v) { return formatPercent(top.total ? double(v) / double(top.total) : 0); };
    // Names come from the capture: escaped, so none can drive the terminal.
    std::printf("Profile: %s\nType: %s\n", terminalSafe(label).c_str(), terminalSafe(top.sample).c_str());
    std::printf("Showing %zu of %zu functions, accounting for %s, %s of %s total\n", shown,
                top.rows.size(), formatValue(shownFlat, top.unit).c_str(), pct(shownFlat).c_str(),
                formatValue(top.total, top.unit).c_str());
    std::printf("%10s %7s %7s %10s %7s  %s\n", "flat", "flat%", "sum%", "cum", "cum%", "function");
    int64_t sum = 0;
    for (size_t i = 0; i < shown; ++i) {
        const auto& r = top.rows[i];
        sum += r.flat;
        std::string name = terminalSafe(r.function) + (r.inlineLabel.empty() ? "" : " (" + r.inlineLabel + ")");
        std::printf("%10s %7s %7s %10s %7s  %s\n", formatValue(r.flat, top.unit).c_str(),
                    pct(r.flat).c_str(), pct(sum).c_str(), formatValue(r.cum, top.unit).c_str(),
                    pct(r.cum).c_str(), name.c_str());
    }
    return kOk;
}

int cmdGoroutines(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--snapshot", "-n"}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("goroutines needs one case file");
    std::unique_ptr<CaseStore> store;
    int64_t id = 0;
    if (int rc = openSnapshot(a, "goroutines", "goroutine dump", store, id); rc != kOk)
        return rc;
    long limit = 20;
    if (auto n = a.opt("-n"))
        limit = std::strtol(n->c_str(), nullptr, 10);
    auto read = store->goroutineGroups(id);
    if (!read)
        return readFailed(read.error());
    const auto& groups = *read;
    int64_t total = 0;
    for (const auto& g : groups)
        total += g.count;
    size_t shown = limit <= 0 ? groups.size() : std::min(groups.size(), size_t(limit));
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject().field("snapshot", id).field("goroutines", total);
        w.field("groups_total", int64_t(groups.size())).key("groups").beginArray();
        for (size_t i = 0; i < shown; ++i) {
            const auto& g = groups[i];
            w.beginObject().field("count", g.count).field("state", g.state);
            if (!g.role.empty())
                w.field("role", g.role);
            if (g.maxWait >= 0)
                w.field("min_wait_minutes", g.minWait).field("max_wait_minutes", g.maxWait);
            if (g.locked)
                w.field("locked_to_thread", g.locked);
            if (g.leaked)
                w.field("leaked", true);
            w.field("exact_variants", g.exactVariants);
            if (!g.createdBy.empty())
                w.field("created_by", g.createdBy);
            w.key("stack").beginArray();
            for (const auto& f : g.stack)
                w.value(f);
            w.endArray().endObject();
        }
        w.endArray().endObject();
        std::cout << w.str() << "\n";
        return kOk;
    }
    std::cout << "snapshot " << id << ": " << total << " goroutines in " << groups.size()
              << " groups (same functions and lines; arguments and wait times ignored)\n\n";
    for (size_t i = 0; i < shown; ++i) {
        const auto& g = groups[i];
        std::cout << g.count << ": " << terminalSafe(g.state);
        if (g.maxWait >= 0)
            std::cout << " [" << g.minWait << "~" << g.maxWait << " minutes]";
        if (g.locked)
            std::cout << " [locked]";
        if (g.leaked)
            std::cout << " [leaked, says the runtime]";
        if (!g.role.empty())
            std::cout << "  <" << terminalSafe(g.role) << ">";
        std::cout << "\n";
        for (const auto& f : g.stack)
            std::cout << "    " << terminalSafe(f) << "\n";
        if (!g.createdBy.empty())
            std::cout << "  created by " << terminalSafe(g.createdBy) << "\n";
        std::cout << "\n";
    }
    if (shown < groups.size())
        std::cout << "(" << groups.size() - shown << " more groups; -n 0 shows all)\n";
    return kOk;
}

int cmdReport(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--format", "-o"}, {});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("report needs one case file");
    std::string format = a.opt("--format").value_or("md");
    if (format != "md" && format != "json" && format != "html")
        return usageError("--format is md, html or json");
    auto store = openCaseFor(a.positional[0]);
    if (!store)
        return kInputFailed;
    // Markdown written to a file gets its charts as files beside it:
    // REPORT-charts/NAME.png (or .svg in a build without the workbench).
    ReportOptions opts;
    std::string chartError;
    std::vector<fs::path> chartsWritten;
    fs::path chartDir;
    bool chartDirMade = false;
    if (auto out = a.opt("-o"); out && format == "md") {
        fs::path dir = fs::path(*out).parent_path();
        std::string folder = fs::path(*out).stem().string() + "-charts";
        chartDir = dir / folder;
        opts.chartFile = [&, dir, folder](const ChartSpec& chart, const std::string& stem) -> std::string {
            if (!chartError.empty())
                return {}; // one failure is enough: the report is not written
            std::error_code ec;
            chartDirMade = fs::create_directories(chartDir, ec) || chartDirMade;
            // PNG when the workbench module is there to draw it, else SVG.
            std::string unused;
            const gui::Api* gui = guiApi(unused);
            std::string rel = folder + "/" + stem + (gui ? ".png" : ".svg");
            if (gui) {
                if (std::string err = gui->saveChart(chart, (dir / rel).string()); !err.empty()) {
                    chartError = err;
                    return {};
                }
            } else if (auto st = writeOutputFile((dir / rel).string(), renderChartSvg(chart)); !st) {
                chartError = st.error().toString();
                return {};
            }
            chartsWritten.push_back(dir / rel);
            return rel;
        };
    }
    // A report that cannot be written whole leaves nothing behind: its charts
    // go with it.
    auto removeCharts = [&] {
        std::error_code ec;
        for (const auto& f : chartsWritten)
            fs::remove(f, ec);
        if (chartDirMade)
            fs::remove(chartDir, ec); // only when empty
    };
    auto report = format == "json" ? reportJson(*store)
                  : format == "html" ? reportHtml(*store)
                                     : reportMarkdown(*store, opts);
    if (!report) {
        removeCharts();
        return readFailed(report.error());
    }
    const std::string& text = *report;
    if (!chartError.empty()) {
        removeCharts();
        std::cerr << "memscope: " << chartError << "\n";
        return kInputFailed;
    }
    if (auto out = a.opt("-o")) {
        if (auto st = writeOutputFile(*out, text); !st) {
            removeCharts();
            std::cerr << "memscope: " << st.error().toString() << "\n";
            return kInputFailed;
        }
        std::cerr << "wrote " << *out << "\n";
    } else {
        std::cout << text;
    }
    return kOk;
}

} // namespace

// Writes a chart to `out`: through `save` (the workbench's renderers: PNG,
// PDF, SVG) when the build has them, else as SVG only. `save` returns an
// error message, empty on success.
// .svg is written here; .png and .pdf are drawn by the workbench module.
int writeChart(const std::string& out, const std::function<std::string()>& svg,
               const std::function<std::string(const gui::Api&, const std::string&)>& draw) {
    std::string ext = fs::path(out).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext != ".svg" && ext != ".png" && ext != ".pdf")
        return usageError(out + ": the file name must end in .png, .svg or .pdf");
    if (ext == ".svg") {
        if (auto st = writeOutputFile(out, svg()); !st) {
            std::cerr << "memscope: " << st.error().toString() << "\n";
            return kInputFailed;
        }
    } else {
        std::string why;
        const gui::Api* gui = guiApi(why);
        if (!gui) {
            std::cerr << "memscope: " << out << ": PNG and PDF are drawn by the workbench, and " << why
                      << "; write .svg instead\n";
            return kInputFailed;
        }
        if (std::string err = draw(*gui, out); !err.empty()) {
            std::cerr << "memscope: " << err << "\n";
            return kInputFailed;
        }
    }
    std::cerr << "wrote " << out << "\n";
    return kOk;
}

// export-chart --chart flame: a heap snapshot's flame graph, or the diff of
// two with --base.
int exportFlame(const Args& a) {
    std::unique_ptr<CaseStore> store;
    int64_t id = 0;
    if (int st = openSnapshot(a, "heap", "heap profile", store, id); st != kOk)
        return st;
    auto p = store->loadProfile(id);
    if (!p) {
        std::cerr << "memscope: " << p.error().toString() << "\n";
        return kInputFailed;
    }
    std::string sample = a.opt("--sample") ? *a.opt("--sample")
                         : p->sampleIndex("inuse_space") >= 0 ? "inuse_space"
                                                              : p->sampleTypes[size_t(p->defaultSampleIndex())].type;
    int idx = p->sampleIndex(sample);
    if (idx < 0)
        return usageError("snapshot " + std::to_string(id) + " has no sample type " + sample);
    CallTree tree = buildCallTree(*p, idx, "");
    std::string title = "flame graph of snapshot " + std::to_string(id);
    if (auto b = a.opt("--base")) {
        char* end = nullptr;
        int64_t baseId = std::strtoll(b->c_str(), &end, 10);
        auto found = end && *end == 0 ? store->snapshot(baseId) : std::optional<SnapshotInfo>();
        if (!found)
            return readFailed(found.error());
        const auto& sn = *found;
        if (!sn || sn->kind != "heap")
            return usageError("--base " + *b + " is not a heap profile");
        auto bp = store->loadProfile(baseId);
        if (!bp) {
            std::cerr << "memscope: " << bp.error().toString() << "\n";
            return kInputFailed;
        }
        int bi = bp->sampleIndex(sample);
        if (bi < 0)
            return usageError("snapshot " + *b + " has no sample type " + sample);
        tree = diffCallTrees(buildCallTree(*bp, bi, ""), tree);
        title = "change from snapshot " + *b + " to " + std::to_string(id);
    }
    return writeChart(*a.opt("-o"), [&] { return renderFlameSvg(tree, title); },
                      [&](const gui::Api& gui, const std::string& path) { return gui.saveFlameGraph(tree, title, path); });
}

int cmdExportChart(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--chart", "--from", "--to", "-o", "--snapshot", "--base", "--sample"}, {});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1 || !a.opt("--chart") || !a.opt("-o"))
        return usageError("export-chart needs CASE --chart NAME -o FILE");
    std::string name = *a.opt("--chart");
    if (name == "flame")
        return exportFlame(a);
    if (a.opt("--snapshot") || a.opt("--base") || a.opt("--sample"))
        return usageError("--snapshot, --base and --sample are for --chart flame");
    auto names = chartNames();
    if (std::find(names.begin(), names.end(), name) == names.end())
        return usageError("--chart is one of heap, gc, goroutines, fds, connections, finalizers, flame");
    auto store = openCaseFor(a.positional[0]);
    if (!store)
        return kInputFailed;
    auto named = namedChart(*store, name);
    if (!named)
        return readFailed(named.error());
    ChartSpec chart = std::move(*named);
    for (auto [opt, field] : {std::pair{"--from", &chart.fromNs}, std::pair{"--to", &chart.toNs}})
        if (auto v = a.opt(opt)) {
            auto t = parseTimeArg(*v);
            if (!t)
                return usageError(std::string(opt) + " takes ISO 8601 or unix seconds");
            *field = *t;
        }
    if (chart.series.empty()) {
        std::cerr << "memscope: " << a.positional[0] << ": nothing to draw for " << name << "\n";
        return kInputFailed;
    }
    return writeChart(*a.opt("-o"), [&] { return renderChartSvg(chart); },
                      [&](const gui::Api& gui, const std::string& path) { return gui.saveChart(chart, path); });
}

std::string exeDir(const std::string& argv0) {
    std::error_code ec;
    auto self = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        self = fs::absolute(argv0, ec);
    return self.parent_path().string();
}

std::string usage() {
    return "usage:\n"
           "  memscope [CASE]                         open the workbench (on CASE)\n"
           "  memscope --demo                         open the workbench on the bundled demo case\n"
           "  memscope import CASE PATH... [--target NAME] [--binary EXE]\n"
           "                                          import files and folders into CASE\n"
           "  memscope info CASE [--json]             targets, snapshots, time span\n"
           "  memscope top CASE|FILE [--snapshot ID] [--sample NAME] [-n N] [--json]\n"
           "                                          functions by flat and cum, like pprof -top\n"
           "  memscope goroutines CASE [--snapshot ID] [-n N] [--json]\n"
           "                                          goroutine groups of a dump, largest first\n"
           "  memscope diff CASE A B | FILE_A FILE_B [--sample NAME] [-n N] [--json]\n"
           "                                          what changed between two snapshots of a kind\n"
           "  memscope annotate CASE (--at TIME | --from TIME --to TIME | --snapshot ID) --text TEXT\n"
           "                    [--severity info|warning|critical] [--series KEY]   | --remove ID\n"
           "  memscope annotations CASE [--json]      notes that charts and reports carry\n"
           "  memscope export-chart CASE --chart heap|gc|goroutines|fds|connections|finalizers\n"
           "                    [--from TIME --to TIME] -o FILE.png|svg|pdf\n"
           "  memscope export-chart CASE --chart flame [--snapshot ID] [--base ID] [--sample NAME] -o FILE\n"
           "                                          a heap profile's flame graph, or its change since --base\n"
           "  memscope findings CASE [--json]         the traps memscope finds, with their evidence\n"
           "  memscope retention CASE [--snapshot ID] [--by site|root|object|finalizer] [-n N] [--json]\n"
           "                                          what keeps a heap dump's memory alive\n"
           "  memscope paths CASE [--snapshot ID] (--site FUNCTION | --object ADDR) [-n N] [--hops N] [--json]\n"
           "                                          shortest chains from roots to objects\n"
           "  memscope report CASE [--format md|html|json] [-o FILE]\n"
           "                                          postmortem report: findings, evidence, charts\n"
           "  memscope formats                        the capture formats this memscope reads\n"
           "\nexit status: 0 ok, 1 some input failed (the rest was done), 2 usage error\n";
}

bool headless() {
    if (std::getenv("QT_QPA_PLATFORM"))
        return false;
    const char* d = std::getenv("DISPLAY");
    const char* w = std::getenv("WAYLAND_DISPLAY");
    return !(d && *d) && !(w && *w);
}

std::string demoCasePath(const std::string& argv0, std::string& error) {
    if (const char* env = std::getenv("MEMSCOPE_DEMO_CASE"))
        return env;
    // The shipped captures, beside the executable (an install, or the build
    // tree, which links them there), else the configured share folder.
    std::vector<fs::path> dataDirs = {fs::path(exeDir(argv0)) / "../share/memscope/demo",
                                      fs::path(MEMSCOPE_DATA_DIR) / "demo"};
    fs::path data;
    std::error_code ec;
    for (const auto& d : dataDirs)
        if (!d.empty() && fs::is_directory(d, ec)) {
            data = d;
            break;
        }
    if (data.empty()) {
        error = "the demo captures are not installed";
        return {};
    }
    fs::path home;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        home = x;
    else if (const char* h = std::getenv("HOME"); h && *h)
        home = fs::path(h) / ".local/share";
    else
        home = fs::temp_directory_path();
    fs::path dir = home / "memscope";
    fs::create_directories(dir, ec);
    fs::path casePath = dir / "demo.memscope";
    std::vector<std::string> files, missing;
    listFiles({data.string()}, files, missing);
    if (fs::exists(casePath, ec)) {
        // Reuse it while it holds exactly the shipped captures.
        auto store = CaseStore::open(casePath.string());
        auto snaps = store ? (*store)->snapshots() : Result<std::vector<SnapshotInfo>>(store.error());
        auto sources = snaps ? (*store)->sources() : Result<std::vector<SourceInfo>>(snaps.error());
        if (sources && !snaps->empty()) {
            std::vector<std::string> have, want;
            for (const auto& src : *sources)
                have.push_back(src.name);
            for (const auto& f : files)
                want.push_back(fs::path(f).filename().string());
            std::sort(have.begin(), have.end());
            std::sort(want.begin(), want.end());
            if (have == want)
                return casePath.string();
        }
        // An unreadable or empty demo case is ours to rebuild.
        store = Error{};
        fs::remove(casePath, ec);
        fs::remove(casePath.string() + "-wal", ec);
        fs::remove(casePath.string() + "-shm", ec);
    }
    fs::path building = dir / "demo.memscope.building";
    fs::remove(building, ec);
    {
        auto store = CaseStore::open(building.string());
        if (!store) {
            error = store.error().toString();
            return {};
        }
        BatchSummary sum = importBatch(**store, files, ImportOptions{}, Progress{});
        for (const auto& o : sum.outcomes)
            if (o.status == ImportStatus::Failed) {
                error = o.error ? o.error->toString() : o.path;
                return {};
            }
        (void)(*store)->checkpoint();
    }
    fs::rename(building, casePath, ec);
    if (ec) {
        error = casePath.string() + ": " + ec.message();
        return {};
    }
    fs::remove(building.string() + "-wal", ec);
    fs::remove(building.string() + "-shm", ec);
    return casePath.string();
}

std::vector<std::string> loadPlugins(const std::string& argv0) {
    std::vector<std::string> folders;
    if (const char* env = std::getenv("MEMSCOPE_PLUGIN_PATH")) {
        std::string all = env;
        size_t pos = 0;
        while (pos <= all.size()) {
            size_t colon = all.find(':', pos);
            folders.push_back(all.substr(pos, colon == std::string::npos ? colon : colon - pos));
            if (colon == std::string::npos)
                break;
            pos = colon + 1;
        }
    }
    fs::path exe = exeDir(argv0);
    folders.push_back((exe / "../plugins").string());                              // build tree
    folders.push_back((exe / ".." / MEMSCOPE_LIBDIR / "memscope/plugins").string()); // install
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        folders.push_back((fs::path(x) / "memscope/plugins").string());
    else if (const char* h = std::getenv("HOME"); h && *h)
        folders.push_back((fs::path(h) / ".local/share/memscope/plugins").string());
    return ImporterRegistry::instance().loadPlugins(folders);
}

int cmdFormats(const std::vector<std::string>& pluginLog) {
    std::cout << "memscope reads (by content, gzip and zstd transparently):\n";
    for (const auto& imp : ImporterRegistry::instance().importers())
        std::cout << "  " << imp->format() << std::string(imp->format().size() < 16 ? 16 - imp->format().size() : 1, ' ')
                  << imp->description() << "\n";
    if (!pluginLog.empty()) {
        std::cout << "\nplugins:\n";
        for (const auto& l : pluginLog)
            std::cout << "  " << l << "\n";
    }
    return kOk;
}

namespace {

std::optional<int> dispatch(const std::vector<std::string>& args);

} // namespace

std::optional<int> run(const std::vector<std::string>& args) {
    std::optional<int> rc;
    try {
        rc = dispatch(args);
    } catch (const std::bad_alloc&) {
        // Under a memory limit (ulimit -v, a container's) an allocation can
        // fail anywhere: a clear failure, not an abort.
        std::cerr << "memscope: out of memory: the input needs more memory than this process may use\n";
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
        std::cerr << "memscope: standard output: " << (err ? std::strerror(err) : "write failed") << "\n";
        return *rc == kOk ? kInputFailed : *rc;
    }
    return rc;
}

namespace {

std::optional<int> dispatch(const std::vector<std::string>& args) {
    static const std::vector<std::string> pluginLog = loadPlugins(args.empty() ? "" : args[0]);
    if (args.size() < 2)
        return std::nullopt;
    const std::string& cmd = args[1];
    if (cmd == "formats")
        return cmdFormats(pluginLog);
    if (cmd == "import")
        return cmdImport(args);
    if (cmd == "info")
        return cmdInfo(args);
    if (cmd == "top")
        return cmdTop(args);
    if (cmd == "report")
        return cmdReport(args);
    if (cmd == "goroutines")
        return cmdGoroutines(args);
    if (cmd == "diff")
        return cmdDiff(args);
    if (cmd == "annotate")
        return cmdAnnotate(args);
    if (cmd == "annotations")
        return cmdAnnotations(args);
    if (cmd == "export-chart")
        return cmdExportChart(args);
    if (cmd == "findings")
        return cmdFindings(args);
    if (cmd == "retention")
        return cmdRetention(args);
    if (cmd == "paths")
        return cmdPaths(args);
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        std::cout << usage();
        return kOk;
    }
    if (cmd == "--version") {
        std::cout << "memscope " << MEMSCOPE_VERSION << "\n";
        return kOk;
    }
    if (cmd == "--demo" && headless()) {
        std::string error;
        std::string path = demoCasePath(args[0], error);
        if (path.empty()) {
            std::cerr << "memscope: demo: " << error << "\n";
            return kInputFailed;
        }
        auto store = CaseStore::open(path);
        if (!store) {
            std::cerr << "memscope: " << store.error().toString() << "\n";
            return kInputFailed;
        }
        auto report = reportMarkdown(**store);
        if (!report)
            return readFailed(report.error());
        std::cout << *report;
        std::cout << "\n---\nNo display found, so this is the demo case's report (" << path
                  << ").\nOn a desktop, `memscope --demo` opens the workbench on it; on a server,"
                     " try `xvfb-run memscope --demo` or `memscope report --format json "
                  << path << "`.\n";
        return kOk;
    }
    if (!cmd.empty() && cmd[0] != '-' && args.size() > 2)
        return usageError("unknown command " + cmd);
    return std::nullopt;
}

} // namespace

} // namespace memscope::cli
