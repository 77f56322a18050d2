// SPDX-License-Identifier: GPL-3.0-or-later
// The workbench's two palettes (View > Dark Theme).
#pragma once

#include <QPalette>

namespace memscope::ui {

// Sets the Fusion style and the light or dark palette on the application and
// returns the palette, for what draws its own colours (the plots).
QPalette applyPalette(bool dark);

} // namespace memscope::ui
