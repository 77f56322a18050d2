// SPDX-License-Identifier: GPL-3.0-or-later
// The window's part in navigation: Back and Forward in a menu and a toolbar,
// the links from findings, goroutine groups and every view's row menu routed
// through the navigator,
// and the maximized view that gives the tabs the whole window.
#include "analysis/detect/detect.h"
#include "pages/compare_view.h"
#include "pages/connections_view.h"
#include "pages/goroutines_view.h"
#include "pages/heap_page.h"
#include "pages/retention_view.h"
#include "pages/timeline_view.h"
#include "shell/main_window.h"
#include "shell/navigator.h"
#include "widgets/item_links.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>

namespace memscope::ui {

void MainWindow::buildNavigation() {
    NavigatorPages pages{m_tabs,        m_heap,      m_findings, m_goroutines,
                         m_connections, m_retention, m_timeline};
    m_navigator = new Navigator(
        pages,
        [this](qint64 id, qint64 base) {
            m_timeline->markSnapshot(id);
            m_heap->selectSnapshot(id, base);
        },
        this);
    connect(m_navigator, &Navigator::message, m_status, &QLabel::setText);
    // Every view's "Show in …" menu follows its links as findings do, so
    // Back and Forward walk through them too; an entry whose view has
    // nothing for it is disabled.
    const LinkCheck canOpen = [nav = m_navigator](const QUrl& link) {
        return nav->canOpenLink(link);
    };
    m_heap->setLinkCheck(canOpen);
    m_goroutines->setLinkCheck(canOpen);
    m_connections->setLinkCheck(canOpen);
    m_retention->setLinkCheck(canOpen);
    m_compare->setLinkCheck(canOpen);
    connect(m_heap, &HeapPage::linkActivated, m_navigator, &Navigator::openLink);
    connect(m_goroutines, &GoroutinesView::linkActivated, m_navigator, &Navigator::openLink);
    connect(m_connections, &ConnectionsView::linkActivated, m_navigator, &Navigator::openLink);
    connect(m_retention, &RetentionView::linkActivated, m_navigator, &Navigator::openLink);
    connect(m_compare, &CompareView::linkActivated, m_navigator, &Navigator::openLink);
    // A host's line is on the timeline, which the maximized view folds away.
    connect(m_connections, &ConnectionsView::linkActivated, this, [this](const QUrl& link) {
        if (auto l = parseItemLink(link); l && l->view == "timeline")
            setViewMaximized(false);
    });
    // After the window's own handlers: the step records where they went.
    connect(m_timeline, &TimelineView::snapshotClicked, m_navigator, &Navigator::record);
    connect(m_timeline, &TimelineView::rangePicked, m_navigator, &Navigator::record);
    connect(m_timeline, &TimelineView::captureClicked, m_navigator, &Navigator::record);
    // The first load of a case is where its history starts; a reload (another
    // process wrote the case, an import ended) is no step of the user's.
    connect(this, &MainWindow::caseLoaded, m_navigator, [this] {
        if (m_navigator->history().size() == 0)
            m_navigator->record();
    });
    connect(m_goroutines, &GoroutinesView::sitesRequested, this, [this](const QString& own) {
        // The group's own frames: where its code runs, not the runtime's.
        QStringList functions;
        QModelIndex row = m_goroutines->table()->currentIndex();
        const QString stack = row.siblingAtColumn(GoroutinesView::Function)
                                  .data(GoroutinesView::kStackRole)
                                  .toString();
        const QStringList lines = stack.split('\n');
        for (qsizetype i = 0; i + 1 < lines.size(); ++i) { // the last line is the creator
            QString fn = lines[i].section(' ', 0, 0);
            if (!fn.isEmpty() && isUserCode(fn.toStdString()) && !functions.contains(fn))
                functions << fn;
        }
        if (functions.isEmpty() && !own.isEmpty())
            functions << own;
        m_navigator->showSitesOfGroup(m_goroutines->snapshotId(), functions);
    });

    m_maximize = new QAction(tr("Maximize View"), this);
    m_maximize->setCheckable(true);
    m_maximize->setShortcut(QKeySequence(Qt::Key_F11));
    m_maximize->setToolTip(tr("The tabs take the whole window: the timeline, the sites list and "
                              "the source pane fold away (F11 again brings them back)"));
    connect(m_maximize, &QAction::toggled, this, &MainWindow::setViewMaximized);

    QMenu* go = new QMenu(tr("&Go"), this);
    go->addAction(m_navigator->backAction());
    go->addAction(m_navigator->forwardAction());
    go->addSeparator();
    go->addAction(m_maximize);
    // Before Help, the last menu.
    const auto menus = menuBar()->actions();
    menuBar()->insertMenu(menus.isEmpty() ? nullptr : menus.back(), go);

    // Beside the tabs rather than in a toolbar of their own: a toolbar's
    // height would come out of the timeline's on a laptop screen.
    auto* corner = new QWidget(m_tabs);
    auto* row = new QHBoxLayout(corner);
    row->setContentsMargins(0, 0, 2, 0);
    row->setSpacing(0);
    for (QAction* a : {m_navigator->backAction(), m_navigator->forwardAction(), m_maximize}) {
        auto* button = new QToolButton(corner);
        button->setDefaultAction(a);
        button->setAutoRaise(true);
        button->setToolButtonStyle(a == m_maximize ? Qt::ToolButtonTextOnly
                                                   : Qt::ToolButtonIconOnly);
        row->addWidget(button);
    }
    m_tabs->setCornerWidget(corner, Qt::TopRightCorner);
}

void MainWindow::setViewMaximized(bool on) {
    if (m_maximize->isChecked() != on)
        m_maximize->setChecked(on); // comes back here through toggled
    m_timeline->setVisible(!on);
    m_heap->setDetailMaximized(on);
}

} // namespace memscope::ui
