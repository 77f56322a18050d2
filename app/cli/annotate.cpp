// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope annotate` and `memscope annotations`: the notes charts and reports carry.
#include "analysis/detect/detect.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "import/capture_time.h"
#include "report/report.h"

#include <iostream>

namespace memscope::cli {

int cmdAnnotate(const std::vector<std::string>& argv) {
    Args a = parse(
        argv, 2,
        {"--at", "--from", "--to", "--snapshot", "--series", "--text", "--severity", "--remove"},
        {"--list"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.empty())
        return usageError("annotate needs a case file");
    auto store = openCaseFor(a.positional[0], /*forWriting=*/true);
    if (!store)
        return kInputFailed;
    if (a.flag("--list"))
        return cmdAnnotations({argv[0], "annotations", a.positional[0]});
    if (auto r = a.opt("--remove")) {
        if (auto st = store->removeAnnotation(AnnotationId(std::strtoll(r->c_str(), nullptr, 10)));
            !st) {
            std::cerr << "memscope: " << st.error().toString() << "\n";
            return kInputFailed;
        }
        return kOk;
    }
    Annotation note;
    auto time = [&](const char* opt, int64_t& out) -> bool {
        auto v = a.opt(opt);
        if (!v)
            return true;
        auto t = parseTimeArg(*v);
        if (!t)
            return false;
        out = *t;
        return true;
    };
    if (!time("--at", note.timeNs) || !time("--from", note.timeNs) || !time("--to", note.endNs))
        return usageError("times are ISO 8601 (2026-11-26T16:59:21Z) or unix seconds");
    if (auto sn = a.opt("--snapshot")) {
        auto found = store->snapshot(SnapshotId(std::strtoll(sn->c_str(), nullptr, 10)));
        if (!found)
            return readFailed(found.error());
        const auto& info = *found;
        if (!info)
            return usageError("no snapshot " + *sn);
        note.timeNs = info->timeNs;
        note.targetId = info->targetId;
    }
    if (!note.timeNs)
        return usageError("annotate needs --at TIME, --from TIME --to TIME, or --snapshot ID");
    if (note.endNs && note.endNs < note.timeNs)
        return usageError("--to is before --from");
    note.series = a.opt("--series").value_or("");
    note.severity = a.opt("--severity").value_or("info");
    if (note.severity != "info" && note.severity != "warning" && note.severity != "critical")
        return usageError("--severity is info, warning or critical");
    note.text = a.opt("--text").value_or("");
    for (size_t i = 1; i < a.positional.size(); ++i)
        note.text += (note.text.empty() ? "" : " ") + a.positional[i];
    auto id = store->addAnnotation(note);
    if (!id) {
        std::cerr << "memscope: " << id.error().toString() << "\n";
        return kInputFailed;
    }
    std::cout << "annotation " << *id << " at " << formatTimeIso(note.timeNs) << "\n";
    return kOk;
}

int cmdAnnotations(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("annotations needs one case file");
    auto store = openCaseFor(a.positional[0]);
    if (!store)
        return kInputFailed;
    auto read = store->annotations();
    if (!read)
        return readFailed(read.error());
    const auto& notes = *read;
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject().key("annotations").beginArray();
        for (const auto& n : notes) {
            w.beginObject().field("id", n.id).field("time", formatTimeIso(n.timeNs));
            if (n.endNs)
                w.field("end", formatTimeIso(n.endNs));
            w.field("severity", n.severity)
                .field("series", n.series)
                .field("text", n.text)
                .endObject();
        }
        std::cout << w.endArray().endObject().str() << "\n";
        return kOk;
    }
    for (const auto& n : notes)
        std::cout << n.id << "  " << formatTimeIso(n.timeNs)
                  << (n.endNs ? " .. " + formatTimeIso(n.endNs) : "") << "  ["
                  << terminalSafe(n.severity) << "]  "
                  << (n.series.empty() ? "" : terminalSafe(n.series) + "  ") << terminalSafe(n.text)
                  << "\n";
    return kOk;
}

} // namespace memscope::cli
