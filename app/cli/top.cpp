// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope top`: functions by flat and cum, as `go tool pprof -top` counts them.
#include "cli/commands.h"
#include "cli/common.h"

#include "analysis/profile/top.h"
#include "base/format.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "formats/pprof/pprof_reader.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace memscope::cli {

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
        SnapshotId id;
        if (auto s = a.opt("--snapshot")) {
            id = SnapshotId(std::strtoll(s->c_str(), nullptr, 10));
            auto sn = store->snapshot(id);
            if (!sn)
                return readFailed(sn.error());
            if (!*sn)
                return usageError("no snapshot " + *s + " in " + path);
        } else {
            auto heaps = store->snapshots(SnapshotKind::Heap);
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
        label = "snapshot " + std::to_string(id.value);
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
    keepUntilExit(std::move(*profile));
    size_t shown = limit == 0 ? top.rows.size() : std::min<size_t>(top.rows.size(), size_t(limit));
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject()
            .field("sample", top.sample)
            .field("unit", top.unit)
            .field("total", top.total);
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
    auto pct = [&](int64_t v) {
        return formatPercent(top.total ? double(v) / double(top.total) : 0);
    };
    // Names come from the capture: escaped, so none can drive the terminal.
    std::printf("Profile: %s\nType: %s\n", terminalSafe(label).c_str(),
                terminalSafe(top.sample).c_str());
    std::printf("Showing %zu of %zu functions, accounting for %s, %s of %s total\n", shown,
                top.rows.size(), formatValue(shownFlat, top.unit).c_str(), pct(shownFlat).c_str(),
                formatValue(top.total, top.unit).c_str());
    std::printf("%10s %7s %7s %10s %7s  %s\n", "flat", "flat%", "sum%", "cum", "cum%", "function");
    int64_t sum = 0;
    for (size_t i = 0; i < shown; ++i) {
        const auto& r = top.rows[i];
        sum += r.flat;
        std::string name =
            terminalSafe(r.function) + (r.inlineLabel.empty() ? "" : " (" + r.inlineLabel + ")");
        std::printf("%10s %7s %7s %10s %7s  %s\n", formatValue(r.flat, top.unit).c_str(),
                    pct(r.flat).c_str(), pct(sum).c_str(), formatValue(r.cum, top.unit).c_str(),
                    pct(r.cum).c_str(), name.c_str());
    }
    return kOk;
}

} // namespace memscope::cli
