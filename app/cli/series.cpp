// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope series`: every time line the case supports, by the key the
// report and the timeline use, with its points.
#include "analysis/series/series.h"
#include "base/format.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "import/capture_time.h"

#include <cstdio>
#include <iostream>

namespace memscope::cli {

int cmdSeries(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--match"}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("series needs one case file");
    auto store = openCaseFor(a.positional.at(0));
    if (!store)
        return kInputFailed;
    auto all = allSeries(*store);
    if (!all)
        return readFailed(all.error());
    // --match TEXT: the series whose key holds it.
    const std::string match = a.opt("--match").value_or("");
    std::vector<const Series*> shown;
    for (const auto& s : *all)
        if (!s.points.empty() && s.key().find(match) != std::string::npos)
            shown.push_back(&s);
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject().key("series").beginArray();
        for (const Series* s : shown) {
            w.beginObject().field("key", s->key()).field("metric", s->metric);
            w.key("labels").beginObject();
            for (const auto& [k, v] : s->labels)
                w.field(k, v);
            w.endObject().field("unit", s->unit).key("points").beginArray();
            for (const auto& p : s->points)
                w.beginArray().value(double(p.timeNs) / 1e9).value(p.value).endArray();
            w.endArray().endObject();
        }
        w.endArray().endObject();
        std::cout << w.str() << "\n";
        return kOk;
    }
    for (const Series* s : shown) {
        const auto& first = s->points.front();
        const auto& last = s->points.back();
        // Counts can be fractions (a rate, a percentage): printed as they are.
        auto value = [&](double v) {
            if (s->unit == "bytes")
                return formatValue(int64_t(v), "bytes");
            char b[32];
            snprintf(b, sizeof b, "%g", v);
            return std::string(b);
        };
        std::cout << terminalSafe(s->key()) << "  " << s->points.size() << " points, "
                  << formatTimeIso(first.timeNs) << " .. " << formatTimeIso(last.timeNs) << ": "
                  << value(first.value) << " .. " << value(last.value) << "\n";
    }
    if (shown.empty())
        std::cout << "no series" << (match.empty() ? "" : " matching " + terminalSafe(match))
                  << "\n";
    return kOk;
}

} // namespace memscope::cli
