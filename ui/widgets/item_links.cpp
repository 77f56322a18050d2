// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/item_links.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QClipboard>
#include <QMenu>
#include <QUrlQuery>
#include <map>

namespace memscope::ui {

QUrl itemLink(const QString& kind, const QString& name, const QString& view) {
    // Every byte but the unreserved ones escaped: a function such as
    // net/http.(*Client).do or a name with & and = stays one value.
    QString text = QStringLiteral("memscope://%1?name=%2")
                       .arg(kind, QString::fromUtf8(QUrl::toPercentEncoding(name)));
    if (!view.isEmpty())
        text += QStringLiteral("&view=%1").arg(QString::fromUtf8(QUrl::toPercentEncoding(view)));
    return QUrl(text);
}

std::optional<ItemLink> parseItemLink(const QUrl& link) {
    if (link.scheme() != QLatin1String("memscope"))
        return std::nullopt;
    QUrlQuery query(link);
    ItemLink out{link.host(), query.queryItemValue("name", QUrl::FullyDecoded),
                 query.queryItemValue("view", QUrl::FullyDecoded)};
    if (out.kind.isEmpty() || out.name.isEmpty())
        return std::nullopt;
    return out;
}

void addRowLinks(QMenu* menu, const RowLinks& row, const LinkCheck& check,
                 const std::function<void(const QUrl&)>& activate) {
    std::map<QString, QMenu*> submenus;
    for (const RowLink& l : row.links) {
        QMenu* into = menu;
        if (!l.submenu.isEmpty()) {
            QMenu*& sub = submenus[l.submenu];
            if (!sub)
                sub = menu->addMenu(l.submenu);
            into = sub;
        }
        QAction* a = into->addAction(l.text);
        a->setEnabled(!l.link.isEmpty() && (!check || check(l.link)));
        QObject::connect(a, &QAction::triggered, menu,
                         [activate, link = l.link] { activate(link); });
    }
    if (!row.links.empty())
        menu->addSeparator();
    QAction* copy = menu->addAction(QObject::tr("Copy Name"));
    copy->setEnabled(!row.name.isEmpty());
    QObject::connect(copy, &QAction::triggered, menu,
                     [name = row.name] { QApplication::clipboard()->setText(name); });
}

RowLinkMenu::RowLinkMenu(QAbstractItemView* view, Describe describe)
    : QObject(view), m_view(view), m_describe(std::move(describe)) {
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QModelIndex index = m_view->indexAt(pos);
        if (!index.isValid())
            return;
        QMenu* menu = menuFor(index, m_view);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(m_view->viewport()->mapToGlobal(pos));
    });
}

QMenu* RowLinkMenu::menuFor(const QModelIndex& index, QWidget* parent) {
    auto* menu = new QMenu(parent);
    // The view's own actions act on its current row: the row clicked.
    if (m_view->currentIndex().row() != index.row() ||
        m_view->currentIndex().parent() != index.parent())
        m_view->setCurrentIndex(index);
    const auto own = m_view->actions();
    for (QAction* a : own)
        menu->addAction(a);
    if (!own.isEmpty())
        menu->addSeparator();
    addRowLinks(menu, m_describe(index), m_check,
                [this](const QUrl& link) { emit linkActivated(link); });
    return menu;
}

} // namespace memscope::ui
