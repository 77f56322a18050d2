// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines: the Writer (the ImportSink that interns a file's
// functions, frames and stacks and writes its rows) and importFile, which
// drives it inside one transaction with the duplicate checks around it;
// the writer is private to this file, so the two stay together.
#include "store/case_store.h"

#include "base/sha256.h"
#include "import/capture_time.h"
#include "io/chunk_compressor.h"
#include "store/db.h"
#include "store/store_internal.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace memscope {

using store_internal::kChunk;
using store_internal::nowNs;
using store_internal::packLabels;
using store_internal::putVarint;

namespace {

std::string baseName(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct FunctionKey {
    int64_t name, systemName, file, startLine;
    bool operator<(const FunctionKey& o) const {
        return std::tie(name, systemName, file, startLine) <
               std::tie(o.name, o.systemName, o.file, o.startLine);
    }
};

struct FrameKey {
    int64_t function, line, inlined;
    uint64_t address;
    bool operator<(const FrameKey& o) const {
        return std::tie(function, line, inlined, address) <
               std::tie(o.function, o.line, o.inlined, o.address);
    }
};

// Stack node ids by (parent, frame): a flat table with linear probing, since
// a deep dump or a large profile asks it once per frame of every stack, and
// a node per entry cost as much to allocate and free as the lookups.
class StackIds {
public:
    std::optional<int64_t> find(int64_t parent, int64_t frame) const {
        if (m_slots.empty())
            return std::nullopt;
        for (size_t i = slot(parent, frame);; i = (i + 1) & m_mask) {
            const Slot& s = m_slots[i];
            if (s.id == 0)
                return std::nullopt;
            if (s.parent == parent && s.frame == frame)
                return s.id;
        }
    }
    // Ids are row ids, never 0.
    void add(int64_t parent, int64_t frame, int64_t id) {
        if ((m_used + 1) * 4 > m_slots.size() * 3)
            grow();
        for (size_t i = slot(parent, frame);; i = (i + 1) & m_mask)
            if (m_slots[i].id == 0) {
                m_slots[i] = {parent, frame, id};
                ++m_used;
                return;
            }
    }

private:
    struct Slot {
        int64_t parent = 0, frame = 0, id = 0;
    };
    size_t slot(int64_t parent, int64_t frame) const {
        uint64_t h = uint64_t(parent) * 0x9E3779B97F4A7C15ull ^ uint64_t(frame);
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9ull;
        return size_t(h ^ (h >> 32)) & m_mask;
    }
    void grow() {
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
        m_mask = m_slots.size() - 1;
        m_used = 0;
        for (const Slot& s : old)
            if (s.id != 0)
                add(s.parent, s.frame, s.id);
    }
    std::vector<Slot> m_slots;
    size_t m_mask = 0, m_used = 0;
};

} // namespace

// ---- Writer: the ImportSink for one file, inside its transaction. ----------

class CaseStore::Writer final : public ImportSink {
public:
    Writer(CaseStore& store, int64_t sourceId, const SourceFile& src, const ImportOptions& opts)
        : m_db(*store.m_db), m_sourceId(sourceId), m_src(src), m_opts(opts) {}

    std::vector<SnapshotId> snapshotIds;
    std::vector<std::string> warnings;
    std::string timeSource;

    Result<SnapshotId> addSnapshot(const SnapshotDraft& d) override {
        auto target = targetId(d.target);
        if (!target)
            return target.error();
        int64_t t;
        std::string nameWarning;
        if (d.timeNs && *d.timeNs > 0) {
            t = *d.timeNs;
            timeSource = d.timeSource.empty() ? "data" : d.timeSource;
        } else if (m_opts.captureTimeNs) {
            t = *m_opts.captureTimeNs;
            timeSource = "capture";
        } else if (auto fromName = timeFromFileName(m_src.name, &nameWarning)) {
            t = *fromName;
            timeSource = "filename";
        } else {
            t = m_src.file->mtimeNs();
            timeSource = "mtime";
            if (!nameWarning.empty() && snapshotIds.empty())
                warnings.push_back(nameWarning + "; the file's mtime is used");
        }
        Stmt s(m_db, "INSERT INTO snapshots(source_id, target_id, kind, time_ns, time_source, "
                     "duration_ns) VALUES(?,?,?,?,?,?)");
        s.bind(1, m_sourceId)
            .bind(2, *target)
            .bind(3, toString(d.kind))
            .bind(4, t)
            .bind(5, timeSource);
        s.bind(6, d.durationNs);
        if (auto st = s.exec(); !st)
            return st.error();
        SnapshotId id(m_db.lastInsertId());
        snapshotIds.push_back(id);
        return id;
    }

    Status addProfile(SnapshotId snapshotId, const Profile& p) override {
        std::string comments;
        for (const auto& c : p.comments)
            comments += (comments.empty() ? "" : "\n") + c;
        Stmt meta(m_db, "INSERT INTO profile_meta VALUES(?,?,?,?,?,?,?,?)");
        meta.bind(1, snapshotId).bind(2, p.period).bind(3, p.periodType.type);
        meta.bind(4, p.periodType.unit).bind(5, p.defaultSampleType).bind(6, p.dropFrames);
        meta.bind(7, p.keepFrames).bind(8, comments);
        if (auto st = meta.exec(); !st)
            return st;

        std::vector<int64_t> totals(p.sampleTypes.size(), 0);
        for (const auto& s : p.samples)
            for (size_t i = 0; i < totals.size() && i < s.values.size(); ++i)
                totals[i] += s.values[i] < 0 ? -s.values[i] : s.values[i];
        Stmt types(m_db, "INSERT INTO sample_types VALUES(?,?,?,?,?)");
        for (size_t i = 0; i < p.sampleTypes.size(); ++i) {
            types.bind(1, snapshotId).bind(2, int64_t(i)).bind(3, p.sampleTypes[i].type);
            types.bind(4, p.sampleTypes[i].unit).bind(5, totals[i]);
            if (auto st = types.exec(); !st)
                return st;
        }
        Stmt maps(m_db, "INSERT INTO mappings VALUES(?,?,?,?,?,?,?,?)");
        for (size_t i = 0; i < p.mappings.size(); ++i) {
            const auto& m = p.mappings[i];
            maps.bind(1, snapshotId).bind(2, int64_t(i)).bind(3, int64_t(m.memoryStart));
            maps.bind(4, int64_t(m.memoryLimit)).bind(5, int64_t(m.fileOffset)).bind(6, m.file);
            maps.bind(7, m.buildId).bind(8, int64_t(m.hasFunctions));
            if (auto st = maps.exec(); !st)
                return st;
        }

        // Intern functions and frames of every location once.
        std::vector<int64_t> functionIds(p.functions.size(), -1);
        for (size_t i = 0; i < p.functions.size(); ++i) {
            auto id = internFunction(p.functions[i]);
            if (!id)
                return id.error();
            functionIds[i] = *id;
        }
        std::vector<std::vector<int64_t>> locationFrames(p.locations.size());
        for (size_t i = 0; i < p.locations.size(); ++i) {
            const auto& loc = p.locations[i];
            auto& frames = locationFrames[i];
            if (loc.lines.empty()) {
                auto id = internFrame({0, 0, 0, loc.address});
                if (!id)
                    return id.error();
                frames.push_back(*id);
            }
            for (size_t k = 0; k < loc.lines.size(); ++k) {
                FrameKey key{functionIds[loc.lines[k].function], loc.lines[k].line,
                             k + 1 < loc.lines.size() ? 1 : 0, 0};
                auto id = internFrame(key);
                if (!id)
                    return id.error();
                frames.push_back(*id);
            }
        }

        Stmt ins(m_db, "INSERT INTO samples VALUES(?,?,?,?,?,?,?,?)");
        std::vector<int64_t> path;
        for (const auto& s : p.samples) {
            // Walk root -> leaf through the trie.
            int64_t node = 0;
            for (size_t li = s.locations.size(); li-- > 0;) {
                const auto& frames = locationFrames[s.locations[li]];
                for (size_t fi = frames.size(); fi-- > 0;) {
                    auto id = internStack(node, frames[fi]);
                    if (!id)
                        return id.error();
                    node = *id;
                }
            }
            ins.bind(1, snapshotId).bind(2, node);
            for (size_t i = 0; i < 4; ++i)
                ins.bind(int(3 + i), i < s.values.size() ? s.values[i] : int64_t(0));
            if (s.values.size() > 4) {
                std::string more;
                for (size_t i = 4; i < s.values.size(); ++i)
                    more += (i > 4 ? " " : "") + std::to_string(s.values[i]);
                ins.bind(7, more);
            } else {
                ins.bindNull(7);
            }
            if (!s.labels.empty())
                ins.bind(8, packLabels(s.labels));
            else
                ins.bindNull(8);
            if (auto st = ins.exec(); !st)
                return st;
        }
        return flushStacks();
    }

    Status addGoroutines(SnapshotId snapshotId, const GoroutineDump& dump) override {
        std::vector<int64_t> frameIds(dump.frames.size());
        for (size_t i = 0; i < dump.frames.size(); ++i) {
            const GoFrame& f = dump.frames[i];
            auto fr = internSourceLine(f.function, f.file, f.line);
            if (!fr)
                return fr.error();
            frameIds[i] = *fr;
        }
        // Members per group, ids ascending, delta-encoded.
        std::vector<std::vector<const GoroutineRecord*>> members(dump.groups.size());
        for (const auto& g : dump.goroutines)
            members[g.group].push_back(&g);
        Stmt grp(m_db, "INSERT INTO goroutine_groups VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        std::string packed;
        for (size_t g = 0; g < dump.groups.size(); ++g) {
            const GoroutineGroup& gr = dump.groups[g];
            int64_t node = 0;
            for (size_t k = gr.frames.size(); k-- > 0;) {
                auto id = internStack(node, frameIds[gr.frames[k]]);
                if (!id)
                    return id.error();
                node = *id;
            }
            grp.bind(1, snapshotId).bind(2, int64_t(g)).bind(3, node);
            grp.bind(4, gr.createdBy >= 0 ? frameIds[size_t(gr.createdBy)] : int64_t(0));
            grp.bind(5, gr.state).bind(6, toString(gr.role)).bind(7, gr.count);
            grp.bind(8, gr.lockedToThread).bind(9, gr.minWaitMinutes).bind(10, gr.maxWaitMinutes);
            grp.bind(11, gr.exactVariants).bind(12, int64_t(gr.framesElided));
            auto& m = members[g];
            std::sort(m.begin(), m.end(), [](auto* a, auto* b) { return a->id < b->id; });
            packed.clear();
            int64_t prev = 0;
            for (const auto* r : m) {
                putVarint(packed, uint64_t(r->id - prev));
                putVarint(packed, uint64_t(r->waitMinutes + 1));
                putVarint(packed, uint64_t(r->parentId));
                putVarint(packed, r->locked ? 1 : 0);
                prev = r->id;
            }
            grp.bindBlob(13, packed);
            grp.bind(14, int64_t(gr.leaked));
            std::string labels;
            for (const auto& [k, v] : gr.labels) {
                if (!labels.empty())
                    labels += '\x1e';
                labels += k;
                labels += '\x1f';
                labels += v;
            }
            grp.bind(15, labels).bind(16, gr.elidedFrames).bind(17, int64_t(gr.elidedAt));
            if (auto st = grp.exec(); !st)
                return st;
        }
        return flushStacks();
    }

    Status addFds(SnapshotId snapshotId, const FdSnapshot& snap) override {
        Stmt ins(m_db, "INSERT INTO fds VALUES(?,?,?,?,?,?,?,?,?,?)");
        for (const auto& e : snap.fds) {
            ins.bind(1, snapshotId).bind(2, e.fd).bind(3, e.type).bind(4, e.protocol);
            ins.bind(5, e.localAddr).bind(6, e.localPort).bind(7, e.remoteAddr);
            ins.bind(8, e.remotePort).bind(9, e.state).bind(10, e.name);
            if (auto st = ins.exec(); !st)
                return st;
        }
        return {};
    }

    Status addGcCycles(SnapshotId snapshotId, const std::vector<GcCycle>& cycles) override {
        Stmt ins(m_db, "INSERT INTO gc_cycles VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        for (const auto& c : cycles) {
            ins.bind(1, snapshotId).bind(2, c.n).bind(3, c.atSeconds).bind(4, c.cpuPercent);
            ins.bind(5, c.stwSweepMs).bind(6, c.concurrentMs).bind(7, c.stwMarkMs);
            ins.bind(8, c.heapStartMb).bind(9, c.heapEndMb).bind(10, c.heapLiveMb);
            ins.bind(11, c.goalMb).bind(12, c.stacksMb).bind(13, c.globalsMb);
            ins.bind(14, c.procs).bind(15, int64_t(c.forced));
            if (auto st = ins.exec(); !st)
                return st;
        }
        return {};
    }

    int64_t processStartFromExpvar(const std::vector<GcCycle>& cycles) override {
        Stmt q(m_db, "SELECT a.value, b.value FROM metric_points a JOIN metric_points b"
                     " ON b.snapshot_id = a.snapshot_id AND b.name = 'memstats.LastGC'"
                     " JOIN snapshots sn ON sn.id = a.snapshot_id AND sn.kind = 'expvar'"
                     " WHERE a.name = 'memstats.NumGC' ORDER BY sn.time_ns DESC");
        Step step;
        while ((step = q.step()) == Step::Row) {
            double numGcValue = q.f64(0), lastGc = q.f64(1);
            if (q.isInteger(1) && q.i64(1) > 0) { // exact: nanoseconds past 2^53
                int64_t exact = q.i64(1);
                for (const auto& c : cycles)
                    if (q.isInteger(0) && c.n == q.i64(0))
                        return exact - int64_t(std::llround(c.atSeconds * 1e9));
            }
            if (!(numGcValue >= 0 && numGcValue < 9.2e18)) // a count past int64 is no count
                continue;
            int64_t numGc = int64_t(numGcValue);
            for (const auto& c : cycles)
                if (c.n == numGc && lastGc > 0 && lastGc < 9.2e18) // within int64 nanoseconds
                    return int64_t(lastGc - c.atSeconds * 1e9);
        }
        // The interface has no error here: the log stays on its mtime, and says why.
        if (step == Step::Failed)
            warnings.push_back("the process start could not be read from expvar: " +
                               q.status().error().message);
        return 0;
    }

    Status addEscapeNotes(SnapshotId snapshotId, const std::vector<EscapeNote>& notes) override {
        Stmt ins(m_db, "INSERT INTO escape_notes VALUES(?,?,?,?,?,?,?)");
        for (const auto& n : notes) {
            ins.bind(1, snapshotId).bind(2, n.file).bind(3, n.line).bind(4, n.column);
            ins.bind(5, n.kind).bind(6, n.message).bind(7, n.detail);
            if (auto st = ins.exec(); !st)
                return st;
        }
        return {};
    }

    Status addHeapDump(SnapshotId snapshotId, const HeapDump& d, const HeapDumpSummary& sum,
                       std::string_view graphBlob) override {
        std::string counts = "{";
        for (int t = 0; t < kHeapDumpTags; ++t)
            if (d.recordCounts[t])
                counts += std::string(counts.size() > 1 ? "," : "") + "\"" + heapDumpTagName(t) +
                          "\":" + std::to_string(d.recordCounts[t]);
        counts += "}";
        Stmt h(m_db, "INSERT INTO heapdumps VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        h.bind(1, snapshotId).bind(2, d.goVersion).bind(3, int64_t(d.ptrSize));
        h.bind(4, int64_t(sum.objects)).bind(5, int64_t(sum.bytes)).bind(6, int64_t(sum.edges));
        h.bind(7, int64_t(sum.reachableObjects)).bind(8, int64_t(sum.reachableBytes));
        h.bind(9, int64_t(sum.sampledObjects)).bind(10, int64_t(sum.sampledBytes));
        h.bind(11, int64_t(sum.sampledRetainedBytes)).bind(12, int64_t(sum.finalizersRegistered));
        h.bind(13, int64_t(sum.finalizersQueued)).bind(14, int64_t(sum.finalizerRetainedBytes));
        h.bind(15, int64_t(sum.goroutines)).bind(16, int64_t(d.graph.roots.size()));
        h.bind(17, counts).bind(18, d.symbolsFrom);
        if (auto st = h.exec(); !st)
            return st;
        constexpr size_t kPart = 64u << 20;
        Stmt part(m_db, "INSERT INTO heapdump_graph VALUES(?,?,?)");
        for (size_t off = 0, seq = 0; off < graphBlob.size() || seq == 0; off += kPart, ++seq) {
            part.bind(1, snapshotId)
                .bind(2, int64_t(seq))
                .bindBlob(3, graphBlob.substr(off, kPart));
            if (auto st = part.exec(); !st)
                return st;
        }
        Stmt roots(m_db, "INSERT INTO heapdump_roots VALUES(?,?,?,?,?,?,?,?)");
        for (const auto& r : sum.roots) {
            roots.bind(1, snapshotId).bind(2, int64_t(r.index)).bind(3, rootKindName(r.kind));
            roots.bind(4, r.name).bind(5, r.detail).bind(6, int64_t(r.directObjects));
            roots.bind(7, int64_t(r.retainedBytes)).bind(8, int64_t(r.retainedObjects));
            if (auto st = roots.exec(); !st)
                return st;
        }
        std::vector<const HeapDumpSummary::SiteRow*> rowOf(d.buckets.size(), nullptr);
        for (const auto& r : sum.sites)
            rowOf[r.bucket] = &r;
        Stmt sites(m_db, "INSERT INTO heapdump_sites VALUES(?,?,?,?,?,?,?,?,?)");
        for (size_t b = 0; b < d.buckets.size(); ++b) {
            const auto& bk = d.buckets[b];
            int64_t node = 0;
            for (size_t i = bk.frames.size(); i-- > 0;) {
                const auto& f = bk.frames[i];
                auto fr = internSourceLine(f.function, f.file, f.line);
                if (!fr)
                    return fr.error();
                auto st = internStack(node, *fr);
                if (!st)
                    return st.error();
                node = *st;
            }
            const auto* r = rowOf[b];
            sites.bind(1, snapshotId).bind(2, int64_t(b)).bind(3, node).bind(4, int64_t(bk.size));
            sites.bind(5, int64_t(bk.allocs)).bind(6, int64_t(bk.frees));
            sites.bind(7, int64_t(r ? r->sampledObjects : 0))
                .bind(8, int64_t(r ? r->sampledBytes : 0));
            sites.bind(9, int64_t(r ? r->retainedBytes : 0));
            if (auto st = sites.exec(); !st)
                return st;
        }
        if (auto st = flushStacks(); !st)
            return st;
        Stmt rs(m_db, "INSERT INTO heapdump_root_sites VALUES(?,?,?,?,?)");
        for (const auto& e : sum.rootSites) {
            rs.bind(1, snapshotId).bind(2, int64_t(e.root) - 1).bind(3, int64_t(e.bucket));
            rs.bind(4, int64_t(e.retainedBytes)).bind(5, int64_t(e.objects));
            if (auto st = rs.exec(); !st)
                return st;
        }
        // A finalizer named in one dump (its function was on a stack) names it
        // in the others too: same PC, same program.
        Stmt known(
            m_db,
            "SELECT function FROM heapdump_finalizers WHERE pc = ? AND function NOT LIKE 'fn 0x%'"
            " LIMIT 1");
        Stmt renameFin(
            m_db, "UPDATE heapdump_finalizers SET function = ?1 WHERE pc = ?2 AND function = ?3");
        Stmt renameRoot(m_db, "UPDATE heapdump_roots SET name = ?1 WHERE name = ?2 AND kind IN"
                              " ('finalizer', 'queued_finalizer')");
        std::map<std::string, std::string> renamed;
        for (const auto& f : sum.finalizers) {
            std::string anon = unnamedFunction(f.pc);
            if (f.function == anon) {
                known.bind(1, int64_t(f.pc));
                auto row = known.next();
                if (!row)
                    return row.error();
                if (*row)
                    renamed[anon] = known.text(0);
                known.reset();
            } else {
                for (Stmt* st : {&renameFin, &renameRoot}) {
                    st->bind(1, f.function);
                    if (st == &renameFin)
                        st->bind(2, int64_t(f.pc)).bind(3, anon);
                    else
                        st->bind(2, anon);
                    if (auto r = st->exec(); !r)
                        return r;
                }
            }
        }
        if (!renamed.empty()) {
            Stmt fix(m_db,
                     "UPDATE heapdump_roots SET name = ?1 WHERE snapshot_id = ?2 AND name = ?3");
            for (const auto& [from, to] : renamed)
                if (auto r = fix.bind(1, to).bind(2, snapshotId).bind(3, from).exec(); !r)
                    return r;
        }
        Stmt fin(m_db, "INSERT INTO heapdump_finalizers VALUES(?,?,?,?,?,?)");
        for (const auto& f : sum.finalizers) {
            auto alias = renamed.find(f.function);
            fin.bind(1, snapshotId).bind(2, alias == renamed.end() ? f.function : alias->second);
            fin.bind(3, int64_t(f.pc));
            fin.bind(4, int64_t(f.registered))
                .bind(5, int64_t(f.queued))
                .bind(6, int64_t(f.retainedBytes));
            if (auto st = fin.exec(); !st)
                return st;
        }
        return {};
    }

    Status addMetric(SnapshotId snapshotId, const std::string& name, double value) override {
        if (!m_addMetric.valid())
            m_addMetric = m_db.prepare("INSERT OR REPLACE INTO metric_points VALUES(?,?,?)");
        return m_addMetric.bind(1, snapshotId).bind(2, name).bind(3, value).exec();
    }
    Status addMetricInteger(SnapshotId snapshotId, const std::string& name,
                            int64_t value) override {
        if (!m_addMetric.valid())
            m_addMetric = m_db.prepare("INSERT OR REPLACE INTO metric_points VALUES(?,?,?)");
        return m_addMetric.bind(1, snapshotId).bind(2, name).bind(3, value).exec();
    }

    void warn(const std::string& message) override { warnings.push_back(message); }

private:
    Result<int64_t> targetId(const TargetHint& hint) {
        std::string name = !m_opts.targetName.empty() ? m_opts.targetName : hint.name;
        if (name.empty()) {
            // A capture that does not name its program joins the case's only
            // program, when there is exactly one.
            Stmt only(m_db, "SELECT name FROM targets WHERE name <> 'default' LIMIT 2");
            std::vector<std::string> names;
            if (auto st = only.each([&] { names.push_back(only.text(0)); }); !st)
                return st.error();
            name = names.size() == 1 ? names.front() : "default";
        }
        Stmt find(m_db, "SELECT id FROM targets WHERE name = ?");
        find.bind(1, name);
        auto found = find.next();
        if (!found)
            return found.error();
        if (*found) {
            int64_t id = find.i64(0);
            if (!hint.host.empty() || hint.pid || !hint.goVersion.empty()) {
                Stmt upd(m_db, "UPDATE targets SET host = CASE WHEN ?2 <> '' THEN ?2 ELSE host END,"
                               " pid = CASE WHEN ?3 <> 0 THEN ?3 ELSE pid END,"
                               " go_version = CASE WHEN ?4 <> '' THEN ?4 ELSE go_version END"
                               " WHERE id = ?1");
                upd.bind(1, id).bind(2, hint.host).bind(3, hint.pid).bind(4, hint.goVersion);
                if (auto st = upd.exec(); !st)
                    return st.error();
            }
            return id;
        }
        if (name != "default") {
            // Captures that did not name their program went to "default"; when
            // it is the only target, it was this program all along.
            Stmt all(m_db, "SELECT id, name FROM targets LIMIT 2");
            std::vector<std::pair<int64_t, std::string>> have;
            if (auto st = all.each([&] { have.emplace_back(all.i64(0), all.text(1)); }); !st)
                return st.error();
            if (have.size() == 1 && have[0].second == "default") {
                Stmt ren(m_db, "UPDATE targets SET name = ? WHERE id = ?");
                if (auto st = ren.bind(1, name).bind(2, have[0].first).exec(); !st)
                    return st.error();
                return have[0].first;
            }
        }
        Stmt ins(m_db, "INSERT INTO targets(name, host, pid, go_version) VALUES(?,?,?,?)");
        ins.bind(1, name).bind(2, hint.host).bind(3, hint.pid).bind(4, hint.goVersion);
        if (auto st = ins.exec(); !st)
            return st.error();
        return m_db.lastInsertId();
    }

    Result<int64_t> internString(const std::string& s) {
        if (auto it = m_strings.find(s); it != m_strings.end())
            return it->second;
        if (!m_findString.valid()) {
            m_findString = m_db.prepare("SELECT id FROM strings WHERE value = ?");
            m_addString = m_db.prepare("INSERT INTO strings(value) VALUES(?)");
        }
        m_findString.bind(1, s);
        auto id = findOrAdd(m_findString, true, m_addString, [&] { m_addString.bind(1, s); });
        if (id)
            m_strings.emplace(s, *id);
        return id;
    }

    Result<int64_t> internFunction(const Function& f) {
        auto n = internString(f.name);
        auto sn = internString(f.systemName);
        auto fl = internString(f.file);
        if (!n || !sn || !fl)
            return !n ? n.error() : !sn ? sn.error() : fl.error();
        FunctionKey key{*n, *sn, *fl, f.startLine};
        if (auto it = m_functions.find(key); it != m_functions.end())
            return it->second;
        if (!m_findFunction.valid()) {
            m_findFunction = m_db.prepare("SELECT id FROM functions WHERE name_id = ? AND "
                                          "system_name_id = ? AND file_id = ? AND start_line = ?");
            m_addFunction = m_db.prepare("INSERT INTO functions(name_id, system_name_id, file_id, "
                                         "start_line) VALUES(?,?,?,?)");
        }
        m_findFunction.bind(1, key.name)
            .bind(2, key.systemName)
            .bind(3, key.file)
            .bind(4, key.startLine);
        auto id = findOrAdd(m_findFunction, true, m_addFunction, [&] {
            m_addFunction.bind(1, key.name).bind(2, key.systemName).bind(3, key.file);
            m_addFunction.bind(4, key.startLine);
        });
        if (id)
            m_functions.emplace(key, *id);
        return id;
    }

    // A frame as goroutine dumps and heap dumps name one: a function (no
    // separate system name) at a line of a file, no address.
    Result<int64_t> internSourceLine(const std::string& function, const std::string& file,
                                     int64_t line) {
        auto fn = internFunction(Function{function, function, file, 0});
        if (!fn)
            return fn.error();
        return internFrame({*fn, line, 0, 0});
    }

    Result<int64_t> internFrame(const FrameKey& key) {
        if (auto it = m_frames.find(key); it != m_frames.end())
            return it->second;
        if (!m_findFrame.valid()) {
            m_findFrame = m_db.prepare("SELECT id FROM frames WHERE function_id = ? AND line = ? "
                                       "AND inlined = ? AND address = ?");
            m_addFrame = m_db.prepare(
                "INSERT INTO frames(function_id, line, inlined, address) VALUES(?,?,?,?)");
        }
        m_findFrame.bind(1, key.function).bind(2, key.line).bind(3, key.inlined);
        m_findFrame.bind(4, int64_t(key.address));
        auto id = findOrAdd(m_findFrame, true, m_addFrame, [&] {
            m_addFrame.bind(1, key.function).bind(2, key.line).bind(3, key.inlined);
            m_addFrame.bind(4, int64_t(key.address));
        });
        if (id)
            m_frames.emplace(key, *id);
        return id;
    }

    Result<int64_t> internStack(int64_t parent, int64_t frame) {
        if (auto known = m_stacks.find(parent, frame))
            return *known;
        if (!m_findStack.valid())
            m_findStack =
                m_db.prepare("SELECT id FROM stacks WHERE parent_id = ? AND frame_id = ?");
        if (m_firstNewStack < 0) {
            auto first = m_db.scalar("SELECT COALESCE(max(id), 0) + 1 FROM stacks");
            if (!first)
                return first.error();
            m_firstNewStack = m_nextStack = *first;
        }
        // A node this import made has no children in the case but those it
        // made too, which the cache holds: no lookup needed below it.
        if (parent < m_firstNewStack) {
            m_findStack.bind(1, parent).bind(2, frame);
            auto found = findId(m_findStack);
            if (!found)
                return found.error();
            if (*found) {
                m_stacks.add(parent, frame, **found);
                return **found;
            }
        }
        // A new node gets the next id now and goes in with others, many rows
        // to a statement (flushStacks).
        int64_t id = m_nextStack++;
        m_pendingStacks.push_back({id, parent, frame});
        m_stacks.add(parent, frame, id);
        if (m_pendingStacks.size() == kStackBatch)
            if (auto st = flushStacks(); !st)
                return st.error();
        return id;
    }

    // Writes the stack nodes internStack has given ids to.
    Status flushStacks() {
        auto insert = [&](Stmt& st, size_t from, size_t n) -> Status {
            for (size_t i = 0; i < n; ++i) {
                const auto& r = m_pendingStacks[from + i];
                st.bind(int(3 * i + 1), r[0]).bind(int(3 * i + 2), r[1]).bind(int(3 * i + 3), r[2]);
            }
            return st.exec();
        };
        size_t done = 0;
        if (m_pendingStacks.size() >= kStackBatch) {
            if (!m_addStacks.valid()) {
                std::string sql = "INSERT INTO stacks(id, parent_id, frame_id) VALUES(?,?,?)";
                for (size_t i = 1; i < kStackBatch; ++i)
                    sql += ",(?,?,?)";
                m_addStacks = m_db.prepare(sql.c_str());
            }
            for (; done + kStackBatch <= m_pendingStacks.size(); done += kStackBatch)
                if (auto st = insert(m_addStacks, done, kStackBatch); !st)
                    return st;
        }
        if (done < m_pendingStacks.size() && !m_addStack.valid())
            m_addStack = m_db.prepare("INSERT INTO stacks(id, parent_id, frame_id) VALUES(?,?,?)");
        for (; done < m_pendingStacks.size(); ++done)
            if (auto st = insert(m_addStack, done, 1); !st)
                return st;
        m_pendingStacks.clear();
        return {};
    }

    // The id of the row the bound `find` finds, if any; `find` is reset.
    static Result<std::optional<int64_t>> findId(Stmt& find) {
        auto found = find.next();
        if (!found)
            return found.error();
        std::optional<int64_t> id;
        if (*found)
            id = find.i64(0);
        find.reset();
        return id;
    }

    // The id of the row the bound `find` finds (when `lookUp`), else of the
    // row `add` inserts once `bindAdd` has bound its values.
    template <typename BindAdd>
    Result<int64_t> findOrAdd(Stmt& find, bool lookUp, Stmt& add, BindAdd bindAdd) {
        if (lookUp) {
            auto found = findId(find);
            if (!found)
                return found.error();
            if (*found)
                return **found;
        }
        find.reset();
        bindAdd();
        if (auto st = add.exec(); !st)
            return st.error();
        return m_db.lastInsertId();
    }

    Db& m_db;
    int64_t m_sourceId;
    const SourceFile& m_src;
    const ImportOptions& m_opts;
    std::unordered_map<std::string, int64_t> m_strings;
    std::map<FunctionKey, int64_t> m_functions;
    std::map<FrameKey, int64_t> m_frames;
    StackIds m_stacks;
    int64_t m_firstNewStack = -1; // stack ids from here on were made by this import
    int64_t m_nextStack = -1;
    static constexpr size_t kStackBatch = 128; // rows per INSERT (384 values)
    std::vector<std::array<int64_t, 3>> m_pendingStacks;
    Stmt m_addStacks;
    Stmt m_addMetric;
    Stmt m_findString, m_addString, m_findFunction, m_addFunction, m_findFrame, m_addFrame,
        m_findStack, m_addStack;
};

namespace {
constexpr size_t kDeferShaBytes = 8u << 20;
// The sha256 of a source whose checksum is taken only when needed.
constexpr std::string_view kUnhashed = "unhashed:";

// The capture time a file would get when its data has none.
std::optional<int64_t> fallbackTime(const std::string& timeSource, const std::string& name,
                                    int64_t mtimeNs) {
    if (timeSource == "filename")
        return timeFromFileName(name);
    if (timeSource == "mtime")
        return mtimeNs;
    return std::nullopt;
}
} // namespace

// A source imported without its checksum gets it from its kept bytes, which
// are the file's own (it was not compressed): chunk by chunk, in bounded
// memory. A source without kept bytes keeps its placeholder, matching nothing.
Status CaseStore::hashKeptBytes(SourceId sourceId) {
    Sha256 sha;
    auto kept = forEachKeptChunk(sourceId, [&](std::string_view part) { sha.update(part); });
    if (!kept)
        return kept.error();
    if (!*kept)
        return {};
    Stmt set(*m_db, "UPDATE sources SET sha256 = ? WHERE id = ?");
    return set.bind(1, sha.finishHex()).bind(2, sourceId).exec();
}

Result<std::optional<std::string>>
CaseStore::sameCapture(const std::string& sha, const SourceFile& src, const ImportOptions& opts) {
    // Per earlier source with these bytes: does every snapshot's time come out
    // the same for this file, for the same program?
    Stmt q(*m_db,
           "SELECT so.id, so.format, so.name, so.mtime_ns, sn.time_source, t.name, sn.time_ns"
           " FROM sources so"
           " JOIN snapshots sn ON sn.source_id = so.id JOIN targets t ON t.id = sn.target_id"
           " WHERE so.sha256 = ? ORDER BY so.id");
    q.bind(1, sha);
    int64_t current = 0;
    bool same = false;
    std::string format;
    auto verdict = [&]() -> bool { return current != 0 && same; };
    Step step;
    while ((step = q.step()) == Step::Row) {
        if (q.i64(0) != current) {
            if (verdict())
                return std::optional<std::string>(format);
            current = q.i64(0);
            format = q.text(1);
            same = true;
        }
        std::string timeSource = q.text(4);
        if (timeSource == "filename" || timeSource == "mtime" || timeSource == "capture") {
            // Timed from outside its data: the same only at the same time.
            // A capture round's time, when given, is the time this file gets.
            std::optional<int64_t> mine =
                opts.captureTimeNs ? opts.captureTimeNs
                                   : fallbackTime(timeSource, src.name, src.file->mtimeNs());
            same = same && mine == std::optional<int64_t>(q.i64(6));
        }
        if (!opts.targetName.empty() && q.text(5) != opts.targetName)
            same = false;
    }
    if (step == Step::Failed)
        return q.status().error();
    if (verdict())
        return std::optional<std::string>(format);
    return std::optional<std::string>();
}

ImportOutcome CaseStore::importFile(const std::string& path, const ImportOptions& opts,
                                    const Progress& progress) {
    ImportOutcome out;
    out.path = path;
    auto fail = [&](Error e) {
        out.status = ImportStatus::Failed;
        out.error = e.withFile(path);
        return out;
    };
    auto mapped = MappedFile::open(path);
    if (!mapped)
        return fail(mapped.error());
    SourceFile src;
    src.path = path;
    src.name = baseName(path);
    src.binaryPath = opts.binaryPath;
    src.file = *mapped;
    std::string_view raw = src.file->bytes();
    src.compression = detectCompression(raw.substr(0, 4));
    src.head = peekDecoded(raw, 64 << 10);

    // A large file's checksum is taken on the compressor's core while this one
    // parses, and the duplicate check waits until then; unless a file of the
    // same size is already in the case: a likely duplicate, checked first. A
    // large file that is not compressed, of a size no source has, is not
    // checksummed at all: no file in the case can be its duplicate, and its
    // kept bytes are its own, hashed from the case when a file of its size
    // arrives (hashKeptBytes).
    bool deferSha = false, unhashed = false;
    if (raw.size() >= kDeferShaBytes) {
        Stmt same(*m_db, "SELECT id, sha256 FROM sources WHERE size = ?");
        same.bind(1, int64_t(raw.size()));
        std::vector<SourceId> toHash;
        Step step;
        bool any = false;
        while ((step = same.step()) == Step::Row) {
            any = true;
            if (same.text(1).starts_with(kUnhashed))
                toHash.push_back(same.id<SourceId>(0));
        }
        if (step == Step::Failed)
            return fail(same.status().error());
        for (SourceId id : toHash)
            if (auto st = hashKeptBytes(id); !st)
                return fail(st.error());
        unhashed = !any && src.compression == Compression::None;
        deferSha = !any && !unhashed;
    }
    const bool shaNow = !deferSha && !unhashed;
    std::string sha = shaNow ? Sha256::hex(raw) : std::string();
    // Identical bytes are the same capture only at the same time for the same
    // program: a quiet service's lsof output saved twice is two time points.
    // Where an earlier copy's time came from its name or mtime, compare those
    // without parsing; otherwise the snapshots are compared after parsing.
    if (shaNow) {
        auto dup = sameCapture(sha, src, opts);
        if (!dup)
            return fail(dup.error());
        if (*dup) {
            out.status = ImportStatus::Duplicate;
            out.format = **dup;
            return out;
        }
    }
    if (raw.empty()) {
        out.status = ImportStatus::Skipped;
        out.error = Error{ErrorCode::Format, "empty file", path, {}, {}};
        return out;
    }
    Importer* importer = ImporterRegistry::instance().detect(src.head);
    if (!importer) {
        out.status = ImportStatus::Skipped;
        out.error =
            Error{ErrorCode::Unsupported, "not a capture format memscope reads", path, 0, {}};
        return out;
    }
    out.format = importer->format();
    if (progress.cancelled())
        return fail(makeError(ErrorCode::Cancelled, "cancelled"));

    Transaction tx(*m_db);
    if (!tx.begun())
        return fail(tx.begun().error());
    Stmt ins(*m_db, "INSERT INTO sources(name, path, size, sha256, format, compression, mtime_ns, "
                    "imported_at_ns, decoded_size) VALUES(?,?,?,?,?,?,?,?,0)");
    // Until its checksum is known, a row's sha256 is a unique placeholder.
    if (!shaNow)
        sha = std::string(unhashed ? kUnhashed : "pending:") + std::to_string(nowNs()) + ":" + path;
    ins.bind(1, src.name).bind(2, path).bind(3, int64_t(raw.size()));
    ins.bind(4, sha);
    ins.bind(5, out.format).bind(6, compressionName(src.compression));
    ins.bind(7, src.file->mtimeNs()).bind(8, nowNs());
    if (auto st = ins.exec(); !st)
        return fail(st.error());
    int64_t sourceId = m_db->lastInsertId();

    // Keep the decoded bytes, so the case stands on its own: compressed on
    // another core while the importer parses, and on both once it is done.
    // Bytes the case holds already are not kept again; a large file's
    // checksum is taken first on the other core.
    bool bytesKnown = false;
    if (shaNow) {
        Stmt have(*m_db, "SELECT 1 FROM sources WHERE sha256 = ? AND id <> ?");
        auto row = have.bind(1, sha).bind(2, sourceId).next();
        if (!row)
            return fail(row.error());
        bytesKnown = *row;
    }
    auto stream = src.open();
    std::string_view plain;
    if (auto whole = stream->inPlace())
        plain = *whole;
    ChunkCompressor compressor(plain, plain.empty() ? std::move(stream) : nullptr, kChunk);
    std::thread helper([&] {
        if (deferSha)
            sha = Sha256::hex(raw);
        if (!bytesKnown)
            compressor.work();
    });
    struct Joiner {
        std::thread& t;
        ChunkCompressor& c;
        ~Joiner() {
            c.stop();
            if (t.joinable())
                t.join();
        }
    } joiner{helper, compressor};

    Writer writer(*this, sourceId, src, opts);
    // Importers report errors as values; an exception escaping one (a bug, or
    // memory running out) still fails only this file, and the transaction
    // rolls back.
    Status imported = [&]() -> Status {
        try {
            return importer->import(src, writer, progress);
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::Limit, "out of memory while reading the file");
        } catch (const std::exception& ex) {
            return makeError(ErrorCode::Format,
                             std::string("internal error while reading the file: ") + ex.what());
        }
    }();
    if (auto st = imported; !st) {
        Error e = st.error();
        if (src.compression != Compression::None && e.offset && e.file.empty())
            e.message += std::string(" (offset in the ") + compressionName(src.compression) +
                         "-decoded data)";
        return fail(e);
    }
    if (writer.snapshotIds.empty())
        return fail(makeError(ErrorCode::Format, "no snapshot found in the file"));
    if (!bytesKnown)
        compressor.work();
    helper.join();
    if (deferSha) {
        Stmt set(*m_db, "UPDATE sources SET sha256 = ? WHERE id = ?");
        if (auto st = set.bind(1, sha).bind(2, sourceId).exec(); !st)
            return fail(st.error());
    }
    // The same bytes already in the case: the same capture when every
    // snapshot matches one of theirs in kind, time and program (the
    // transaction rolls back); else a new time point sharing their bytes.
    bool bytesKept = false;
    {
        Stmt earlier(*m_db,
                     "SELECT id, format FROM sources WHERE sha256 = ?1 AND id <> ?2 ORDER BY id");
        earlier.bind(1, sha).bind(2, sourceId);
        Stmt unmatched(*m_db, R"SQL(
SELECT (SELECT count(*) FROM snapshots a WHERE a.source_id = ?1 AND NOT EXISTS
          (SELECT 1 FROM snapshots b WHERE b.source_id = ?2 AND b.kind = a.kind
             AND b.time_ns = a.time_ns AND b.target_id = a.target_id))
     + (SELECT count(*) FROM snapshots b WHERE b.source_id = ?2 AND NOT EXISTS
          (SELECT 1 FROM snapshots a WHERE a.source_id = ?1 AND b.kind = a.kind
             AND b.time_ns = a.time_ns AND b.target_id = a.target_id)))SQL");
        Step step;
        while ((step = earlier.step()) == Step::Row) {
            bytesKept = true;
            unmatched.bind(1, sourceId).bind(2, earlier.i64(0));
            if (unmatched.step() != Step::Row)
                return fail(unmatched.status() ? m_db->error("comparing snapshots")
                                               : unmatched.status().error());
            if (unmatched.i64(0) == 0) {
                out.status = ImportStatus::Duplicate;
                out.format = earlier.text(1);
                return out;
            }
            unmatched.reset();
        }
        if (step == Step::Failed)
            return fail(earlier.status().error());
    }
    int64_t decoded = 0;
    if (!bytesKept) {
        if (bytesKnown) // the same bytes, gone from the case since the check above
            compressor.work();
        auto chunks = compressor.take();
        if (!chunks)
            return fail(chunks.error());
        Stmt blob(*m_db, "INSERT INTO source_chunks VALUES(?,?,?)");
        for (size_t seq = 0; seq < chunks->size(); ++seq)
            if (auto st =
                    blob.bind(1, sourceId).bind(2, int64_t(seq)).bindBlob(3, (*chunks)[seq]).exec();
                !st)
                return fail(st.error());
        decoded = compressor.decodedBytes();
    } else {
        Stmt size(
            *m_db,
            "SELECT decoded_size FROM sources WHERE sha256 = ? AND id <> ? ORDER BY id LIMIT 1");
        auto row = size.bind(1, sha).bind(2, sourceId).next();
        if (!row)
            return fail(row.error());
        if (*row)
            decoded = size.i64(0);
    }
    Stmt size(*m_db, "UPDATE sources SET decoded_size = ? WHERE id = ?");
    if (auto st = size.bind(1, decoded).bind(2, sourceId).exec(); !st)
        return fail(st.error());
    if (progress.cancelled())
        return fail(makeError(ErrorCode::Cancelled, "cancelled"));
    if (auto st = tx.commit(); !st)
        return fail(st.error());
    out.status = ImportStatus::Imported;
    out.snapshotIds = writer.snapshotIds;
    out.warnings = writer.warnings;
    out.timeSource = writer.timeSource;
    return out;
}

Result<std::vector<ImportOutcome>> CaseStore::importRound(const std::vector<std::string>& paths,
                                                          const ImportOptions& opts,
                                                          const Progress& progress) {
    Transaction tx(*m_db);
    if (!tx.begun())
        return tx.begun().error();
    std::vector<ImportOutcome> out;
    for (const auto& path : paths) {
        out.push_back(importFile(path, opts, progress));
        if (progress.cancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
    }
    if (auto st = tx.commit(); !st)
        return st.error();
    return out;
}

} // namespace memscope
