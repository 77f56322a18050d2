// SPDX-License-Identifier: GPL-3.0-or-later
#include "shell/help_dialogs.h"

#include <QAbstractItemView>
#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QRegularExpression>
#include <QSet>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace memscope::ui {

namespace {

QString plainText(const QAction* a) {
    QString t = a->text();
    t.remove(QRegularExpression("&(?!&)"));
    return t;
}

QString keysOf(const QAction* a) {
    QStringList keys;
    for (const auto& k : a->shortcuts())
        keys << k.toString(QKeySequence::NativeText);
    return keys.join(QStringLiteral(", "));
}

void walkMenu(const QMenu* menu, const QString& path, QList<ShortcutRow>& out,
              QSet<const QAction*>& seen) {
    for (QAction* a : menu->actions()) {
        if (a->isSeparator())
            continue;
        seen.insert(a);
        QString where = path + QStringLiteral(" ▸ ") + plainText(a);
        if (a->menu())
            walkMenu(a->menu(), where, out, seen);
        else if (!a->shortcuts().isEmpty())
            out.append({where, keysOf(a)});
    }
}

// What a view's own action is called in the list: the kind of view it sits on.
QString viewKind(const QObject* parent) {
    if (qobject_cast<const QAbstractItemView*>(parent))
        return QObject::tr("tables and trees");
    return parent ? QString::fromLatin1(parent->metaObject()->className()).section("::", -1)
                  : QString();
}

} // namespace

QList<ShortcutRow> windowShortcuts(QMainWindow* window) {
    QList<ShortcutRow> out;
    QSet<const QAction*> seen;
    for (QAction* top : window->menuBar()->actions())
        if (top->menu())
            walkMenu(top->menu(), plainText(top), out, seen);
    // Actions the views carry (Copy on every table): once per kind of view.
    QSet<QString> listed;
    for (QAction* a : window->findChildren<QAction*>()) {
        if (seen.contains(a) || a->shortcuts().isEmpty())
            continue;
        QString where = viewKind(a->parent()) + QStringLiteral(" ▸ ") + plainText(a);
        QString keys = keysOf(a);
        if (listed.contains(where + keys))
            continue;
        listed.insert(where + keys);
        out.append({where, keys});
    }
    return out;
}

void showShortcutsDialog(QMainWindow* window) {
    const QList<ShortcutRow> rows = windowShortcuts(window);
    QDialog dialog(window);
    dialog.setWindowTitle(QObject::tr("Keyboard Shortcuts"));
    auto* table = new QTableWidget(int(rows.size()), 2, &dialog);
    table->setHorizontalHeaderLabels({QObject::tr("Action"), QObject::tr("Keys")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    for (int r = 0; r < rows.size(); ++r) {
        table->setItem(r, 0, new QTableWidgetItem(rows[r].where));
        table->setItem(r, 1, new QTableWidgetItem(rows[r].keys));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* l = new QVBoxLayout(&dialog);
    l->addWidget(table);
    l->addWidget(buttons);
    dialog.resize(560, 520);
    dialog.exec();
}

QString gettingStartedHtml() {
    return QObject::tr(
        "<h2>Getting started</h2>"
        "<p><b>Open the demo.</b> Run <code>memscope --demo</code>: a Go service with three "
        "memory traps, captured twelve times over 40 seconds. Your own captures go into a case "
        "with File ▸ Import Files… (Ctrl+I) or Import Folder… (Ctrl+Shift+I), or by dropping "
        "them on the window; the Import Log (Ctrl+L) says what became of each file.</p>"
        "<h3>What each view answers</h3>"
        "<ul>"
        "<li><b>Timeline</b> (top): when did memory grow, and what grew with it? Heap in use "
        "and the top allocation sites, with panels for the GC, goroutines, sockets per host and "
        "finalizers on the same time axis.</li>"
        "<li><b>Findings</b> (Alt+1): which known trap is this? Each finding names its evidence "
        "and draws it bold on the timeline.</li>"
        "<li><b>Allocation sites</b> (Alt+2): which code allocated what is in use, and what grew "
        "since the previous capture? With the flame graph, call tree and source.</li>"
        "<li><b>Goroutines</b> (Alt+3): what is every goroutine doing, and how long has it "
        "waited?</li>"
        "<li><b>Connections</b> (Alt+4): which remote hosts hold sockets open, and are they "
        "piling up?</li>"
        "<li><b>Retention</b> (Alt+5): in a heap dump, what keeps the memory alive?</li>"
        "<li><b>Side by side</b> (Alt+6): what changed between any two captures of a kind?</li>"
        "<li><b>Annotations</b> (Alt+7): the notes of the investigation.</li>"
        "</ul>"
        "<h3>From a spike to the source</h3>"
        "<ol>"
        "<li>On the timeline, find where heap in use climbs; hover a point for every value "
        "at that time.</li>"
        "<li>Click the point: Allocation sites opens that capture, ranked by what grew since "
        "the one before. Drag across the timeline instead to compare a range's first and last "
        "captures.</li>"
        "<li>Double-click the top site: the flame graph zooms to it and the call tree shows "
        "who called it.</li>"
        "<li>The source pane shows the function's lines with their bytes and the compiler's "
        "escape notes; View ▸ Source Root (Ctrl+R) points it at your module to show the "
        "text.</li>"
        "<li>Right-click the timeline (or Ctrl+T) to note what you found; File ▸ Export Report "
        "(Ctrl+E) writes the postmortem.</li>"
        "</ol>"
        "<p>Help ▸ Keyboard Shortcuts lists every key the window knows.</p>");
}

void showGettingStartedDialog(QWidget* parent) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Getting Started"));
    auto* text = new QTextBrowser(&dialog);
    text->setHtml(gettingStartedHtml());
    text->setOpenExternalLinks(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* l = new QVBoxLayout(&dialog);
    l->addWidget(text);
    l->addWidget(buttons);
    dialog.resize(620, 560);
    dialog.exec();
}

} // namespace memscope::ui
