// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope goroutines`: the groups of a goroutine dump, largest first.
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/table.h"

#include "base/json_writer.h"
#include "base/text_util.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace memscope::cli {

int cmdGoroutines(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--snapshot", "-n"}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("goroutines needs one case file");
    std::unique_ptr<CaseStore> store;
    int64_t id = 0;
    if (int rc = openSnapshot(a, toString(SnapshotKind::Goroutines), "goroutine dump", store, id);
        rc != kOk)
        return rc;
    long limit = rowLimit(a, 20);
    auto read = store->goroutineGroups(id);
    if (!read)
        return readFailed(read.error());
    const auto& groups = *read;
    int64_t total = 0;
    for (const auto& g : groups)
        total += g.count;
    size_t shown = shownRows(groups.size(), limit);
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject().field("snapshot", id).field("goroutines", total);
        w.field("groups_total", int64_t(groups.size())).key("groups").beginArray();
        for (size_t i = 0; i < shown; ++i) {
            const auto& g = groups[i];
            w.beginObject().field("count", g.count).field("state", g.state);
            if (!g.role.empty())
                w.field("role", g.role);
            if (g.maxWait >= 0)
                w.field("min_wait_minutes", g.minWait).field("max_wait_minutes", g.maxWait);
            if (g.locked)
                w.field("locked_to_thread", g.locked);
            if (g.leaked)
                w.field("leaked", true);
            w.field("exact_variants", g.exactVariants);
            if (!g.createdBy.empty())
                w.field("created_by", g.createdBy);
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
              << " groups (same functions and lines; arguments and wait times ignored)\n\n";
    for (size_t i = 0; i < shown; ++i) {
        const auto& g = groups[i];
        std::cout << g.count << ": " << terminalSafe(g.state);
        if (g.maxWait >= 0)
            std::cout << " [" << g.minWait << "~" << g.maxWait << " minutes]";
        if (g.locked)
            std::cout << " [locked]";
        if (g.leaked)
            std::cout << " [leaked, says the runtime]";
        if (!g.role.empty())
            std::cout << "  <" << terminalSafe(g.role) << ">";
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
