// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "shell/gui_api.h"

#include <string>

namespace memscope::cli {

// The workbench module, loaded on first use from the build tree's or the
// install's library folder (or $MEMSCOPE_GUI_MODULE). Null when this build has
// none or it does not load; `error` then says why.
const gui::Api* guiApi(std::string& error);

} // namespace memscope::cli
