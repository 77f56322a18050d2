// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope info`: a case's targets, snapshots per kind and time span.
#include "cli/commands.h"
#include "cli/common.h"

#include "report/report.h"

#include <iostream>

namespace memscope::cli {

int cmdInfo(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("info needs one case file");
    auto store = openCaseFor(a.positional[0]);
    if (!store)
        return kInputFailed;
    auto info = a.flag("--json") ? caseInfoJson(*store) : caseInfoText(*store);
    if (!info)
        return readFailed(info.error());
    std::cout << *info;
    return kOk;
}

} // namespace memscope::cli
