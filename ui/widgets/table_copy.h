// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QAbstractItemView;
class QString;

namespace memscope::ui {

// The selected rows of a table or tree as tab-separated text, with the
// header first: what Ctrl+C puts on the clipboard.
QString selectedRowsText(const QAbstractItemView* view);

// Ctrl+C (and a "Copy" context action) on the view.
void enableCopy(QAbstractItemView* view);

} // namespace memscope::ui
