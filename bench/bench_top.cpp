// SPDX-License-Identifier: GPL-3.0-or-later
// Times `memscope top` on a profile, phase by phase: read + gunzip, parse,
// flat/cum. Usage: bench_top FILE [repeats]
#include "analysis/profile/top.h"
#include "formats/pprof/pprof_reader.h"
#include "io/input.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

using namespace memscope;
using Clock = std::chrono::steady_clock;

static double ms(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_top FILE [repeats]\n");
        return 2;
    }
    int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
    double best[4] = {1e18, 1e18, 1e18, 1e18};
    size_t rows = 0, decoded = 0;
    for (int i = 0; i < repeats; ++i) {
        auto t0 = Clock::now();
        auto f = MappedFile::open(argv[1]);
        if (!f) {
            std::fprintf(stderr, "%s\n", f.error().toString().c_str());
            return 1;
        }
        auto s = openStream((*f)->bytes());
        auto data = readAll(*s);
        auto t1 = Clock::now();
        auto p = parsePprof(*data);
        if (!p) {
            std::fprintf(stderr, "%s\n", p.error().toString().c_str());
            return 1;
        }
        auto t2 = Clock::now();
        auto top = computeTop(*p);
        auto t3 = Clock::now();
        rows = top.rows.size();
        decoded = data->size();
        double phase[4] = {ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t0, t3)};
        for (int k = 0; k < 4; ++k)
            best[k] = std::min(best[k], phase[k]);
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("file %s: %zu bytes decoded, %zu functions\n", argv[1], decoded, rows);
    std::printf("read+gunzip %.1f ms, parse %.1f ms, top %.1f ms, total %.1f ms (best of %d)\n",
                best[0], best[1], best[2], best[3], repeats);
    std::printf("peak RSS %ld MB\n", ru.ru_maxrss / 1024);
    return 0;
}
