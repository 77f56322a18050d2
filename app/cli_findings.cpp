// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope findings`: the detectors' conclusions, for people or as JSON.
#include "cli_common.h"
#include "detect.h"
#include "json_writer.h"
#include "report.h"

#include <iostream>

namespace memscope::cli {

int cmdFindings(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("findings needs one case file");
    auto store = openCaseFor(a.positional[0]);
    if (!store)
        return kInputFailed;
    auto findings = detectFindings(*store);
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
    for (const auto& f : findings) {
        std::cout << "[" << f.severity << "] " << f.kind << ": " << f.title << "\n\n  " << f.summary << "\n";
        for (const auto& s : f.sites)
            std::cout << "  site: " << (s.function.empty() ? "" : s.function + " ") << s.file << ":" << s.line
                      << (s.note.empty() ? "" : "  (" + s.note + ")") << "\n";
        std::cout << "  evidence:";
        for (const auto& s : f.series)
            std::cout << " " << s.key();
        std::cout << "\n\n";
    }
    return kOk;
}

} // namespace memscope::cli
