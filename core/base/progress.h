// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

namespace memscope {

// What long work reports and how it is told to stop. Every long core function
// takes one; the GUI maps it onto a progress bar and a Cancel button.
struct Progress {
    // done / total in the caller's units (bytes, files); total 0 = unknown.
    std::function<void(uint64_t done, uint64_t total, const std::string& what)> report;
    std::stop_token stop;

    bool cancelled() const { return stop.stop_requested(); }
    void operator()(uint64_t done, uint64_t total, const std::string& what = {}) const {
        if (report)
            report(done, total, what);
    }
};

} // namespace memscope
