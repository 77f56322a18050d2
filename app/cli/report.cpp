// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope report`: the postmortem as Markdown (charts beside it), HTML or JSON.
#include "cli/commands.h"
#include "cli/common.h"

#include "io/output_file.h"
#include "report/chart_svg.h"
#include "report/report.h"

#include "gui_loader.h"

#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace memscope::cli {

int cmdReport(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--format", "-o", "--limit"}, {});
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
    if (!limitsFrom(a, opts.limits))
        return kUsage;
    std::string chartError;
    std::vector<fs::path> chartsWritten;
    fs::path chartDir;
    bool chartDirMade = false;
    if (auto out = a.opt("-o"); out && format == "md") {
        fs::path dir = fs::path(*out).parent_path();
        std::string folder = fs::path(*out).stem().string() + "-charts";
        chartDir = dir / folder;
        opts.chartFile = [&, dir, folder](const ChartSpec& chart,
                                          const std::string& stem) -> std::string {
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
            } else if (auto st = writeOutputFile((dir / rel).string(), renderChartSvg(chart));
                       !st) {
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
    auto report = format == "json"   ? reportJson(*store, opts)
                  : format == "html" ? reportHtml(*store, opts)
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

} // namespace memscope::cli
