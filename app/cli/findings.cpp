// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope findings`: the detectors' conclusions, for people or as JSON.
#include "analysis/detect/detect.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "import/capture_time.h"
#include "report/report.h"

#include <iostream>

namespace memscope::cli {

int cmdFindings(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--limit"}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("findings needs one case file");
    std::vector<forecast::Limit> limits;
    if (!limitsFrom(a, limits))
        return kUsage;
    auto store = openCaseFor(a.positional[0]);
    if (!store)
        return kInputFailed;
    auto found = detectFindings(*store, limits);
    if (!found)
        return readFailed(found.error());
    const auto& findings = *found;
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject();
        writeFindings(w, findings);
        w.endObject();
        std::cout << w.str() << "\n";
        return kOk;
    }
    if (findings.empty()) {
        std::cout << "No findings: none of the leak patterns memscope knows shows in this case.\n";
        return kOk;
    }
    // Titles and summaries quote function names, hosts and files from the
    // captures: each piece is escaped for the terminal.
    for (const auto& f : findings) {
        std::cout << "[" << terminalSafe(toString(f.severity)) << "] "
                  << terminalSafe(toString(f.kind)) << ": " << terminalSafe(f.title) << "\n\n  "
                  << terminalSafe(f.summary) << "\n";
        for (const auto& s : f.sites)
            std::cout << "  site: " << (s.function.empty() ? "" : terminalSafe(s.function) + " ")
                      << terminalSafe(s.file) << ":" << s.line
                      << (s.note.empty() ? "" : "  (" + terminalSafe(s.note) + ")") << "\n";
        std::cout << "  evidence:";
        for (const auto& s : f.series)
            std::cout << " " << terminalSafe(s.key());
        std::cout << "\n\n";
    }
    return kOk;
}

} // namespace memscope::cli
