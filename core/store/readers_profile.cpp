// SPDX-License-Identifier: GPL-3.0-or-later
// Profiles read back: sample types, a profile decoded again from its kept
// bytes or rebuilt from the interned rows, a stack as text.
#include "store/case_store.h"

#include "formats/pprof/pprof_reader.h"
#include "store/case_validate.h"
#include "store/db.h"
#include "store/store_internal.h"

#include <unordered_map>

namespace memscope {

using store_internal::unpackLabels;

Result<std::vector<SampleTypeTotal>> CaseStore::sampleTypes(SnapshotId snapshotId) {
    std::vector<SampleTypeTotal> out;
    Stmt s(*m_db,
           "SELECT idx, type, unit, total FROM sample_types WHERE snapshot_id = ? ORDER BY idx");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row)
        out.push_back({int(s.i64(0)), s.text(1), s.text(2), s.i64(3)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<Profile> CaseStore::loadProfile(SnapshotId snapshotId) {
    // A profile.proto is kept whole with its source: decoding it again is
    // cheaper than rebuilding it from the shared stack trie, and gives the
    // same profile. Other profile formats are rebuilt from the rows.
    auto found = snapshot(snapshotId);
    if (!found)
        return found.error();
    if (const auto& sn = *found) {
        Stmt f(*m_db, "SELECT format FROM sources WHERE id = ?");
        f.bind(1, sn->sourceId);
        auto format = f.next();
        if (!format)
            return format.error();
        bool pprof = *format && f.text(0) == "pprof";
        Stmt meta(*m_db, "SELECT 1 FROM profile_meta WHERE snapshot_id = ?");
        meta.bind(1, snapshotId);
        auto hasMeta = pprof ? meta.next() : Result<bool>(false);
        if (!hasMeta)
            return hasMeta.error();
        if (*hasMeta) {
            auto bytes = sourceBytes(sn->sourceId);
            if (!bytes)
                return bytes.error();
            auto p = parsePprof(*bytes);
            if (!p)
                return p.error().withFile(m_path + " (source " +
                                          std::to_string(sn->sourceId.value) + ", " +
                                          sn->sourceName + ")");
            p->timeNanos = sn->timeNs;
            p->durationNanos = sn->durationNs;
            return p;
        }
    }
    return loadProfileFromRows(snapshotId);
}

Status CaseStore::checkStackTrie() {
    if (!m_stackTrieChecked)
        m_stackTrieChecked = checkStackTrieOrder(*m_db);
    return *m_stackTrieChecked;
}

Result<Profile> CaseStore::loadProfileFromRows(SnapshotId snapshotId) {
    if (auto st = checkStackTrie(); !st)
        return st.error();
    Profile p;
    {
        Stmt m(*m_db, "SELECT period, period_type, period_unit, default_sample, drop_frames, "
                      "keep_frames, comments FROM profile_meta WHERE snapshot_id = ?");
        m.bind(1, snapshotId);
        auto row = m.next();
        if (!row)
            return row.error();
        if (!*row)
            return Error{ErrorCode::Usage,
                         "snapshot " + std::to_string(snapshotId.value) + " has no profile",
                         m_path,
                         {},
                         {}};
        p.period = m.i64(0);
        p.periodType = {m.text(1), m.text(2)};
        p.defaultSampleType = m.text(3);
        p.dropFrames = m.text(4);
        p.keepFrames = m.text(5);
        std::string comments = m.text(6);
        size_t pos = 0;
        while (!comments.empty() && pos <= comments.size()) {
            size_t nl = comments.find('\n', pos);
            p.comments.push_back(comments.substr(pos, nl == std::string::npos ? nl : nl - pos));
            if (nl == std::string::npos)
                break;
            pos = nl + 1;
        }
    }
    auto sn = snapshot(snapshotId);
    if (!sn)
        return sn.error();
    if (*sn) {
        p.timeNanos = (*sn)->timeNs;
        p.durationNanos = (*sn)->durationNs;
    }
    auto types = sampleTypes(snapshotId);
    if (!types)
        return types.error();
    for (const auto& t : *types)
        p.sampleTypes.push_back({t.type, t.unit});
    {
        Stmt m(*m_db,
               "SELECT memory_start, memory_limit, file_offset, file, build_id, has_functions"
               " FROM mappings WHERE snapshot_id = ? ORDER BY idx");
        m.bind(1, snapshotId);
        while (m.step() == Step::Row)
            p.mappings.push_back({uint64_t(m.i64(0)), uint64_t(m.i64(1)), uint64_t(m.i64(2)),
                                  m.text(3), m.text(4), m.i64(5) != 0});
        if (!m.status())
            return m.status().error();
    }

    // Stack nodes, frames and functions of this snapshot, resolved once each.
    // The nodes are the leaves its samples name and all their ancestors. The
    // case's stack trie is shared by its profiles: when it is not much larger
    // than the leaves, one scan of it is cheaper than a lookup per node.
    struct Node {
        int64_t parent, frameId;
        uint32_t frame = 0;    // index into `frames`
        int8_t run = -1;       // the run starting here: -1 not yet resolved, 0 inlined
                               // frames up to the root (no location), 1 closed
        uint32_t location = 0; // of a closed run
        Node* above = nullptr; // the node above a closed run, if any
    };
    std::unordered_map<int64_t, Node> nodes;
    {
        std::vector<int64_t> leaves;
        Stmt l(*m_db, "SELECT DISTINCT stack_id FROM samples WHERE snapshot_id = ?");
        l.bind(1, snapshotId);
        while (l.step() == Step::Row)
            leaves.push_back(l.i64(0));
        if (!l.status())
            return l.status().error();
        auto maxRow = m_db->scalar("SELECT COALESCE(max(id), 0) FROM stacks");
        if (!maxRow)
            return maxRow.error();
        int64_t maxId = *maxRow;
        struct Link {
            int64_t parent, frameId;
        };
        // Walks up from each leaf until a node already gathered or the root.
        // A parent's id is smaller than its child's (stacks are interned
        // parent first): a case where it is not would make a walk loop.
        std::optional<Error> damaged;
        auto gather = [&](auto lookup) {
            nodes.reserve(leaves.size() * 4);
            for (int64_t n : leaves)
                while (n != 0 && !nodes.count(n)) {
                    std::optional<Link> link = lookup(n);
                    if (!link)
                        break;
                    if (link->parent < 0 || link->parent >= n) {
                        damaged = Error{ErrorCode::Format,
                                        "damaged case: table stacks, row id " + std::to_string(n) +
                                            ": parent_id " + std::to_string(link->parent) +
                                            " does not come before the node",
                                        m_path,
                                        {},
                                        {}};
                        return;
                    }
                    nodes.emplace(n, Node{link->parent, link->frameId});
                    n = link->parent;
                }
        };
        if (maxId >= 0 && uint64_t(maxId) <= 16 * leaves.size() + 4096) {
            std::vector<Link> all(size_t(maxId) + 1, Link{-1, -1});
            Stmt scan(*m_db, "SELECT id, parent_id, frame_id FROM stacks");
            while (scan.step() == Step::Row)
                if (int64_t id = scan.i64(0); id >= 0 && id <= maxId)
                    all[size_t(id)] = Link{scan.i64(1), scan.i64(2)};
            if (!scan.status())
                return scan.status().error();
            gather([&](int64_t id) -> std::optional<Link> {
                if (id < 0 || id > maxId || all[size_t(id)].parent < 0)
                    return std::nullopt;
                return all[size_t(id)];
            });
        } else {
            Stmt one(*m_db, "SELECT parent_id, frame_id FROM stacks WHERE id = ?");
            gather([&](int64_t id) -> std::optional<Link> {
                one.bind(1, id);
                std::optional<Link> n;
                if (auto row = one.next(); !row)
                    damaged = row.error();
                else if (*row)
                    n = Link{one.i64(0), one.i64(1)};
                one.reset();
                return n;
            });
        }
        if (damaged)
            return *damaged;
    }
    struct FrameRow {
        int64_t function, line;
        bool inlined;
        uint64_t address;
    };
    std::vector<FrameRow> frames;
    {
        std::unordered_map<int64_t, uint32_t> frameIndex, functionIndex;
        Stmt f(*m_db, "SELECT function_id, line, inlined, address FROM frames WHERE id = ?");
        Stmt fn(*m_db,
                "SELECT n.value, sn.value, fl.value, fu.start_line FROM functions fu"
                " JOIN strings n ON n.id = fu.name_id JOIN strings sn ON sn.id = fu.system_name_id"
                " JOIN strings fl ON fl.id = fu.file_id WHERE fu.id = ?");
        for (auto& [id, node] : nodes) {
            if (auto it = frameIndex.find(node.frameId); it != frameIndex.end()) {
                node.frame = it->second;
                continue;
            }
            f.bind(1, node.frameId);
            auto frameRow = f.next();
            if (!frameRow)
                return frameRow.error();
            if (!*frameRow)
                return Error{ErrorCode::Database,
                             "case is inconsistent: missing frame " + std::to_string(node.frameId),
                             m_path,
                             {},
                             {}};
            FrameRow row{f.i64(0), f.i64(1), f.i64(2) != 0, uint64_t(f.i64(3))};
            f.reset();
            if (row.function != 0) {
                auto [fit, fresh] =
                    functionIndex.emplace(row.function, uint32_t(p.functions.size()));
                if (fresh) {
                    fn.bind(1, row.function);
                    auto fnRow = fn.next();
                    if (!fnRow)
                        return fnRow.error();
                    if (!*fnRow)
                        return Error{ErrorCode::Database,
                                     "case is inconsistent: missing function " +
                                         std::to_string(row.function),
                                     m_path,
                                     {},
                                     {}};
                    p.functions.push_back({fn.text(0), fn.text(1), fn.text(2), fn.i64(3)});
                    fn.reset();
                }
                row.function = fit->second; // now an index into p.functions
            } else {
                row.function = -1;
            }
            node.frame = uint32_t(frames.size());
            frameIndex.emplace(node.frameId, node.frame);
            frames.push_back(row);
        }
    }

    // Rebuild locations: a run of inlined frames closed by a physical one.
    // From a given stack node the run upwards is always the same, so each is
    // resolved once, and a stack is a walk from run to run.
    struct VecHash {
        size_t operator()(const std::vector<uint32_t>& v) const {
            uint64_t h = 0x9e3779b97f4a7c15ull ^ v.size();
            for (uint32_t x : v)
                h = (h ^ x) * 0xff51afd7ed558ccdull, h ^= h >> 32;
            return size_t(h);
        }
    };
    std::vector<int64_t> frameLocation(frames.size(), -1); // runs of one frame, the usual case
    std::unordered_map<std::vector<uint32_t>, uint32_t, VecHash> runLocation;
    std::vector<uint32_t> run;
    auto locationOf = [&]() -> uint32_t {
        int64_t* single = run.size() == 1 ? &frameLocation[run[0]] : nullptr;
        if (single && *single >= 0)
            return uint32_t(*single);
        if (!single)
            if (auto it = runLocation.find(run); it != runLocation.end())
                return it->second;
        Location loc;
        for (uint32_t fi : run) {
            loc.address = frames[fi].address;
            if (frames[fi].function >= 0)
                loc.lines.push_back({uint32_t(frames[fi].function), frames[fi].line});
        }
        uint32_t id = uint32_t(p.locations.size());
        p.locations.push_back(std::move(loc));
        if (single)
            *single = id;
        else
            runLocation.emplace(run, id);
        return id;
    };
    auto resolve = [&](Node& start) {
        if (start.run >= 0)
            return;
        run.clear();
        start.run = 0;
        for (Node* n = &start;;) {
            run.push_back(n->frame);
            if (!frames[n->frame].inlined) {
                start.run = 1;
                start.location = locationOf();
                if (n->parent != 0)
                    if (auto it = nodes.find(n->parent); it != nodes.end())
                        start.above = &it->second;
                return;
            }
            auto it = n->parent != 0 ? nodes.find(n->parent) : nodes.end();
            if (it == nodes.end())
                return;
            n = &it->second;
        }
    };

    Stmt s(*m_db, "SELECT stack_id, v0, v1, v2, v3, more, labels FROM samples WHERE snapshot_id = ?"
                  " ORDER BY rowid");
    s.bind(1, snapshotId);
    size_t nTypes = p.sampleTypes.size();
    // What the samples' stacks may add up to before the profile is refused as
    // larger than any capture (a crafted case could name one deep stack from
    // millions of rows).
    uint64_t locationBudget = uint64_t(64) << 20;
    while (s.step() == Step::Row) {
        Sample smp = p.newSample();
        auto leaf = nodes.find(s.i64(0));
        for (Node* n = leaf == nodes.end() ? nullptr : &leaf->second; n; n = n->above) {
            resolve(*n);
            if (n->run != 1)
                break;
            if (smp.locations.size() >= kMaxStackDepth)
                return Error{ErrorCode::Limit,
                             "damaged case: table samples, stack_id " + std::to_string(s.i64(0)) +
                                 " of snapshot " + std::to_string(snapshotId.value) +
                                 ": a stack deeper than " + std::to_string(kMaxStackDepth) +
                                 " frames",
                             m_path,
                             {},
                             {}};
            if (locationBudget-- == 0)
                return Error{ErrorCode::Limit,
                             "damaged case: table samples of snapshot " +
                                 std::to_string(snapshotId.value) +
                                 ": more stack frames than any profile holds",
                             m_path,
                             {},
                             {}};
            smp.locations.push_back(n->location);
        }
        for (size_t i = 0; i < nTypes && i < 4; ++i)
            smp.values.push_back(s.i64(int(1 + i)));
        if (nTypes > 4) {
            std::string more = s.text(5);
            const char* c = more.c_str();
            char* end;
            for (size_t i = 4; i < nTypes; ++i) {
                smp.values.push_back(std::strtoll(c, &end, 10));
                c = end;
            }
        }
        if (!s.isNull(6))
            for (auto& l : unpackLabels(s.text(6)))
                smp.labels.push_back(std::move(l));
        p.samples.push_back(std::move(smp));
    }
    if (!s.status())
        return s.status().error();
    return p;
}

Result<std::vector<std::string>> CaseStore::stackText(StackId stackId) {
    if (auto st = checkStackTrie(); !st)
        return st.error();
    std::vector<std::string> out;
    Stmt node(*m_db,
              "SELECT st.parent_id, n.value, fl.value, f.line FROM stacks st"
              " JOIN frames f ON f.id = st.frame_id JOIN functions fu ON fu.id = f.function_id"
              " JOIN strings n ON n.id = fu.name_id JOIN strings fl ON fl.id = fu.file_id"
              " WHERE st.id = ?");
    // Parents come before their children (checkStackTrie), so each step goes
    // to a smaller id and the walk ends.
    for (int64_t id = stackId.value; id > 0 && out.size() < kMaxStackDepth;) {
        node.bind(1, id);
        auto row = node.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        out.push_back(truncateUtf8(node.text(1), kMaxNameBytes) + " " +
                      truncateUtf8(node.text(2), kMaxNameBytes) + ":" +
                      std::to_string(node.i64(3)));
        int64_t parent = node.i64(0);
        node.reset();
        if (parent >= id)
            break;
        id = parent;
    }
    return out;
}

} // namespace memscope
