// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope diff`: two snapshots of a case, or two capture files directly.
#include "analysis/diff/diff.h"
#include "base/format.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/diff_heapdump.h"
#include "cli/table.h"
#include "formats/pprof/pprof_reader.h"

#include <cmath>
#include <iostream>
#include <thread>

namespace memscope::cli {

namespace {

std::string signedValue(int64_t v, const std::string& unit) {
    return (v > 0 ? "+" : v < 0 ? "-" : "") + formatValue(std::llabs(v), unit);
}
std::string percent(double p) {
    if (std::isnan(p))
        return "new";
    char b[32];
    snprintf(b, sizeof b, "%+.1f%%", p);
    return b;
}

// The sample type to show: --sample, else inuse_space, else the profile's default.
std::string chosenSample(const Profile& p, const Args& a) {
    if (auto s = a.opt("--sample"))
        return *s;
    if (a.flag("--json"))
        return {};
    if (p.sampleIndex("inuse_space") >= 0)
        return "inuse_space";
    return p.sampleTypes.empty() ? std::string()
                                 : p.sampleTypes[size_t(p.defaultSampleIndex())].type;
}

// The fields every diff's JSON opens with.
JsonWriter& beginDiffJson(JsonWriter& w, const std::string& kind, const std::string& baseName,
                          const std::string& nowName) {
    return w.beginObject().field("kind", kind).field("base", baseName).field("new", nowName);
}

// The lines every diff's text opens with: what is compared with what.
void printDiffNames(const std::string& baseName, const std::string& nowName) {
    std::cout << "base " << terminalSafe(baseName) << "\nnew  " << terminalSafe(nowName) << "\n";
}

int printHeapDiff(const std::vector<HeapDiff>& diffs, const Args& a, const std::string& baseName,
                  const std::string& nowName) {
    long limit = rowLimit(a, 20);
    std::string sample = a.opt("--sample").value_or("");
    if (a.flag("--json")) {
        JsonWriter w;
        beginDiffJson(w, toString(SnapshotKind::Heap), baseName, nowName);
        w.key("sample_types").beginArray();
        for (const auto& d : diffs) {
            if (!sample.empty() && d.sample != sample)
                continue;
            w.beginObject().field("sample", d.sample).field("unit", d.unit);
            w.field("base_total", d.baseTotal)
                .field("new_total", d.nowTotal)
                .key("rows")
                .beginArray();
            size_t shown = shownRows(d.rows.size(), limit);
            for (size_t i = 0; i < shown; ++i) {
                const auto& r = d.rows[i];
                w.beginObject()
                    .field("function", r.function)
                    .field("base", r.base)
                    .field("new", r.now);
                w.field("delta", r.delta());
                if (!std::isnan(r.deltaPercent()))
                    w.field("delta_percent", r.deltaPercent());
                w.field("base_cum", r.baseCum).field("new_cum", r.nowCum).endObject();
            }
            w.endArray().endObject();
        }
        w.endArray().endObject();
        std::cout << w.str() << "\n";
        return kOk;
    }
    const HeapDiff* d = nullptr;
    for (const auto& x : diffs)
        if (sample.empty() ? (x.sample == "inuse_space" || (!d && &x == &diffs.back()))
                           : x.sample == sample)
            d = &x;
    if (!d && !diffs.empty() && sample.empty())
        d = &diffs.back();
    if (!d)
        return usageError("no sample type " + sample + " in both profiles");
    printDiffNames(baseName, nowName);
    std::cout << terminalSafe(d->sample) << ": " << formatValue(d->baseTotal, d->unit) << " -> "
              << formatValue(d->nowTotal, d->unit) << " ("
              << signedValue(d->nowTotal - d->baseTotal, d->unit) << ")\n\n"
              << pad("base", 11) << pad("new", 11) << pad("delta", 12) << pad("delta%", 9)
              << pad("cum delta", 12) << "function\n";
    size_t shown = shownRows(d->rows.size(), limit);
    for (size_t i = 0; i < shown; ++i) {
        const auto& r = d->rows[i];
        std::cout << pad(formatValue(r.base, d->unit), 11) << pad(formatValue(r.now, d->unit), 11)
                  << pad(signedValue(r.delta(), d->unit), 12) << pad(percent(r.deltaPercent()), 9)
                  << pad(signedValue(r.nowCum - r.baseCum, d->unit), 12) << terminalSafe(r.function)
                  << "\n";
    }
    printMoreRows(d->rows.size(), shown, "functions");
    return kOk;
}

int diffSnapshots(CaseStore& store, SnapshotId a, SnapshotId b, const Args& args) {
    auto foundA = store.snapshot(a), foundB = store.snapshot(b);
    if (!foundA || !foundB)
        return readFailed(!foundA ? foundA.error() : foundB.error());
    const auto& sa = *foundA;
    const auto& sb = *foundB;
    if (!sa || !sb)
        return usageError("no snapshot " + std::to_string((!sa ? a : b).value) + " in the case");
    if (sa->kind != sb->kind)
        return usageError("snapshot " + std::to_string(a.value) + " is " + toString(sa->kind) +
                          " but " + std::to_string(b.value) + " is " + toString(sb->kind) +
                          ": diff two of a kind");
    std::string baseName = std::to_string(a.value) + " (" + sa->sourceName + ")";
    std::string nowName = std::to_string(b.value) + " (" + sb->sourceName + ")";
    bool json = args.flag("--json");
    JsonWriter w;
    const SnapshotKind kind = sa->kind;
    if (kind == SnapshotKind::Goroutines) {
        auto diffed = diffGoroutines(store, a, b);
        if (!diffed)
            return readFailed(diffed.error());
        const auto& rows = *diffed;
        if (json) {
            beginDiffJson(w, toString(kind), baseName, nowName).key("groups").beginArray();
            for (const auto& r : rows)
                w.beginObject()
                    .field("entry", r.entry)
                    .field("state", r.state)
                    .field("role", r.role)
                    .field("base", r.base)
                    .field("new", r.now)
                    .field("delta", r.now - r.base)
                    .field("status", r.status)
                    .field("created_by", r.createdBy)
                    .endObject();
            std::cout << w.endArray().endObject().str() << "\n";
            return kOk;
        }
        printDiffNames(baseName, nowName);
        std::cout << "\n"
                  << pad("base", 8) << pad("new", 8) << pad("delta", 8) << pad("status", 8)
                  << "goroutines started in (state)\n";
        for (const auto& r : rows)
            std::cout << pad(std::to_string(r.base), 8) << pad(std::to_string(r.now), 8)
                      << pad((r.now >= r.base ? "+" : "") + std::to_string(r.now - r.base), 8)
                      << pad(r.status, 8) << terminalSafe(r.entry) << " (" << terminalSafe(r.state)
                      << ")" << (r.role.empty() ? "" : "  <" + terminalSafe(r.role) + ">") << "\n";
        return kOk;
    }
    if (kind == SnapshotKind::Fds) {
        auto diffed = diffSockets(store, a, b);
        if (!diffed)
            return readFailed(diffed.error());
        const auto& rows = *diffed;
        if (json) {
            beginDiffJson(w, toString(kind), baseName, nowName).key("hosts").beginArray();
            for (const auto& r : rows)
                w.beginObject()
                    .field("host", r.host)
                    .field("state", r.state)
                    .field("base", r.base)
                    .field("new", r.now)
                    .field("opened", r.opened)
                    .field("closed", r.closed)
                    .endObject();
            std::cout << w.endArray().endObject().str() << "\n";
            return kOk;
        }
        printDiffNames(baseName, nowName);
        std::cout << "\nclient TCP connections per remote host\n"
                  << pad("base", 8) << pad("new", 8) << pad("opened", 8) << pad("closed", 8)
                  << "host (state)\n";
        for (const auto& r : rows)
            std::cout << pad(std::to_string(r.base), 8) << pad(std::to_string(r.now), 8)
                      << pad(r.state.empty() ? std::to_string(r.opened) : "", 8)
                      << pad(r.state.empty() ? std::to_string(r.closed) : "", 8)
                      << terminalSafe(r.host)
                      << (r.state.empty() ? "" : "  " + terminalSafe(r.state)) << "\n";
        return kOk;
    }
    if (kind == SnapshotKind::HeapDump) {
        auto diffed = diffHeapDumps(store, a, b);
        if (!diffed)
            return readFailed(diffed.error());
        const auto& d = *diffed;
        auto objects = diffHeapDumpObjects(store, a, b);
        if (!objects)
            return readFailed(objects.error());
        long limit = rowLimit(args, 15);
        auto rowsJson = [&](const char* key, const std::vector<RetainedDiffRow>& rows) {
            w.key(key).beginArray();
            for (const auto& r : rows)
                w.beginObject()
                    .field("kind", r.kind)
                    .field("name", r.name)
                    .field("base_retained_bytes", r.base)
                    .field("new_retained_bytes", r.now)
                    .field("delta", r.now - r.base)
                    .endObject();
            w.endArray();
        };
        if (json) {
            beginDiffJson(w, toString(kind), baseName, nowName);
            w.key("finalizers_registered")
                .beginArray()
                .value(d.finalizersRegistered[0])
                .value(d.finalizersRegistered[1])
                .endArray();
            w.key("finalizers_queued")
                .beginArray()
                .value(d.finalizersQueued[0])
                .value(d.finalizersQueued[1])
                .endArray();
            w.key("reachable_bytes")
                .beginArray()
                .value(d.reachableBytes[0])
                .value(d.reachableBytes[1])
                .endArray();
            rowsJson("roots", d.roots);
            rowsJson("sites", d.sites);
            writeObjectDiffJson(w, *objects, limit);
            std::cout << w.endObject().str() << "\n";
            return kOk;
        }
        printDiffNames(baseName, nowName);
        std::cout << "\n"
                  << "reachable   " << formatValue(d.reachableBytes[0], "bytes") << " -> "
                  << formatValue(d.reachableBytes[1], "bytes") << "\nfinalizers  registered "
                  << d.finalizersRegistered[0] << " -> " << d.finalizersRegistered[1] << ", queued "
                  << d.finalizersQueued[0] << " -> " << d.finalizersQueued[1] << "\n";
        for (int part = 0; part < 2; ++part) {
            const auto& rows = part == 0 ? d.roots : d.sites;
            std::cout << "\nretained by "
                      << (part == 0 ? "root" : "allocation site (sampled objects)") << "\n"
                      << pad("base", 11) << pad("new", 11) << pad("delta", 12) << "name\n";
            for (size_t i = 0; i < rows.size() && i < 15; ++i)
                std::cout << pad(formatValue(rows[i].base, "bytes"), 11)
                          << pad(formatValue(rows[i].now, "bytes"), 11)
                          << pad(signedValue(rows[i].now - rows[i].base, "bytes"), 12)
                          << terminalSafe(rows[i].kind) << " " << terminalSafe(rows[i].name)
                          << "\n";
        }
        printObjectDiff(*objects, limit, a, b,
                        args.positional.size() == 3 ? args.positional[0] : std::string());
        return kOk;
    }
    auto pa = store.loadProfile(a), pb = store.loadProfile(b);
    if (!pa || !pb) {
        std::cerr << "memscope: " << (!pa ? pa.error() : pb.error()).toString() << "\n";
        return kInputFailed;
    }
    return printHeapDiff(diffProfiles(*pa, *pb, chosenSample(*pb, args)), args, baseName, nowName);
}

} // namespace

int cmdDiff(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--sample", "-n"}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    const auto& p = a.positional;
    if (p.size() == 3 && isCaseFile(p[0])) {
        auto store = openCaseFor(p[0]);
        if (!store)
            return kInputFailed;
        char *e1 = nullptr, *e2 = nullptr;
        int64_t x = std::strtoll(p[1].c_str(), &e1, 10), y = std::strtoll(p[2].c_str(), &e2, 10);
        if (*e1 || *e2)
            return usageError("diff CASE A B takes two snapshot ids");
        return diffSnapshots(*store, SnapshotId(x), SnapshotId(y), a);
    }
    if (p.size() != 2)
        return usageError("diff takes CASE A B, or two capture files");
    // Two profiles: parsed side by side, no case needed.
    Result<Profile> pa = makeError(ErrorCode::Usage, ""), pb = makeError(ErrorCode::Usage, "");
    std::thread side([&] { pa = readProfileFile(p[0]); });
    pb = readProfileFile(p[1]);
    side.join();
    if (pa && pb)
        return printHeapDiff(diffProfiles(*pa, *pb, chosenSample(*pb, a)), a, p[0], p[1]);
    // Any other capture: import both into a case in memory and diff there.
    auto store = CaseStore::open(":memory:");
    if (!store) {
        std::cerr << "memscope: " << store.error().toString() << "\n";
        return kInputFailed;
    }
    SnapshotId ids[2];
    for (int i = 0; i < 2; ++i) {
        auto out = (*store)->importFile(p[size_t(i)], {}, Progress{});
        if (out.status == ImportStatus::Duplicate) {
            std::cerr << "memscope: " << p[1] << " is the same file as " << p[0] << "\n";
            return kInputFailed;
        }
        if (out.status != ImportStatus::Imported || out.snapshotIds.empty()) {
            std::cerr << "memscope: "
                      << (out.error ? out.error->toString() : p[size_t(i)] + ": nothing to diff")
                      << "\n";
            return kInputFailed;
        }
        ids[i] = out.snapshotIds.front();
    }
    return diffSnapshots(**store, ids[0], ids[1], a);
}

} // namespace memscope::cli
