// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope export-chart`: a timeline chart or a flame graph as PNG, SVG or PDF.
#include "cli/commands.h"
#include "cli/common.h"

#include "analysis/profile/calltree.h"
#include "base/text_util.h"
#include "import/capture_time.h"
#include "io/output_file.h"
#include "report/chart_svg.h"
#include "report/report.h"

#include "gui_loader.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>

namespace fs = std::filesystem;

namespace memscope::cli {

namespace {

// Writes a chart to `out`: through `save` (the workbench's renderers: PNG,
// PDF, SVG) when the build has them, else as SVG only. `save` returns an
// error message, empty on success.
// .svg is written here; .png and .pdf are drawn by the workbench module.
int writeChart(const std::string& out, const std::function<std::string()>& svg,
               const std::function<std::string(const gui::Api&, const std::string&)>& draw) {
    std::string ext = fs::path(out).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
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
            std::cerr << "memscope: " << out << ": PNG and PDF are drawn by the workbench, and "
                      << why << "; write .svg instead\n";
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
    SnapshotId id;
    if (int st = openSnapshot(a, SnapshotKind::Heap, "heap profile", store, id); st != kOk)
        return st;
    auto p = store->loadProfile(id);
    if (!p) {
        std::cerr << "memscope: " << p.error().toString() << "\n";
        return kInputFailed;
    }
    std::string sample = a.opt("--sample") ? *a.opt("--sample")
                         : p->sampleIndex("inuse_space") >= 0
                             ? "inuse_space"
                             : p->sampleTypes[size_t(p->defaultSampleIndex())].type;
    int idx = p->sampleIndex(sample);
    if (idx < 0)
        return usageError("snapshot " + std::to_string(id.value) + " has no sample type " + sample);
    CallTree tree = buildCallTree(*p, idx, "");
    std::string title = "flame graph of snapshot " + std::to_string(id.value);
    if (auto b = a.opt("--base")) {
        char* end = nullptr;
        SnapshotId baseId(std::strtoll(b->c_str(), &end, 10));
        auto found = end && *end == 0 ? store->snapshot(baseId) : std::optional<SnapshotInfo>();
        if (!found)
            return readFailed(found.error());
        const auto& sn = *found;
        if (!sn || sn->kind != SnapshotKind::Heap)
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
        title = "change from snapshot " + *b + " to " + std::to_string(id.value);
    }
    return writeChart(
        *a.opt("-o"), [&] { return renderFlameSvg(tree, title); },
        [&](const gui::Api& gui, const std::string& path) {
            return gui.saveFlameGraph(tree, title, path);
        });
}

} // namespace

int cmdExportChart(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2,
                   {"--chart", "--from", "--to", "-o", "--snapshot", "--base", "--sample", "--size",
                    "--scale"},
                   {});
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
        return usageError(
            "--chart is one of heap, gc, goroutines, fds, connections, finalizers, flame");
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
    if (auto v = a.opt("--size")) {
        // WIDTHxHEIGHT in points: the SVG's and PDF's size, the PNG's pixels at --scale 1.
        auto x = v->find('x');
        int64_t w = 0, h = 0;
        if (x == std::string::npos || !parseWholeInt(v->substr(0, x), w) ||
            !parseWholeInt(v->substr(x + 1), h) || w < 200 || h < 120 || w > 8000 || h > 8000)
            return usageError("--size is WIDTHxHEIGHT, from 200x120 to 8000x8000");
        chart.width = int(w);
        chart.height = int(h);
    }
    if (auto v = a.opt("--scale")) {
        if (*v != "1" && *v != "2" && *v != "3")
            return usageError("--scale is 1, 2 or 3 (pixels per point in a PNG)");
        chart.pixelRatio = std::stod(*v);
    }
    if (chart.series.empty()) {
        std::cerr << "memscope: " << a.positional[0] << ": nothing to draw for " << name << "\n";
        return kInputFailed;
    }
    return writeChart(
        *a.opt("-o"),
        [&] {
            return chart.width > 0 ? renderChartSvg(chart, chart.width, chart.height)
                                   : renderChartSvg(chart, kExportChartWidth, kExportChartHeight);
        },
        [&](const gui::Api& gui, const std::string& path) { return gui.saveChart(chart, path); });
}

} // namespace memscope::cli
