// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry points, one per decoder: built once per target with
// -DMEMSCOPE_FUZZ_<NAME>. Every input must end in a value or an Error: never a
// crash, a hang, a leak or unbounded memory.
#include "analysis/detect/detect.h"
#include "analysis/heapgraph/dominators.h"
#include "analysis/heapgraph/paths.h"
#include "analysis/heapgraph/summary.h"
#include "analysis/profile/calltree.h"
#include "analysis/profile/source_lines.h"
#include "analysis/profile/top.h"
#include "analysis/series/series.h"
#include "base/json_reader.h"
#include "formats/escape/escape_notes.h"
#include "formats/fds/lsof.h"
#include "formats/gctrace/gctrace.h"
#include "formats/goroutines/goroutine_dump.h"
#include "formats/heapdump/elf_symbols.h"
#include "formats/heapdump/heapdump.h"
#include "formats/pprof/count_text.h"
#include "formats/pprof/heap_text.h"
#include "formats/pprof/pprof_reader.h"
#include "io/input.h"
#include "report/chart_svg.h"
#include "ss_parser.h"
#include "store/case_store.h"

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string_view>
#include <unistd.h>

using namespace memscope;

namespace {

// Decoders read streams; a fuzz input is the decoded text itself, except for
// the framing targets, which feed the raw bytes to the decompressors.
[[maybe_unused]] std::unique_ptr<ByteStream> plain(std::string_view s) {
    DecodeLimits limits;
    limits.maxDecoded = 64u << 20;
    return openStream(s, limits);
}

#if defined(MEMSCOPE_FUZZ_CASEFILE)
// Every read path a command or the workbench takes through a case: what
// `info`, `top`, `goroutines`, `retention`, `paths`, `annotations`,
// `findings` and the timeline read. Each must end in a value or an Error.
void readWholeCase(CaseStore& store) {
    (void)store.schemaVersion();
    (void)store.targets();
    (void)store.sources();
    (void)store.annotations();
    auto snapshots = store.snapshots();
    if (!snapshots)
        return;
    for (const auto& sn : *snapshots) {
        (void)store.sampleTypes(sn.id);
        if (auto p = store.loadProfile(sn.id))
            for (int i = 0; i < int(p->sampleTypes.size()) && i < 4; ++i)
                (void)computeTop(*p, i);
        if (auto groups = store.goroutineGroups(sn.id))
            for (size_t i = 0; i < groups->size() && i < 4; ++i)
                (void)store.goroutineMembers(sn.id, (*groups)[i].index);
        (void)store.tcpSockets(sn.id);
        (void)store.metrics(sn.id);
        if (auto dump = store.heapDump(sn.id); !dump || !*dump)
            continue;
        (void)store.heapDumpRoots(sn.id);
        (void)store.heapDumpFinalizers(sn.id);
        auto sites = store.heapDumpSites(sn.id);
        auto rootSites = store.heapDumpRootSites(sn.id);
        auto sg = store.loadHeapGraph(sn.id);
        if (!sg || !sites || !rootSites)
            continue;
        // The consumers: `retention --by object` climbs idom to the root
        // entity; `paths` walks back to the roots; the workbench indexes
        // sites by bucket and roots by root index.
        const HeapGraph& g = sg->graph;
        for (uint32_t o = 0; o < g.objects(); ++o) {
            uint32_t v = g.objectNode(o);
            if (sg->dom.idom[v] == UINT32_MAX)
                continue;
            while (sg->dom.idom[v] != 0 && g.isObjectNode(sg->dom.idom[v]))
                v = sg->dom.idom[v];
            (void)g.objectSize(o);
            if (int32_t b = sg->objectBucket[o]; b >= 0)
                (void)sites->at(size_t(b));
        }
        for (const auto& e : *rootSites)
            if (e.rootIndex >= 0)
                (void)g.roots.at(size_t(e.rootIndex));
        if (g.objects() > 0)
            (void)pathsToRoots(g, uint32_t(g.objects() - 1));
    }
    (void)allSeries(store);
    (void)detectFindings(store);
}
#endif

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
#if defined(MEMSCOPE_FUZZ_PPROF)
    if (auto p = parsePprof(in)) {
        for (int i = 0; i < int(p->sampleTypes.size()) && i < 4; ++i)
            (void)computeTop(*p, i);
        // What the workbench builds from a profile: the flame graph (and a
        // diff of the profile with itself), source lines, goroutine groups.
        if (!p->sampleTypes.empty()) {
            CallTree t = buildCallTree(*p, 0, "");
            (void)renderFlameSvg(diffCallTrees(t, t), "fuzz");
            if (!p->functions.empty())
                (void)functionLines(*p, 0, p->functions.front().name);
        }
        (void)goroutinesFromProfile(*p);
    }
#elif defined(MEMSCOPE_FUZZ_HEAP_TEXT)
    auto s = plain(in);
    (void)parseHeapText(*s);
    auto c = plain(in); // the other legacy text pprof reads (threadcreate?debug=1)
    if (auto p = parseCountProfileText(*c))
        (void)computeTop(*p, 0);
#elif defined(MEMSCOPE_FUZZ_GOROUTINES)
    (void)looksLikeGoroutineDump(in); // with the search for a log's prefixed traceback
    (void)looksLikeGoroutineProfileText(in);
    auto s = plain(in);
    (void)parseGoroutineDump(*s);
    auto t = plain(in);
    (void)parseGoroutineProfileTexts(*t);
#elif defined(MEMSCOPE_FUZZ_LSOF)
    auto s = plain(in);
    (void)parseLsofText(*s);
    auto t = plain(in);
    (void)parseLsofFields(*t);
#elif defined(MEMSCOPE_FUZZ_GCTRACE)
    auto s = plain(in);
    (void)parseGcTrace(*s);
#elif defined(MEMSCOPE_FUZZ_JSON)
    (void)visitJsonNumbers(
        in, [](const std::string&, double) {}, true);
    (void)visitJsonNumbers(
        in, [](const std::string&, double) {}, [](const std::string&, int64_t) {});
#elif defined(MEMSCOPE_FUZZ_ESCAPE)
    auto s = plain(in);
    (void)parseEscapeNotes(*s);
#elif defined(MEMSCOPE_FUZZ_HEAPDUMP)
    auto s = plain(in);
    if (auto d = readHeapDump(*s, Progress{})) {
        Dominators dom = computeDominators(d->graph);
        (void)summarizeHeapDump(*d, dom);
        if (d->graph.objects() > 0)
            (void)pathsToRoots(d->graph, 0);
        if (auto blob = encodeHeapGraph(*d, dom))
            (void)decodeHeapGraph(*blob);
    }
#elif defined(MEMSCOPE_FUZZ_ELF)
    // An executable found beside a heap dump: its symbol table, then the
    // lookups that name globals and finalizers with it.
    if (auto syms = ElfSymbols::parse(in, "fuzz")) {
        for (const char* name : {".data", ".bss", ".noptrdata", ".text"})
            if (const auto* s = syms->section(name)) {
                (void)syms->object(s->addr);
                (void)syms->object(s->addr + s->size / 2);
                (void)syms->function(s->addr + s->size - 1);
            }
        (void)syms->object(0);
        (void)syms->function(UINT64_MAX);
    }
#elif defined(MEMSCOPE_FUZZ_SS)
    auto s = plain(in);
    (void)ss::parse(*s);
#elif defined(MEMSCOPE_FUZZ_FRAMING)
    // gzip or zstd framing, raw: decode everything under a small cap.
    DecodeLimits limits;
    limits.maxDecoded = 16u << 20;
    auto s = openStream(in, limits);
    (void)readAll(*s);
    (void)decodeHeapGraph(in);
#elif defined(MEMSCOPE_FUZZ_CASEFILE)
    // The input is a whole case file: written out and opened read-only,
    // as the read commands open one.
    static const std::string path =
        "/tmp/memscope-fuzz-casefile-" + std::to_string(getpid()) + ".memscope";
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f.write(in.data(), std::streamsize(in.size()));
    }
    unlink((path + "-wal").c_str());
    unlink((path + "-shm").c_str());
    if (auto store = CaseStore::open(path, /*readOnly=*/true))
        readWholeCase(**store);
#else
#error "define one MEMSCOPE_FUZZ_<TARGET>"
#endif
    return 0;
}
