// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope goroutines`: the groups of a goroutine dump, largest first.
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/table.h"

#include "base/json_writer.h"
#include "base/text_util.h"
#include "model/goroutines.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

namespace memscope::cli {

int cmdGoroutines(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--snapshot", "-n", "--label"}, {"--json"});
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
        if (!g.role.empty())
            std::cout << "  <" << terminalSafe(g.role) << ">";
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
