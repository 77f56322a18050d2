// SPDX-License-Identifier: GPL-3.0-or-later
// Help ▸ Keyboard Shortcuts and Help ▸ Getting Started.
#pragma once

#include <QList>
#include <QString>

class QMainWindow;
class QWidget;

namespace memscope::ui {

struct ShortcutRow {
    QString where; // "File ▸ Open Case…", or the kind of view an action lives on
    QString keys;  // in the platform's words: "Ctrl+O"
};

// Every shortcut the window has, read from its actions (its menus first,
// then the actions its views carry), so the list cannot go stale.
QList<ShortcutRow> windowShortcuts(QMainWindow* window);

void showShortcutsDialog(QMainWindow* window);
// A short first walk: open the demo, what each view answers, and the
// drill-down from a spike on the timeline to the source line.
void showGettingStartedDialog(QWidget* parent);
// The Getting Started page, as HTML.
QString gettingStartedHtml();

} // namespace memscope::ui
