// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/diff_heapdump.h"

#include "base/format.h"
#include "base/text_util.h"
#include "cli/table.h"

#include <cstdio>
#include <iostream>

namespace memscope::cli {

const char* const kObjectDiffLimits =
    "Objects are matched by address: Go's collector does not move them. An object freed and "
    "another allocated at its address with the same size, pointer shape and site between the "
    "dumps looks like a survivor; objects without an allocation sample have no site and match "
    "on size and shape alone.";

namespace {

std::string bytes(uint64_t b) { return formatValue(int64_t(b), "bytes"); }
std::string signedBytes(int64_t v) {
    return (v > 0 ? "+" : v < 0 ? "-" : "") + formatValue(std::llabs(v), "bytes");
}
std::string counted(const ObjectCounts& c) {
    return std::to_string(c.objects) + " (" + bytes(c.bytes) + ")";
}
std::string hex(uint64_t a) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(a));
    return b;
}
std::string groupName(const HeapDiffGroup& g) {
    return terminalSafe(
        g.kind.empty() || g.kind == "site" || g.kind == "size" ? g.name : g.kind + " " + g.name);
}

void printRetained(const std::vector<HeapDiffGroup>& rows, long limit, const char* title,
                   const char* what) {
    std::cout << "\n"
              << title << "\n"
              << pad("base", 11) << pad("new", 11) << pad("delta", 12) << pad("survivors", 11)
              << pad("new data", 11) << "name\n";
    size_t shown = 0, total = 0;
    for (const auto& r : rows) {
        if (r.retainedBase == 0 && r.retainedNow == 0)
            continue;
        ++total;
        if (limit > 0 && shown >= size_t(limit))
            continue;
        ++shown;
        std::cout << pad(bytes(r.retainedBase), 11) << pad(bytes(r.retainedNow), 11)
                  << pad(signedBytes(r.retainedDelta()), 12) << pad(bytes(r.retainedSurvivors), 11)
                  << pad(bytes(r.retainedNew()), 11) << groupName(r) << "\n";
    }
    printMoreRows(total, shown, what);
}

void printObjects(const std::vector<HeapDiffGroup>& rows, long limit, const char* title,
                  const char* what) {
    std::cout << "\n"
              << title << "\n"
              << pad("survivors", 22) << pad("new", 22) << pad("freed", 22) << "name\n";
    size_t shown = 0, total = 0;
    for (const auto& r : rows) {
        if (!r.survivors.objects && !r.added.objects && !r.freed.objects)
            continue; // a root that only retained, through objects counted elsewhere
        ++total;
        if (limit > 0 && shown >= size_t(limit))
            continue;
        ++shown;
        std::cout << pad(counted(r.survivors), 22) << pad(counted(r.added), 22)
                  << pad(counted(r.freed), 22) << groupName(r) << "\n";
    }
    printMoreRows(total, shown, what);
}

void groupsJson(JsonWriter& w, const char* key, const std::vector<HeapDiffGroup>& rows, long limit,
                bool retained) {
    w.key(key).beginArray();
    size_t shown = shownRows(rows.size(), limit);
    auto counts = [&](const char* k, const ObjectCounts& c) {
        w.key(k).beginObject().field("objects", c.objects).field("bytes", c.bytes).endObject();
    };
    for (size_t i = 0; i < shown; ++i) {
        const auto& r = rows[i];
        w.beginObject().field("kind", r.kind).field("name", r.name);
        counts("survivors", r.survivors);
        counts("new", r.added);
        counts("freed", r.freed);
        if (retained) {
            w.field("base_retained_bytes", r.retainedBase)
                .field("new_retained_bytes", r.retainedNow)
                .field("retained_survivor_bytes", r.retainedSurvivors)
                .field("retained_new_bytes", r.retainedNew());
            if (r.exampleNew)
                w.field("example_new_object", hex(r.exampleNew));
        }
        w.endObject();
    }
    w.endArray();
}

} // namespace

void printObjectDiff(const HeapObjectDiff& d, long limit, SnapshotId base, SnapshotId now,
                     const std::string& casePath) {
    std::cout << "\nobjects     survivors " << counted(d.survivors) << ", new " << counted(d.added)
              << ", freed " << counted(d.freed) << "\n";
    std::cout << "            " << d.reused << " address" << (d.reused == 1 ? "" : "es")
              << " of snapshot " << base << " hold another object in snapshot " << now
              << " (counted freed and new)\n";
    std::cout << "            matched on address, size, "
              << (d.shapesCompared ? "pointer shape"
                                   : "number of pointers (this case keeps no pointer shapes: "
                                     "import the dumps again to compare them)")
              << " and allocation site when both are sampled\n";
    printRetained(d.roots, limit,
                  "what the growth is made of: retained per root, in survivors "
                  "and new data",
                  "roots");
    // A new object per root that grew, to follow with `memscope paths`.
    size_t hints = 0;
    for (const auto& r : d.roots) {
        if (hints >= 3 || r.retainedDelta() <= 0 || !r.exampleNew)
            continue;
        if (hints++ == 0)
            std::cout << "\nnew objects to follow to their roots:\n";
        std::cout << "  " << groupName(r) << ": memscope paths "
                  << (casePath.empty() ? "CASE" : terminalSafe(casePath)) << " --snapshot " << now
                  << " --object " << hex(r.exampleNew) << "\n";
    }
    printRetained(d.sites, limit, "retained per allocation site (sampled objects)", "sites");
    printObjects(d.sites, limit, "objects per allocation site", "sites");
    printObjects(d.roots, limit, "objects per root (dominator tree of the new dump)", "roots");
    printObjects(d.sizeClasses, limit, "objects per size class", "size classes");
    std::cout << "\n" << kObjectDiffLimits << "\n";
}

void writeObjectDiffJson(JsonWriter& w, const HeapObjectDiff& d, long limit) {
    w.key("objects").beginObject();
    auto counts = [&](const char* k, const ObjectCounts& c) {
        w.key(k).beginObject().field("objects", c.objects).field("bytes", c.bytes).endObject();
    };
    counts("survivors", d.survivors);
    counts("new", d.added);
    counts("freed", d.freed);
    w.field("reused_addresses", d.reused).field("shapes_compared", d.shapesCompared);
    groupsJson(w, "roots", d.roots, limit, true);
    groupsJson(w, "sites", d.sites, limit, true);
    groupsJson(w, "size_classes", d.sizeClasses, limit, false);
    w.field("cannot_know", kObjectDiffLimits);
    w.endObject();
}

} // namespace memscope::cli
