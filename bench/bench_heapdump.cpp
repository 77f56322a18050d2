// SPDX-License-Identifier: GPL-3.0-or-later
// Heap dump analysis end to end on one file: read + graph, dominators and
// retained sizes, summaries. Prints each phase, the throughput, and the peak
// anonymous memory per object (the mapped file is not counted: it is the
// page cache's).
//   bench_heapdump DUMP [RUNS]
#include "analysis/heapgraph/dominators.h"
#include "analysis/heapgraph/summary.h"
#include "formats/heapdump/heapdump.h"
#include "io/input.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <thread>

using namespace memscope;

namespace {

long rssAnonKb() {
    FILE* f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long kb = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "RssAnon:", 8) == 0)
            kb = strtol(line + 8, nullptr, 10);
    fclose(f);
    return kb;
}

double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_heapdump DUMP [RUNS]\n");
        return 2;
    }
    // Give big arrays back to the system when freed, so the peak is honest.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    int runs = argc > 2 ? atoi(argv[2]) : 1;
    auto file = MappedFile::open(argv[1]);
    if (!file) {
        fprintf(stderr, "%s\n", file.error().toString().c_str());
        return 1;
    }
    std::atomic<bool> done{false};
    std::atomic<long> peakKb{0};
    long baseKb = rssAnonKb();
    std::thread sampler([&] {
        while (!done) {
            long kb = rssAnonKb();
            if (kb > peakKb)
                peakKb = kb;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    for (int run = 0; run < runs; ++run) {
        auto t0 = std::chrono::steady_clock::now();
        auto stream = openStream((*file)->bytes());
        auto dump = readHeapDump(*stream, Progress{});
        if (!dump) {
            fprintf(stderr, "%s\n", dump.error().toString().c_str());
            return 1;
        }
        auto t1 = std::chrono::steady_clock::now();
        Dominators dom = computeDominators(dump->graph);
        auto t2 = std::chrono::steady_clock::now();
        HeapDumpSummary sum = summarizeHeapDump(*dump, dom);
        auto t3 = std::chrono::steady_clock::now();
        double mb = double(dump->decodedBytes) / 1e6;
        double total = seconds(t0, t3);
        printf("run %d: %.1f MB, %zu objects, %zu edges, %zu roots\n", run + 1, mb,
               dump->graph.objects(), dump->graph.edges.size(), dump->graph.roots.size());
        printf("  read + graph %.3f s, dominators + retained %.3f s, summaries %.3f s\n",
               seconds(t0, t1), seconds(t1, t2), seconds(t2, t3));
        printf("  total %.3f s = %.0f MB/s; reachable %llu objects, %zu retaining roots\n", total,
               mb / total, static_cast<unsigned long long>(dom.reachableObjects), sum.roots.size());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        long peak = peakKb - baseKb;
        printf("  peak anonymous memory %.1f MB = %.1f bytes/object\n", double(peak) / 1024.0,
               double(peak) * 1024.0 / double(std::max<size_t>(1, dump->graph.objects())));
    }
    done = true;
    sampler.join();
    return 0;
}
