// SPDX-License-Identifier: GPL-3.0-or-later
// memscope: the workbench, and the same binary's subcommands for headless use.
#include "cli/cli.h"
#include "gui_loader.h"

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    // Past a file size limit (ulimit -f) a write then fails with EFBIG and is
    // reported, instead of SIGXFSZ killing the process without a word.
    std::signal(SIGXFSZ, SIG_IGN);
    std::vector<std::string> args(argv, argv + argc);
    if (auto rc = memscope::cli::run(args))
        return *rc;

    std::string casePath;
    if (args.size() >= 2 && args[1] == "--demo") {
        std::string error;
        casePath = memscope::cli::demoCasePath(args[0], error);
        if (casePath.empty()) {
            std::cerr << "memscope: demo: " << error << "\n";
            return 1;
        }
    } else if (args.size() == 2 && args[1][0] != '-') {
        casePath = args[1];
    } else if (args.size() > 1) {
        std::cerr << "memscope: unknown option " << args[1] << "\n\n" << memscope::cli::usage();
        return 2;
    }
    std::string why;
    const memscope::gui::Api* gui = memscope::cli::guiApi(why);
    if (!gui) {
        std::cerr << "memscope: " << why << "; use the subcommands.\n\n" << memscope::cli::usage();
        return 2;
    }
    if (memscope::cli::headless()) {
        std::cerr << "memscope: no display found (DISPLAY/WAYLAND_DISPLAY unset).\n"
                     "Use the subcommands (memscope --help), or run under xvfb-run.\n";
        return 2;
    }
    return gui->runWorkbench(argc, argv, casePath);
}
