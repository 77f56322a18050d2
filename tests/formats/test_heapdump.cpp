// SPDX-License-Identifier: GPL-3.0-or-later
// Heap dumps: record counts against a decoder written here, dominators against
// brute force, retained sizes against a Go program whose heap is known.
#include "analysis/heapgraph/dominators.h"
#include "analysis/heapgraph/paths.h"
#include "analysis/heapgraph/summary.h"
#include "formats/heapdump/elf_symbols.h"
#include "formats/heapdump/heapdump.h"
#include "io/input.h"
#include "sqlutil.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <algorithm>
#include <array>
#include <map>

using namespace memscope;
using namespace memscope::test;

namespace {

std::string decoded(const QString& rel) {
    std::string raw = readText(dataPath(rel));
    auto s = openStream(raw);
    auto all = readAll(*s);
    return all ? *all : std::string();
}

Result<HeapDump> parseBytes(const std::string& bytes) {
    auto s = openStream(bytes);
    return readHeapDump(*s, Progress{});
}

// A second, deliberately plain decoder: walks every record by the table in the
// format notes and counts tags, object bytes and finalizers.
struct Walk {
    std::map<int, int64_t> tags;
    int64_t objectBytes = 0, objects = 0;
    bool ok = false;
};

Walk walk(const std::string& b) {
    Walk w;
    size_t p = 16;
    auto uv = [&]() -> uint64_t {
        uint64_t v = 0;
        for (int shift = 0; p < b.size(); shift += 7) {
            uint8_t c = uint8_t(b[p++]);
            v |= uint64_t(c & 0x7f) << shift;
            if (!(c & 0x80))
                return v;
        }
        return v;
    };
    auto str = [&]() { p += uv(); };
    auto fields = [&]() {
        while (uv() != 0)
            uv();
    };
    while (p < b.size()) {
        int tag = int(uv());
        w.tags[tag]++;
        switch (tag) {
            case 0: w.ok = true; return w;
            case 1:
                uv();
                {
                    uint64_t n = uv();
                    p += n;
                    w.objectBytes += int64_t(n);
                    w.objects++;
                }
                fields();
                break;
            case 2:
                str();
                uv();
                break;
            case 3:
                uv();
                uv();
                str();
                uv();
                break;
            case 4:
                for (int i = 0; i < 8; ++i)
                    uv();
                str();
                for (int i = 0; i < 4; ++i)
                    uv();
                break;
            case 5:
                uv();
                uv();
                uv();
                str();
                uv();
                uv();
                uv();
                str();
                fields();
                break;
            case 6:
                uv();
                uv();
                uv();
                uv();
                str();
                str();
                uv();
                break;
            case 7:
            case 11:
                for (int i = 0; i < 5; ++i)
                    uv();
                break;
            case 8:
                uv();
                uv();
                break;
            case 9:
                uv();
                uv();
                uv();
                break;
            case 10:
                for (int i = 0; i < 24 + 256 + 1; ++i)
                    uv();
                break;
            case 12:
            case 13:
                uv();
                str();
                fields();
                break;
            case 14:
                for (int i = 0; i < 7; ++i)
                    uv();
                break;
            case 15:
                for (int i = 0; i < 6; ++i)
                    uv();
                break;
            case 16: {
                uv();
                uv();
                uint64_t n = uv();
                for (uint64_t i = 0; i < n; ++i) {
                    str();
                    str();
                    uv();
                }
                uv();
                uv();
                break;
            }
            case 17:
                uv();
                uv();
                break;
            default: return w;
        }
    }
    return w;
}

// Reachable nodes from the virtual root, skipping `removed`.
std::vector<char> reach(const HeapGraph& g, uint32_t removed) {
    std::vector<char> seen(g.nodes(), 0);
    std::vector<uint32_t> stack{0};
    seen[0] = 1;
    while (!stack.empty()) {
        uint32_t v = stack.back();
        stack.pop_back();
        g.forEachSuccessor(v, [&](uint32_t w) {
            if (w != removed && !seen[w]) {
                seen[w] = 1;
                stack.push_back(w);
            }
        });
    }
    return seen;
}

// Every dominator pair by brute force (remove d, see what is lost) must be an
// ancestor pair in the computed tree, and the counts must agree.
void checkDominatorsBruteForce(const HeapGraph& g, const Dominators& dom) {
    const size_t n = g.nodes();
    auto all = reach(g, UINT32_MAX);
    // Euler intervals of the dominator tree.
    std::vector<std::vector<uint32_t>> kids(n);
    for (uint32_t v = 1; v < n; ++v)
        if (dom.idom[v] != UINT32_MAX)
            kids[dom.idom[v]].push_back(v);
    std::vector<uint32_t> pre(n), post(n), depth(n, 0);
    uint32_t clock = 0;
    std::vector<std::pair<uint32_t, size_t>> st{{0, 0}};
    pre[0] = clock++;
    while (!st.empty()) {
        auto& [v, k] = st.back();
        if (k < kids[v].size()) {
            uint32_t c = kids[v][k++];
            pre[c] = clock++;
            depth[c] = depth[v] + 1;
            st.push_back({c, 0});
        } else {
            post[v] = clock++;
            st.pop_back();
        }
    }
    int64_t pairs = 0, expected = 0;
    for (uint32_t v = 1; v < n; ++v) {
        QCOMPARE(dom.idom[v] != UINT32_MAX, bool(all[v]));
        if (all[v])
            expected += depth[v] - 1; // strict dominators other than the virtual root
    }
    for (uint32_t d = 1; d < n; ++d) {
        if (!all[d])
            continue;
        auto without = reach(g, d);
        for (uint32_t w = 1; w < n; ++w)
            if (w != d && all[w] && !without[w]) {
                QVERIFY2(
                    pre[d] < pre[w] && post[w] < post[d],
                    qPrintable(
                        QString("node %1 dominates %2 but is not its ancestor").arg(d).arg(w)));
                ++pairs;
            }
    }
    QCOMPARE(pairs, expected);
}

// Little-endian field patching for the crafted ELF files.
void putLe(std::string& b, size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
        b[at + i] = char((v >> (8 * i)) & 0xff);
}
uint64_t getLe(const std::string& b, size_t at, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v |= uint64_t(uint8_t(b[at + i])) << (8 * i);
    return v;
}

// tests/data/elf/tiny.elf's layout, read with the ELF64 table, not with the reader.
struct TinyElf {
    std::string bytes;
    uint64_t shoff = 0, symtabHeader = 0, strtabHeader = 0, firstObjectSymbol = 0;
};
TinyElf tinyElf() {
    TinyElf t;
    t.bytes = readText(dataPath("elf/tiny.elf"));
    t.shoff = getLe(t.bytes, 0x28, 8);
    uint64_t shnum = getLe(t.bytes, 0x3c, 2);
    for (uint64_t i = 0; i < shnum; ++i) {
        uint64_t h = t.shoff + i * 64;
        if (getLe(t.bytes, h + 4, 4) == 2) {
            t.symtabHeader = h;
            t.strtabHeader = t.shoff + getLe(t.bytes, h + 0x28, 4) * 64;
            uint64_t off = getLe(t.bytes, h + 0x18, 8), size = getLe(t.bytes, h + 0x20, 8);
            for (uint64_t o = off; o + 24 <= off + size; o += 24)
                if ((uint8_t(t.bytes[o + 4]) & 0xf) == 1 && getLe(t.bytes, o + 8, 8) != 0) {
                    t.firstObjectSymbol = o;
                    break;
                }
        }
    }
    return t;
}

// A dump built in memory: objects of the given sizes at 0x1000 + 64 i, edges
// between them, roots, and allocation samples (object, bucket).
HeapDump dumpOf(const std::vector<uint32_t>& sizes, const std::vector<std::vector<uint32_t>>& edges,
                const std::vector<std::vector<uint32_t>>& rootTargets,
                const std::vector<std::pair<uint32_t, uint32_t>>& samples, uint32_t buckets) {
    HeapDump d;
    HeapGraph& g = d.graph;
    g.edgeStart.push_back(0);
    for (uint32_t i = 0; i < sizes.size(); ++i) {
        g.addr.push_back(0x1000 + uint64_t(i) * 64);
        g.size.push_back(sizes[i]);
        d.objectBytes += sizes[i];
        for (uint32_t t : edges[i])
            g.edges.push_back(t);
        g.edgeStart.push_back(uint32_t(g.edges.size()));
    }
    g.rootEdgeStart.push_back(0);
    for (size_t r = 0; r < rootTargets.size(); ++r) {
        g.roots.push_back({RootKind::Global, "root" + std::to_string(r), {}, -1});
        for (uint32_t t : rootTargets[r])
            g.rootEdges.push_back(t);
        g.rootEdgeStart.push_back(uint32_t(g.rootEdges.size()));
    }
    d.buckets.resize(buckets);
    for (uint32_t b = 0; b < buckets; ++b)
        d.buckets[b].id = b + 1;
    d.samples = samples;
    return d;
}

// The summary's site and root-site numbers by their definitions: walk every
// sampled object's dominator chain up to the virtual root.
struct BruteSummary {
    std::map<uint32_t, std::array<uint64_t, 3>> sites; // objects, bytes, retained
    std::map<std::pair<uint32_t, uint32_t>, std::array<uint64_t, 2>> edges; // retained, objects
    std::map<uint32_t, uint64_t> rootObjects;
    uint64_t sampledRetained = 0;
};
BruteSummary bruteSummary(const HeapDump& d, const Dominators& dom) {
    const HeapGraph& g = d.graph;
    BruteSummary s;
    std::vector<int32_t> bucketOf(g.objects(), -1);
    for (const auto& [o, b] : d.samples)
        bucketOf[o] = int32_t(b);
    auto topOf = [&](uint32_t v) {
        while (dom.idom[v] != 0)
            v = dom.idom[v];
        return g.isObjectNode(v) ? 0u : v;
    };
    for (uint32_t o = 0; o < g.objects(); ++o)
        if (dom.idom[g.objectNode(o)] != UINT32_MAX)
            s.rootObjects[topOf(g.objectNode(o))]++;
    for (const auto& [o, b] : d.samples) {
        auto& row = s.sites[b];
        row[0]++;
        row[1] += g.objectSize(o);
        uint32_t v = g.objectNode(o);
        if (dom.idom[v] == UINT32_MAX)
            continue;
        bool same = false, any = false;
        for (uint32_t u = dom.idom[v]; u != 0; u = dom.idom[u])
            if (g.isObjectNode(u) && bucketOf[g.nodeObject(u)] >= 0) {
                any = true;
                same |= bucketOf[g.nodeObject(u)] == int32_t(b);
            }
        if (!same) {
            row[2] += dom.retained[v];
            auto& e = s.edges[{topOf(v), b}];
            e[0] += dom.retained[v];
            e[1]++;
        }
        if (!any)
            s.sampledRetained += dom.retained[v];
    }
    return s;
}

void compareWithBruteForce(const HeapDump& d, const Dominators& dom, const HeapDumpSummary& sum) {
    BruteSummary want = bruteSummary(d, dom);
    QCOMPARE(sum.sampledRetainedBytes, want.sampledRetained);
    QCOMPARE(sum.sites.size(), want.sites.size());
    for (const auto& row : sum.sites) {
        QVERIFY(want.sites.count(row.bucket));
        const auto& w = want.sites.at(row.bucket);
        QCOMPARE(row.sampledObjects, w[0]);
        QCOMPARE(row.sampledBytes, w[1]);
        QCOMPARE(row.retainedBytes, w[2]);
    }
    QCOMPARE(sum.rootSites.size(), want.edges.size());
    for (const auto& e : sum.rootSites) {
        auto it = want.edges.find({e.root, e.bucket});
        QVERIFY(it != want.edges.end());
        QCOMPARE(e.retainedBytes, it->second[0]);
        QCOMPARE(e.objects, it->second[1]);
    }
    for (const auto& r : sum.roots)
        QCOMPARE(r.retainedObjects, want.rootObjects[r.index + 1]);
}

CliRun memscopeCli(const QStringList& args) { return runMemscope(args); }

// The object farthest from every root, breadth first: the tail of the
// longest list.
uint32_t farthestObject(const HeapGraph& g) {
    std::vector<uint32_t> dist(g.nodes(), UINT32_MAX), queue{0};
    dist[0] = 0;
    for (size_t i = 0; i < queue.size(); ++i)
        g.forEachSuccessor(queue[i], [&](uint32_t w) {
            if (dist[w] == UINT32_MAX) {
                dist[w] = dist[queue[i]] + 1;
                queue.push_back(w);
            }
        });
    return g.nodeObject(queue.back());
}

const CaseStore::HeapRootRow* rootNamed(const std::vector<CaseStore::HeapRootRow>& rows,
                                        const std::string& name) {
    for (const auto& r : rows)
        if (r.name == name)
            return &r;
    return nullptr;
}

} // namespace

class TestHeapDump : public QObject {
    Q_OBJECT
private slots:
    void recordCountsMatchAnIndependentDecoder_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("tiny raw") << "heapdump/heapdump_tiny_go119.bin";
        QTest::newRow("known graph") << "heapdump/heapgraph-dump.bin.zst";
        QTest::newRow("all-traps") << "heapdump/all-traps-heapdump-004.bin.zst";
        QTest::newRow("healthy") << "cases/healthy/heapdump-004-20261126T170012Z.bin.zst";
    }
    void recordCountsMatchAnIndependentDecoder() {
        QFETCH(QString, file);
        std::string bytes = decoded(file);
        QVERIFY(bytes.size() > 1000);
        Walk w = walk(bytes);
        QVERIFY(w.ok);
        auto d = parseBytes(bytes);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().toString().c_str());
        for (int t = 0; t < kHeapDumpTags; ++t)
            QCOMPARE(int64_t(d->recordCounts[t]), w.tags.count(t) ? w.tags.at(t) : 0);
        QCOMPARE(int64_t(d->objectBytes), w.objectBytes);
        QCOMPARE(int64_t(d->graph.objects()), w.objects);
        QCOMPARE(int64_t(d->finalizers.size()), w.tags[7] + w.tags[11]);
        QCOMPARE(d->goVersion, std::string("go1.19.8"));
        // The runtime's own count of objects agrees too.
        QVERIFY(d->hasMemStats);
        QCOMPARE(d->memstats[11], uint64_t(w.objects)); // HeapObjects
    }

    void tinySampleMatchesTheFormatNotes() {
        auto d = parseBytes(decoded("heapdump/heapdump_tiny_go119.bin"));
        QVERIFY(d.ok());
        QCOMPARE(d->graph.objects(), size_t(95));
        QCOMPARE(d->finalizers.size(), size_t(5));
        QCOMPARE(d->goroutines.size(), size_t(7));
        QCOMPARE(d->arenaStart, uint64_t(0xc000000000));
        // main.head at bss+0x40 points to a 32-byte node whose Next points on.
        const HeapGraph& g = d->graph;
        int found = 0;
        for (size_t r = 0; r < g.roots.size(); ++r)
            if (g.roots[r].name == "bss+0x40") {
                QCOMPARE(g.rootEdgeStart[r + 1] - g.rootEdgeStart[r], 1u);
                uint32_t o = g.rootEdges[g.rootEdgeStart[r]];
                QCOMPARE(g.objectSize(o), uint64_t(32));
                QVERIFY(g.edgeStart[o + 1] - g.edgeStart[o] >= 1);
                ++found;
            }
        QCOMPARE(found, 1);
    }

    void dominatorsMatchBruteForce_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("tiny") << "heapdump/heapdump_tiny_go119.bin";
        QTest::newRow("known graph") << "heapdump/heapgraph-dump.bin.zst";
        QTest::newRow("healthy service") << "cases/healthy/heapdump-004-20261126T170012Z.bin.zst";
    }
    void dominatorsMatchBruteForce() {
        QFETCH(QString, file);
        auto d = parseBytes(decoded(file));
        QVERIFY(d.ok());
        Dominators dom = computeDominators(d->graph);
        checkDominatorsBruteForce(d->graph, dom);
        // Retained sizes: each node's own size plus its dominator-tree children's.
        const HeapGraph& g = d->graph;
        std::vector<uint64_t> sum(g.nodes(), 0);
        for (uint32_t v = 1; v < g.nodes(); ++v)
            if (dom.idom[v] != UINT32_MAX && g.isObjectNode(v))
                for (uint32_t u = v;; u = dom.idom[u]) {
                    sum[u] += g.objectSize(g.nodeObject(v));
                    if (u == 0)
                        break;
                }
        for (uint32_t v = 0; v < g.nodes(); ++v)
            QCOMPARE(dom.retained[v], sum[v]);
    }

    void deepChainsDoNotRecurse() {
        // A million-object chain from one root: iterative DFS and compression.
        HeapGraph g;
        const uint32_t n = 1000000;
        g.roots.push_back({RootKind::Global, "chain", {}, -1});
        g.rootEdgeStart = {0, 1};
        g.rootEdges = {0};
        for (uint32_t i = 0; i < n; ++i) {
            g.addr.push_back(0x1000 + uint64_t(i) * 16);
            g.size.push_back(16);
            g.edgeStart.push_back(i);
            if (i + 1 < n)
                g.edges.push_back(i + 1);
        }
        g.edgeStart.push_back(n - 1);
        Dominators dom = computeDominators(g);
        QCOMPARE(dom.retained[1], uint64_t(n) * 16);
        QCOMPARE(dom.idom[g.objectNode(n - 1)], g.objectNode(n - 2));
        auto paths = pathsToRoots(g, n - 1);
        QCOMPARE(paths.size(), size_t(1));
        QCOMPARE(paths[0].size(), size_t(n + 1));
    }

    // Random graphs of chains, trees and cross links, most objects sampled at
    // a few sites: the summary agrees with its definition, node by node.
    void summaryMatchesBruteForce_data() {
        QTest::addColumn<int>("seed");
        for (int seed = 1; seed <= 12; ++seed)
            QTest::newRow(qPrintable(QString("seed %1").arg(seed))) << seed;
    }
    void summaryMatchesBruteForce() {
        QFETCH(int, seed);
        uint64_t state = uint64_t(seed) * 0x9e3779b97f4a7c15ull;
        auto next = [&](uint32_t n) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            return uint32_t((state >> 33) % n);
        };
        const uint32_t n = 200 + next(200), buckets = 1 + next(5);
        std::vector<uint32_t> sizes(n);
        std::vector<std::vector<uint32_t>> edges(n);
        for (uint32_t i = 0; i < n; ++i) {
            sizes[i] = 16 << next(4);
            if (i + 1 < n && next(4) != 0)
                edges[i].push_back(i + 1); // chains
            if (i > 0 && next(3) == 0)
                edges[(i - 1) / 2].push_back(i); // a tree
            if (next(6) == 0)
                edges[i].push_back(next(n)); // cross and back links
        }
        std::vector<std::vector<uint32_t>> roots(1 + next(4));
        for (auto& r : roots)
            for (uint32_t k = 0, m = 1 + next(3); k < m; ++k)
                r.push_back(next(n));
        roots[0].push_back(0);
        std::vector<std::pair<uint32_t, uint32_t>> samples;
        for (uint32_t i = 0; i < n; ++i)
            if (next(10) < 7)
                samples.emplace_back(i, next(buckets));
        HeapDump d = dumpOf(sizes, edges, roots, samples, buckets);
        Dominators dom = computeDominators(d.graph);
        checkDominatorsBruteForce(d.graph, dom);
        HeapDumpSummary sum = summarizeHeapDump(d, dom);
        QVERIFY(sum.sampledObjects == samples.size());
        compareWithBruteForce(d, dom, sum);
    }

    // 10^6 chained nodes, all sampled at one site, each holding a leaf sampled
    // at another: every leaf has up to 10^6 sampled objects above it, none from
    // its own site. Walking up from each leaf made this quadratic (hours).
    void deepSampledChainSummary() {
        const uint32_t chain = 1000000;
        HeapDump d = dumpOf({}, {}, {{0}}, {}, 2);
        HeapGraph& g = d.graph;
        for (uint32_t i = 0; i < chain; ++i) {
            // node 2i (48 bytes) -> leaf 2i+1 (16 bytes), next node 2i+2
            for (uint32_t k = 0; k < 2; ++k) {
                g.addr.push_back(0x1000 + uint64_t(2 * i + k) * 64);
                g.size.push_back(k ? 16 : 48);
                d.samples.emplace_back(2 * i + k, k);
            }
            g.edges.push_back(2 * i + 1);
            if (i + 1 < chain)
                g.edges.push_back(2 * i + 2);
            g.edgeStart.push_back(uint32_t(g.edges.size()));
            g.edgeStart.push_back(uint32_t(g.edges.size()));
        }
        d.objectBytes = uint64_t(chain) * 64;
        Dominators dom = computeDominators(d.graph);
        HeapDumpSummary sum = summarizeHeapDump(d, dom);
        const uint64_t total = uint64_t(chain) * 64;
        QCOMPARE(sum.reachableObjects, uint64_t(2 * chain));
        QCOMPARE(sum.sampledObjects, uint64_t(2 * chain));
        QCOMPARE(sum.sampledRetainedBytes, total); // the head holds everything
        QCOMPARE(sum.sites.size(), size_t(2));
        QCOMPARE(sum.sites[0].bucket, 0u);
        QCOMPARE(sum.sites[0].retainedBytes, total); // nested nodes not counted again
        QCOMPARE(sum.sites[1].bucket, 1u);
        QCOMPARE(sum.sites[1].retainedBytes, uint64_t(chain) * 16);
        QCOMPARE(sum.sites[1].sampledObjects, uint64_t(chain));
        QCOMPARE(sum.rootSites.size(), size_t(2));
        QCOMPARE(sum.rootSites[0].root, 1u);
        QCOMPARE(sum.rootSites[0].objects, uint64_t(1));
        QCOMPARE(sum.rootSites[1].retainedBytes, uint64_t(chain) * 16);
        QCOMPARE(sum.rootSites[1].objects, uint64_t(chain));
        QCOMPARE(sum.roots.size(), size_t(1));
        QCOMPARE(sum.roots[0].retainedObjects, uint64_t(2 * chain));
        // The same shape, small, against the definitions.
        HeapDump small = dumpOf({48, 16, 48, 16, 48, 16}, {{1, 2}, {}, {3, 4}, {}, {5}, {}}, {{0}},
                                {{0, 0}, {1, 1}, {2, 0}, {3, 1}, {4, 0}, {5, 1}}, 2);
        Dominators sdom = computeDominators(small.graph);
        compareWithBruteForce(small, sdom, summarizeHeapDump(small, sdom));
    }

    void pathElisionKeepsBothEnds() {
        auto e = elidePath(20001, 20);
        QCOMPARE(e.head, size_t(10));
        QCOMPARE(e.tail, size_t(10));
        QCOMPARE(e.elided, size_t(19981));
        QCOMPARE(elidePath(20, 20).elided, size_t(0));
        QCOMPARE(elidePath(20, 20).head, size_t(20));
        QCOMPARE(elidePath(20001, 0).head, size_t(20001)); // 0: all
        auto odd = elidePath(100, 5);
        QCOMPARE(odd.head + odd.tail, size_t(5));
        QCOMPARE(odd.elided, size_t(95));
        auto one = elidePath(100, 1); // root and object still shown
        QCOMPARE(one.head, size_t(1));
        QCOMPARE(one.tail, size_t(1));
    }

    // A real Go heap with a 20,000-node list (tests/gen/heapgraph list.bin
    // 20000): the path to its tail has 20,001 steps. It used to be printed
    // with one more indent per hop, 400 MB of spaces.
    void pathsThroughALongListPrintLinearly() {
        QTemporaryDir dir;
        QString dump = dir.filePath("list.bin"), c = dir.filePath("list.memscope");
        std::string bytes = decoded("heapdump/list20000-dump.bin.zst");
        writeBytes(dump, bytes);
        auto d = parseBytes(bytes);
        QVERIFY(d.ok());
        uint32_t tail = farthestObject(d->graph);
        QString addr = QString("0x%1").arg(d->graph.addr[tail], 0, 16);
        // A go1.26 dump: its stacks start in the allocator, which is not the
        // site. The list's 20,000 links were allocated in main.main.
        bool listSite = false;
        for (const auto& [o, b] : d->samples)
            if (o == tail) {
                const auto& frames = d->buckets[b].frames;
                QVERIFY(!frames.empty());
                QCOMPARE(frames[0].function, std::string("main.main"));
                listSite = true;
            }
        QVERIFY(listSite);
        for (const auto& b : d->buckets)
            QVERIFY(b.frames.empty() || b.frames[0].function != "runtime.mallocgc" ||
                    std::all_of(b.frames.begin(), b.frames.end(), [](const HeapDumpFrame& f) {
                        return f.function.rfind("runtime.", 0) == 0;
                    }));
        QCOMPARE(memscopeCli({"import", c, dump}).code, 0);

        CliRun text = memscopeCli({"paths", c, "--object", addr});
        QCOMPARE(text.code, 0);
        QVERIFY2(text.rawOut.size() < 8000, qPrintable(QString::number(text.rawOut.size())));
        QVERIFY2(text.rawOut.contains("path 1 (20001 steps, 19981 hops elided"),
                 text.rawOut.constData());
        QVERIFY(text.rawOut.contains("... 19981 hops elided ..."));
        QVERIFY(text.rawOut.contains("\n    global bss+0x")); // no binary beside the dump
        QVERIFY(text.rawOut.contains(
            QString("\n    -> object %1 16B, retains 16B").arg(addr).toUtf8()));
        for (const QByteArray& line : text.rawOut.split('\n')) {
            int indent = 0;
            while (indent < line.size() && line[indent] == ' ')
                ++indent;
            QVERIFY2(indent <= 7, line.constData()); // no indent that grows per hop
        }

        // Every hop on request: one line each, linear in the path.
        CliRun all = memscopeCli({"paths", c, "--object", addr, "--hops", "0"});
        QCOMPARE(all.code, 0);
        QCOMPARE(all.rawOut.count("\n    -> "), 20000);
        QVERIFY(all.rawOut.size() < 20001 * 200);

        CliRun json = memscopeCli({"paths", c, "--object", addr, "--json", "--hops", "6"});
        QCOMPARE(json.code, 0);
        auto obj = QJsonDocument::fromJson(json.rawOut).object()["objects"].toArray()[0].toObject();
        auto hops = obj["paths"].toArray()[0].toArray();
        QCOMPARE(hops.size(), 7);
        QVERIFY(hops[0].toObject()["root"].toString().startsWith("bss+0x"));
        const QString listRoot = hops[0].toObject()["text"].toString();
        QCOMPARE(hops[3].toObject()["elided_hops"].toInteger(), qint64(20001 - 6));
        QCOMPARE(hops[6].toObject()["object"].toString(), addr);

        QCOMPARE(memscopeCli({"paths", c, "--object", addr, "--hops", "x"}).code, 2);

        // retention --by object: each row's root found once for all objects.
        CliRun objects = memscopeCli({"retention", c, "--by", "object", "-n", "3"});
        QCOMPARE(objects.code, 0);
        QVERIFY(objects.rawOut.contains(listRoot.toUtf8()));
        QVERIFY(objects.rawOut.contains("more objects; -n 0 shows all"));
        CliRun every = memscopeCli({"retention", c, "--by", "object", "-n", "0", "--json"});
        QCOMPARE(every.code, 0);
        auto rows = QJsonDocument::fromJson(every.rawOut).object()["rows"].toArray();
        QCOMPARE(uint64_t(rows.size()), computeDominators(d->graph).reachableObjects);
        int onList = 0;
        for (const auto& r : rows)
            onList += r.toObject()["held_by"].toString() == listRoot;
        QCOMPARE(onList, 20000);
    }

    // A chain of 10^6 objects whose head and tail each hold a slice of the
    // same 10^6 objects, the chain walked first: each of those objects has
    // its DFS parent at the tail and its semidominator at the head, 10^6
    // dominators apart. Semi-NCA walked that distance for each (10^12 steps).
    void dominatorsOfSharedObjectsBelowALongChain() {
        const uint32_t k = 1000000, m = 1000000;
        const uint32_t headSlice = k, tailSlice = k + 1, shared = k + 2;
        HeapGraph g;
        g.roots.push_back({RootKind::Global, "head", {}, -1});
        g.rootEdgeStart = {0, 1};
        g.rootEdges = {0};
        g.edgeStart.push_back(0);
        auto object = [&](uint32_t size) {
            g.addr.push_back(0x1000 + uint64_t(g.addr.size()) * 64);
            g.size.push_back(size);
        };
        for (uint32_t i = 0; i < k; ++i) {
            object(16);
            if (i + 1 < k)
                g.edges.push_back(i + 1); // down the chain first
            if (i == 0)
                g.edges.push_back(headSlice);
            if (i + 1 == k)
                g.edges.push_back(tailSlice);
            g.edgeStart.push_back(uint32_t(g.edges.size()));
        }
        for (uint32_t slice : {headSlice, tailSlice}) {
            (void)slice;
            object(8 * m);
            for (uint32_t j = 0; j < m; ++j)
                g.edges.push_back(shared + j);
            g.edgeStart.push_back(uint32_t(g.edges.size()));
        }
        for (uint32_t j = 0; j < m; ++j) {
            object(32);
            g.edgeStart.push_back(uint32_t(g.edges.size()));
        }
        Dominators dom = computeDominators(g);
        QCOMPARE(dom.reachableObjects, uint64_t(k + 2 + m));
        QCOMPARE(dom.idom[g.objectNode(tailSlice)], g.objectNode(k - 1));
        QCOMPARE(dom.idom[g.objectNode(headSlice)], g.objectNode(0));
        for (uint32_t j = 0; j < m; j += 997)
            QCOMPARE(dom.idom[g.objectNode(shared + j)], g.objectNode(0));
        QCOMPARE(dom.retained[g.objectNode(1)], uint64_t(k - 1) * 16 + 8 * uint64_t(m));
        QCOMPARE(dom.retained[g.objectNode(0)],
                 uint64_t(k) * 16 + 16 * uint64_t(m) + 32 * uint64_t(m));
        // The same shape, small, against brute force.
        HeapGraph small;
        small.roots.push_back({RootKind::Global, "head", {}, -1});
        small.rootEdgeStart = {0, 1};
        small.rootEdges = {0};
        // 0 -> 1 -> 2 -> 3 (chain), 0 -> 4, 3 -> 5, 4 and 5 -> 6, 7, 8
        std::vector<std::vector<uint32_t>> e = {{1, 4},    {2}, {3}, {5}, {6, 7, 8},
                                                {6, 7, 8}, {},  {},  {}};
        small.edgeStart.push_back(0);
        for (uint32_t i = 0; i < e.size(); ++i) {
            small.addr.push_back(0x1000 + uint64_t(i) * 64);
            small.size.push_back(16);
            for (uint32_t t : e[i])
                small.edges.push_back(t);
            small.edgeStart.push_back(uint32_t(small.edges.size()));
        }
        checkDominatorsBruteForce(small, computeDominators(small));
    }

    void knownGraphRetainsExactly() {
        // The Go program in tests/gen/heapgraph; its binary lies beside the dump.
        QTemporaryDir dir;
        writeBytes(dir.filePath("dump.bin"), decoded("heapdump/heapgraph-dump.bin.zst"));
        writeBytes(dir.filePath("heapgraph"), decoded("heapdump/heapgraph.zst"));
        auto store = CaseStore::open(dir.filePath("c.memscope").toStdString());
        QVERIFY(store.ok());
        auto out = (*store)->importFile(dir.filePath("dump.bin").toStdString(), {}, Progress{});
        QCOMPARE(out.status, ImportStatus::Imported);
        QCOMPARE(out.format, std::string("heapdump"));
        SnapshotId id = out.snapshotIds.at(0);
        auto info = must((*store)->heapDump(id));
        QVERIFY(info.has_value());
        QVERIFY(info->symbolsFrom.find("heapgraph") != std::string::npos);
        auto roots = must((*store)->heapDumpRoots(id));
        // var chain *node: 1000 nodes of 112 bytes (108 rounded to its size class).
        auto* chain = rootNamed(roots, "main.chain");
        QVERIFY(chain);
        QCOMPARE(chain->kind, std::string("global"));
        QCOMPARE(chain->retainedBytes, int64_t(1000 * 112));
        QCOMPARE(chain->retainedObjects, int64_t(1000));
        // holdTree's local: a depth-11 binary tree of 64-byte nodes.
        auto* tree = rootNamed(roots, "main.holdTree");
        QVERIFY(tree);
        QCOMPARE(tree->kind, std::string("frame"));
        QCOMPARE(tree->retainedBytes, int64_t(2047 * 64));
        QVERIFY(tree->detail.find("goroutine") != std::string::npos);
        // views: 20 buffers of 4096 bytes behind unsafe.Pointer, plus the map itself.
        auto* views = rootNamed(roots, "main.views");
        QVERIFY(views);
        QVERIFY(views->retainedBytes >= 20 * 4096 && views->retainedBytes < 20 * 4096 + 4096);
        // 50 objects with finalizers queued behind one that never returns.
        auto fins = must((*store)->heapDumpFinalizers(id));
        QVERIFY(!fins.empty());
        QCOMPARE(fins[0].function, std::string("main.slowFinalizer"));
        QCOMPARE(fins[0].queued, int64_t(50));
        QCOMPARE(fins[0].registered, int64_t(0));
        QCOMPARE(fins[0].retainedBytes, int64_t(50 * 1024));
        QCOMPARE(info->finalizersQueued, int64_t(50));
        // MemProfileRate = 1: every tree node has a stack, so the site retains the tree.
        auto sites = must((*store)->heapDumpSites(id));
        auto it = std::find_if(sites.begin(), sites.end(),
                               [](const auto& s) { return s.function == "main.buildTree"; });
        QVERIFY(it != sites.end());
        QCOMPARE(it->sampledObjects, int64_t(2047));
        QCOMPARE(it->retainedBytes, int64_t(2047 * 64));
        // The graph round-trips through the case file.
        auto sg = (*store)->loadHeapGraph(id);
        QVERIFY(sg.ok());
        QCOMPARE(int64_t(sg->graph.objects()), info->objects);
        QCOMPARE(int64_t(sg->dom.reachableBytes), info->reachableBytes);
        // The chain's far end is 1000 steps from main.chain.
        uint32_t rootNode = 0;
        for (uint32_t r = 0; r < sg->graph.roots.size(); ++r)
            if (sg->graph.roots[r].name == "main.chain")
                rootNode = r + 1;
        QVERIFY(rootNode);
        uint32_t far = UINT32_MAX;
        for (uint32_t o = 0; o < sg->graph.objects(); ++o) {
            uint32_t v = sg->graph.objectNode(o);
            if (sg->graph.objectSize(o) == 112 && sg->dom.retained[v] == 112 &&
                sg->dom.idom[v] != UINT32_MAX) {
                uint32_t u = v;
                int depth = 0;
                while (sg->dom.idom[u] != 0 && sg->graph.isObjectNode(sg->dom.idom[u]))
                    u = sg->dom.idom[u], ++depth;
                if (sg->dom.idom[u] == rootNode && depth == 999)
                    far = o;
            }
        }
        QVERIFY(far != UINT32_MAX);
        auto paths = pathsToRoots(sg->graph, far);
        QCOMPARE(paths.at(0).size(), size_t(1001));
        QCOMPARE(paths[0][0], rootNode);
    }

    void withoutTheBinaryGlobalsAreSegmentOffsets() {
        QTemporaryDir dir;
        writeBytes(dir.filePath("dump.bin"), decoded("heapdump/heapgraph-dump.bin.zst"));
        auto store = CaseStore::open(dir.filePath("c.memscope").toStdString());
        auto out = (*store)->importFile(dir.filePath("dump.bin").toStdString(), {}, Progress{});
        QCOMPARE(out.status, ImportStatus::Imported);
        auto roots = must((*store)->heapDumpRoots(out.snapshotIds.at(0)));
        QVERIFY(!rootNamed(roots, "main.chain"));
        // Same retention, named by where the slot is.
        bool found = false;
        for (const auto& r : roots)
            if (r.retainedBytes == 1000 * 112 && r.name.rfind("bss+0x", 0) == 0)
                found = true;
        QVERIFY(found);
        // The finalizer is still named: the stuck finalizer goroutine is running it.
        auto fins = must((*store)->heapDumpFinalizers(out.snapshotIds.at(0)));
        QCOMPARE(fins.at(0).function, std::string("main.slowFinalizer"));
    }

    void allTrapsFinalizerQueueAndGlobalMap() {
        auto store = CaseStore::open(":memory:");
        QVERIFY(store.ok());
        QTemporaryDir dir;
        auto out = (*store)->importFile(
            dataPath("heapdump/all-traps-heapdump-004.bin.zst").toStdString(), {}, Progress{});
        QCOMPARE(out.status, ImportStatus::Imported);
        SnapshotId id = out.snapshotIds.at(0);
        auto info = must((*store)->heapDump(id));
        QCOMPARE(info->finalizersRegistered, int64_t(574));
        QCOMPARE(info->objects, int64_t(33381));
        auto roots = must((*store)->heapDumpRoots(id, 2));
        // One global holds the most by far: the map of unsafe views of response bodies.
        QCOMPARE(roots.at(0).kind, std::string("global"));
        QVERIFY(roots[0].retainedBytes > 3 * 1024 * 1024);
        QVERIFY(roots[0].retainedBytes > 50 * roots.at(1).retainedBytes);
        auto fins = must((*store)->heapDumpFinalizers(id));
        // Grouped by function: the sockets' finalizer (one per netFD) in the hundreds.
        int64_t total = 0, big = 0;
        for (const auto& f : fins) {
            total += f.registered;
            big += f.registered > 100;
        }
        QCOMPARE(total, int64_t(574));
        QCOMPARE(big, int64_t(1));
    }

    void badInputIsAnErrorWithAnOffset() {
        std::string good = decoded("heapdump/heapdump_tiny_go119.bin");
        // Truncated in the middle of the objects.
        auto cut = parseBytes(good.substr(0, 5000));
        QVERIFY(!cut.ok());
        QCOMPARE(cut.error().code, ErrorCode::Truncated);
        QVERIFY(cut.error().offset.has_value());
        // An unknown tag where a record starts (the first object record is at 298).
        std::string bad = good;
        bad[298] = char(42);
        auto tag = parseBytes(bad);
        QVERIFY(!tag.ok());
        QCOMPARE(tag.error().offset.value_or(0), uint64_t(298));
        QVERIFY(tag.error().message.find("unknown record tag 42") != std::string::npos);
        // A pointer field beyond its object.
        auto notDump = parseBytes("go1.6 heap dump\nxxxx");
        QVERIFY(!notDump.ok());
        QCOMPARE(notDump.error().offset.value_or(1), uint64_t(0));
        // No eof record.
        auto noEof = parseBytes(good.substr(0, good.size() - 1));
        QVERIFY(!noEof.ok());
        // Every prefix fails cleanly, never crashes.
        for (size_t n = 16; n < 2000; n += 7)
            QVERIFY(!parseBytes(good.substr(0, n)).ok());
    }

    // A field offset near 2^64 wrapped past the image check and read
    // before the object's bytes.
    void fieldOffsetsNearTheTopOfTheRangeAreErrors_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<quint64>("offset");
        QTest::newRow("pointer at 2^64-4") << 1 << quint64(~uint64_t(0) - 3);
        QTest::newRow("iface at 2^64-8") << 2 << quint64(~uint64_t(0) - 7);
        QTest::newRow("eface at 2^64-16") << 3 << quint64(~uint64_t(0) - 15);
        QTest::newRow("pointer just past the end") << 1 << quint64(9);
        QTest::newRow("iface data word past the end") << 2 << quint64(8);
    }
    void fieldOffsetsNearTheTopOfTheRangeAreErrors() {
        QFETCH(int, kind);
        QFETCH(quint64, offset);
        std::string b(kHeapDumpMagic);
        auto uv = [&](uint64_t v) {
            do {
                b.push_back(char((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
                v >>= 7;
            } while (v);
        };
        auto str = [&](const std::string& t) {
            uv(t.size());
            b += t;
        };
        uv(6); // params
        uv(0);
        uv(8);
        uv(0xc000000000);
        uv(0xc100000000);
        str("amd64");
        str("go1.19.8");
        uv(1);
        const uint64_t objectAt = b.size();
        uv(1); // object: address, 16-byte image, fields
        uv(0xc000000000);
        str(std::string(16, '\0'));
        const uint64_t fieldAt = b.size();
        uv(uint64_t(kind));
        uv(offset);
        uv(0);
        uv(0); // eof
        auto d = parseBytes(b);
        QVERIFY(!d.ok());
        QCOMPARE(d.error().code, ErrorCode::Format);
        QCOMPARE(d.error().offset.value_or(0), fieldAt);
        QVERIFY2(d.error().message.find("beyond its 16-byte image") != std::string::npos,
                 d.error().message.c_str());
        // The same object with its field in range reads.
        b.resize(fieldAt);
        uv(1);
        uv(8);
        uv(0);
        uv(0);
        auto ok = parseBytes(b);
        QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().toString().c_str());
        QCOMPARE(ok->graph.objects(), size_t(1));
        QVERIFY(objectAt < fieldAt);
    }

    // A damaged case file whose dominators loop would hang every walk up
    // the tree (retention --by object, the workbench's tree).
    void storedGraphWithLoopingDominatorsIsRefused() {
        HeapDump d = dumpOf({16, 16, 16}, {{1}, {2}, {}}, {{0}}, {}, 0);
        Dominators dom = computeDominators(d.graph);
        auto good = encodeHeapGraph(d, dom);
        QVERIFY(good.ok());
        QVERIFY(decodeHeapGraph(*good).ok());
        Dominators loop = dom;
        loop.idom[d.graph.objectNode(1)] = d.graph.objectNode(2); // 1 <-> 2
        auto bad = encodeHeapGraph(d, loop);
        QVERIFY(bad.ok());
        auto decodedBad = decodeHeapGraph(*bad);
        QVERIFY(!decodedBad.ok());
        QVERIFY(decodedBad.error().message.find("damaged") != std::string::npos);
        Dominators self = dom;
        self.idom[d.graph.objectNode(2)] = d.graph.objectNode(2);
        QVERIFY(!decodeHeapGraph(*encodeHeapGraph(d, self)).ok());
    }

    void aBrokenDumpLeavesNoRows() {
        QTemporaryDir dir;
        std::string good = decoded("heapdump/heapdump_tiny_go119.bin");
        writeBytes(dir.filePath("cut.bin"), good.substr(0, good.size() / 2));
        auto store = CaseStore::open(dir.filePath("c.memscope").toStdString());
        auto out = (*store)->importFile(dir.filePath("cut.bin").toStdString(), {}, Progress{});
        QCOMPARE(out.status, ImportStatus::Failed);
        QVERIFY(out.error->toString().find("cut.bin") != std::string::npos);
        QVERIFY(out.error->offset.has_value());
        QCOMPARE(must((*store)->snapshots()).size(), size_t(0));
        QCOMPARE(sqlScalar((*store)->path(), "SELECT count(*) FROM heapdump_roots"), int64_t(0));
    }

    void elfSymbolsNameGlobalsAndFunctions() {
        QTemporaryDir dir;
        writeBytes(dir.filePath("heapgraph"), decoded("heapdump/heapgraph.zst"));
        auto syms = ElfSymbols::read(dir.filePath("heapgraph").toStdString());
        QVERIFY(syms.ok());
        QVERIFY(syms->section(".bss"));
        bool sawChain = false;
        // Some address inside .bss maps to main.chain.
        const auto* bss = syms->section(".bss");
        for (uint64_t a = bss->addr; a < bss->addr + bss->size && !sawChain; a += 8)
            if (const auto* s = syms->object(a); s && s->name == "main.chain")
                sawChain = true;
        QVERIFY(sawChain);
        auto notElf = ElfSymbols::read(dataPath("heapdump/heapdump_tiny_go119.bin").toStdString());
        QVERIFY(!notElf.ok());
    }

    void elfSymbolsOfATinyExecutable() {
        auto syms = ElfSymbols::parse(readText(dataPath("elf/tiny.elf")), "tiny.elf");
        QVERIFY2(syms.ok(), syms.ok() ? "" : syms.error().toString().c_str());
        const auto* data = syms->section(".data");
        QVERIFY(data);
        const auto* table = syms->object(data->addr + 4);
        QVERIFY(table);
        QCOMPARE(table->name, std::string("table"));
        QCOMPARE(table->size, uint64_t(16));
        const auto* text = syms->section(".text");
        QVERIFY(text);
        QVERIFY(syms->function(text->addr));
        QCOMPARE(syms->function(text->addr)->name, std::string("main"));
    }

    // Each row damages one field of tiny.elf; the read must fail with the
    // file's name, the offset of the field at fault and what was wrong.
    void elfDamageIsAnErrorWithAnOffset_data() {
        QTest::addColumn<int>("damage");
        QTest::addColumn<QString>("message");
        QTest::newRow("header cut short") << 0 << "ELF header";
        QTest::newRow("section table cut short") << 1 << "section header table";
        QTest::newRow("e_shoff past the end") << 2 << "section header table";
        QTest::newRow("e_shoff + size wraps") << 3 << "section header table";
        QTest::newRow("symtab sh_size huge") << 4 << "symbol table at";
        QTest::newRow("symtab sh_offset + sh_size wraps") << 5 << "symbol table at";
        QTest::newRow("symtab sh_link out of range") << 6 << "links to section 200";
        QTest::newRow("symbol name past its string table")
            << 7 << "past the end of the 56-byte symbol name table";
        QTest::newRow("symtab entries too small") << 8 << "symbols of 1 bytes";
        QTest::newRow("symtab entries huge") << 9 << "not a whole number of";
        QTest::newRow("e_shstrndx out of range") << 10 << "section name table index";
        QTest::newRow("string table past the end") << 11 << "symbol name table at";
        QTest::newRow("section name past its table") << 12 << "section name at 0xffff";
        QTest::newRow("unknown class") << 13 << "unknown ELF class";
    }
    void elfDamageIsAnErrorWithAnOffset() {
        QFETCH(int, damage);
        QFETCH(QString, message);
        TinyElf t = tinyElf();
        QVERIFY(t.symtabHeader && t.strtabHeader && t.firstObjectSymbol);
        std::string b = t.bytes;
        uint64_t at = 0;
        switch (damage) {
            case 0: b.resize(60); break;
            case 1:
                b.resize(t.shoff + 3 * 64 + 10);
                at = 0x28;
                break;
            case 2:
                putLe(b, 0x28, b.size() + 100, 8);
                at = 0x28;
                break;
            case 3:
                putLe(b, 0x28, ~uint64_t(0) - 63, 8);
                at = 0x28;
                break;
            case 4:
                putLe(b, t.symtabHeader + 0x20, ~uint64_t(0) - 255, 8);
                at = t.symtabHeader;
                break;
            case 5:
                putLe(b, t.symtabHeader + 0x18, ~uint64_t(0) - 255, 8);
                at = t.symtabHeader;
                break;
            case 6:
                putLe(b, t.symtabHeader + 0x28, 200, 4);
                at = t.symtabHeader;
                break;
            case 7:
                putLe(b, t.firstObjectSymbol, 0x10000, 4);
                at = t.firstObjectSymbol;
                break;
            case 8:
                putLe(b, t.symtabHeader + 0x38, 1, 8);
                at = t.symtabHeader;
                break;
            case 9:
                putLe(b, t.symtabHeader + 0x38, ~uint64_t(0), 8);
                at = t.symtabHeader;
                break;
            case 10:
                putLe(b, 0x3e, 0x7fff, 2);
                at = 0x3e;
                break;
            case 11:
                putLe(b, t.strtabHeader + 0x18, b.size() - 4, 8);
                at = t.strtabHeader;
                break;
            case 12:
                putLe(b, t.shoff + 64, 0xffff, 4);
                at = t.shoff + 64;
                break;
            case 13:
                b[4] = 7;
                at = 4;
                break;
        }
        QTemporaryDir dir;
        QString path = dir.filePath("crafted");
        writeBytes(path, b);
        auto syms = ElfSymbols::read(path.toStdString());
        QVERIFY(!syms.ok());
        const Error& e = syms.error();
        QCOMPARE(e.file, path.toStdString());
        QVERIFY2(e.message.find(message.toStdString()) != std::string::npos, e.message.c_str());
        if (damage == 0) {
            QCOMPARE(e.code, ErrorCode::Truncated);
        } else {
            QCOMPARE(e.code, ErrorCode::Format);
            QCOMPARE(e.offset.value_or(UINT64_MAX), at);
        }
        QVERIFY(e.toString().find("crafted") != std::string::npos);
    }

    void elfEveryPrefixFailsCleanly() {
        std::string b = readText(dataPath("elf/tiny.elf"));
        for (size_t n = 0; n < b.size(); n += 13)
            QVERIFY(!ElfSymbols::parse(b.substr(0, n), "cut").ok());
        QVERIFY(ElfSymbols::parse(b, "whole").ok());
    }
};

QTEST_GUILESS_MAIN(TestHeapDump)
#include "test_heapdump.moc"
