// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope goroutines`: the groups of a goroutine dump, largest first;
// with --cost, every group ranked by what it costs.
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/table.h"

#include "analysis/goroutine_cost/goroutine_cost.h"
#include "base/format.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "import/capture_time.h"
#include "model/goroutines.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

namespace memscope::cli {

namespace {

std::string perHour(double v) {
    char b[32];
    snprintf(b, sizeof b, "%+.0f", v);
    return b;
}

void costJson(JsonWriter& w, const GoroutineCostReport& r, size_t shown) {
    w.beginObject().field("target", r.target);
    if (r.latestDumpId)
        w.field("goroutine_dump", r.latestDumpId)
            .field("goroutine_dump_time", formatTimeIso(r.latestDumpTimeNs));
    if (r.fdSnapshotId)
        w.field("fd_snapshot", r.fdSnapshotId).field("fd_gap_seconds", double(r.fdGapNs) / 1e9);
    w.key("heap_dumps").beginArray();
    for (const auto& p : r.heapDumps) {
        w.beginObject()
            .field("snapshot", p.heapDumpId)
            .field("time", formatTimeIso(p.heapDumpTimeNs))
            .field("pairing", p.how)
            .field("goroutines_with_heap_frames", p.goroutines)
            .field("unpaired_goroutines", p.unpaired)
            .field("unpaired_bytes", p.unpairedBytes);
        if (p.goroutineDumpId)
            w.field("goroutine_dump", p.goroutineDumpId)
                .field("gap_seconds", double(p.gapNs) / 1e9);
        w.endObject();
    }
    w.endArray();
    w.field("groups_total", int64_t(r.groups.size())).key("groups").beginArray();
    for (size_t i = 0; i < shown; ++i) {
        const auto& g = r.groups[i];
        w.beginObject().field("entry", g.entry);
        if (!g.createdBy.empty())
            w.field("created_by", g.createdBy);
        if (!g.state.empty())
            w.field("state", g.state);
        if (!g.role.empty())
            w.field("role", g.role);
        if (g.leaked)
            w.field("leaked", true);
        if (g.fromHeapDump)
            w.field("from_heap_dump_only", true);
        w.field("count", g.count)
            .field("first_count", g.firstCount)
            .field("dumps", int64_t(g.dumps))
            .field("growth_per_hour", g.growthPerHour)
            .field("retained_bytes", g.bytes);
        w.key("retained_by_heap_dump").beginArray();
        for (const auto& h : g.heap)
            w.beginObject()
                .field("snapshot", h.heapDumpId)
                .field("bytes", h.bytes)
                .field("goroutines", h.goroutines)
                .endObject();
        w.endArray().field("sockets", g.sockets);
        if (!g.socketKind.empty())
            w.field("socket_kind", g.socketKind);
        w.key("sockets_by_host").beginObject();
        for (const auto& h : g.socketsByHost)
            w.field(h.name, h.count);
        w.endObject().field("score", g.score).endObject();
    }
    w.endArray().key("cannot_know").beginArray();
    for (const auto& c : r.cannotKnow)
        w.value(c);
    w.endArray().endObject();
}

void costText(const GoroutineCostReport& r, size_t shown) {
    std::cout << "goroutine cost of " << terminalSafe(r.target) << ":";
    if (r.latestDumpId)
        std::cout << " counts from goroutine dump " << r.latestDumpId << " ("
                  << formatTimeIso(r.latestDumpTimeNs) << ")";
    std::cout << "\n";
    for (const auto& p : r.heapDumps)
        std::cout << "heap dump " << p.heapDumpId << " (" << formatTimeIso(p.heapDumpTimeNs)
                  << "): " << p.how << "\n";
    if (r.fdSnapshotId)
        std::cout << "sockets: fd snapshot " << r.fdSnapshotId << ", "
                  << formatDuration(std::abs(double(r.fdGapNs)) / 1e9)
                  << " from that goroutine dump\n";
    std::cout << "ranked by retained bytes + sockets + growth, each as its share of the "
                 "largest\n\n";
    std::cout << pad("count", 8) << pad("growth/h", 10) << pad("retained", 11) << pad("sockets", 9)
              << "group\n";
    for (size_t i = 0; i < shown; ++i) {
        const auto& g = r.groups[i];
        std::cout << pad(std::to_string(g.count), 8) << pad(perHour(g.growthPerHour), 10)
                  << pad(r.heapDumps.empty() ? "-" : formatValue(g.bytes, "bytes"), 11)
                  << pad(r.fdSnapshotId ? std::to_string(g.sockets) : "-", 9)
                  << terminalSafe(g.entry.empty() ? "?" : g.entry);
        if (!g.createdBy.empty())
            std::cout << "  created by " << terminalSafe(g.createdBy);
        if (!g.state.empty() && g.state != "-")
            std::cout << "  [" << terminalSafe(g.state) << "]";
        if (g.leaked)
            std::cout << " [leaked, says the runtime]";
        if (!g.role.empty())
            std::cout << "  <" << terminalSafe(g.role) << ">";
        if (g.fromHeapDump)
            std::cout << "  (heap dump only)";
        std::cout << "\n";
        if (!g.socketsByHost.empty()) {
            std::cout << std::string(38, ' ') << g.socketKind << ":";
            for (size_t k = 0; k < g.socketsByHost.size() && k < 6; ++k)
                std::cout << " " << terminalSafe(g.socketsByHost[k].name) << " ("
                          << g.socketsByHost[k].count << ")";
            if (g.socketsByHost.size() > 6)
                std::cout << " and " << g.socketsByHost.size() - 6 << " more";
            std::cout << "\n";
        }
    }
    printMoreRows(r.groups.size(), shown, "groups");
    std::cout << "\nWhat these numbers cannot know:\n";
    for (const auto& c : r.cannotKnow)
        std::cout << "- " << c << "\n";
}

// Every target's groups ranked by what they cost.
int printCost(const Args& a) {
    auto store = openCaseFor(a.positional.at(0));
    if (!store)
        return kInputFailed;
    long limit = rowLimit(a, 20);
    auto targets = store->targets();
    if (!targets)
        return readFailed(targets.error());
    std::vector<GoroutineCostReport> reports;
    for (const auto& t : *targets) {
        GoroutineCostOptions o;
        o.targetId = t.id;
        auto r = goroutineCost(*store, o);
        if (!r)
            return readFailed(r.error());
        if (!r->groups.empty())
            reports.push_back(std::move(*r));
    }
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject().key("targets").beginArray();
        for (const auto& r : reports)
            costJson(w, r, shownRows(r.groups.size(), limit));
        w.endArray().endObject();
        std::cout << w.str() << "\n";
        return kOk;
    }
    if (reports.empty()) {
        std::cerr << "memscope: " << a.positional.at(0)
                  << ": no goroutine dump or heap dump to cost goroutines from\n";
        return kInputFailed;
    }
    for (size_t i = 0; i < reports.size(); ++i) {
        if (i)
            std::cout << "\n";
        costText(reports[i], shownRows(reports[i].groups.size(), limit));
    }
    return kOk;
}

} // namespace

int cmdGoroutines(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--snapshot", "-n", "--label"}, {"--json", "--cost"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("goroutines needs one case file");
    if (a.flag("--cost")) {
        if (a.opt("--snapshot") || a.opt("--label"))
            return usageError("--cost ranks every group of the case; it takes no --snapshot "
                              "or --label");
        return printCost(a);
    }
    std::unique_ptr<CaseStore> store;
    SnapshotId id;
    if (int rc = openSnapshot(a, SnapshotKind::Goroutines, "goroutine dump", store, id); rc != kOk)
        return rc;
    long limit = rowLimit(a, 20);
    auto read = store->goroutineGroups(id);
    if (!read)
        return readFailed(read.error());
    // --label k=v (or k: any value), repeatable: groups carrying every one.
    std::vector<std::pair<std::string, std::optional<std::string>>> wanted;
    for (const auto& [name, value] : a.options)
        if (name == "--label") {
            size_t eq = value.find('=');
            if (value.empty() || eq == 0)
                return usageError("--label needs KEY=VALUE or KEY");
            if (eq == std::string::npos)
                wanted.emplace_back(value, std::nullopt);
            else
                wanted.emplace_back(value.substr(0, eq), value.substr(eq + 1));
        }
    auto matches = [&](const CaseStore::GoroutineGroupRow& g) {
        for (const auto& [k, v] : wanted)
            if (std::none_of(g.labels.begin(), g.labels.end(),
                             [&](const auto& l) { return l.first == k && (!v || l.second == *v); }))
                return false;
        return true;
    };
    int64_t all = 0;
    std::vector<CaseStore::GoroutineGroupRow> groups;
    std::map<std::pair<std::string, std::string>, int64_t> byLabel;
    for (auto& g : *read) {
        all += g.count;
        if (!matches(g))
            continue;
        for (const auto& l : g.labels)
            byLabel[l] += g.count;
        groups.push_back(std::move(g));
    }
    int64_t total = 0;
    for (const auto& g : groups)
        total += g.count;
    std::string filter;
    for (const auto& [k, v] : wanted)
        filter += (filter.empty() ? "" : ", ") + k + (v ? "=" + *v : "");
    size_t shown = shownRows(groups.size(), limit);
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject().field("snapshot", id).field("goroutines", total);
        if (!wanted.empty())
            w.field("goroutines_in_dump", all).field("label_filter", filter);
        w.field("groups_total", int64_t(groups.size())).key("groups").beginArray();
        for (size_t i = 0; i < shown; ++i) {
            const auto& g = groups[i];
            w.beginObject().field("count", g.count).field("state", g.state);
            if (g.role != GoroutineRole::None)
                w.field("role", toString(g.role));
            if (g.maxWait >= 0)
                w.field("min_wait_minutes", g.minWait).field("max_wait_minutes", g.maxWait);
            if (g.locked)
                w.field("locked_to_thread", g.locked);
            if (g.leaked)
                w.field("leaked", true);
            w.field("exact_variants", g.exactVariants);
            if (!g.createdBy.empty())
                w.field("created_by", g.createdBy);
            if (!g.labels.empty()) {
                w.key("labels").beginObject();
                for (const auto& [k, v] : g.labels)
                    w.field(k, v);
                w.endObject();
            }
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
              << " groups (same functions, lines and labels; arguments and wait times ignored)";
    if (!wanted.empty())
        std::cout << ", of " << all << " in the dump, labelled " << terminalSafe(filter);
    std::cout << "\n";
    if (!byLabel.empty()) {
        std::cout << "labels:";
        for (const auto& [l, n] : byLabel)
            std::cout << " " << terminalSafe(l.first + "=" + l.second) << " (" << n << ")";
        std::cout << "\n";
    }
    std::cout << "\n";
    for (size_t i = 0; i < shown; ++i) {
        const auto& g = groups[i];
        std::cout << g.count << ": " << terminalSafe(g.state);
        if (g.maxWait >= 0)
            std::cout << " [" << g.minWait << "~" << g.maxWait << " minutes]";
        if (g.locked)
            std::cout << " [locked]";
        if (g.leaked)
            std::cout << " [leaked, says the runtime]";
        if (g.role != GoroutineRole::None)
            std::cout << "  <" << terminalSafe(toString(g.role)) << ">";
        if (!g.labels.empty())
            std::cout << "  {" << terminalSafe(labelsText(g.labels)) << "}";
        std::cout << "\n";
        for (const auto& f : g.stack)
            std::cout << "    " << terminalSafe(f) << "\n";
        if (!g.createdBy.empty())
            std::cout << "  created by " << terminalSafe(g.createdBy) << "\n";
        std::cout << "\n";
    }
    printMoreRows(groups.size(), shown, "groups");
    return kOk;
}

} // namespace memscope::cli
