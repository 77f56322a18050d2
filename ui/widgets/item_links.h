// SPDX-License-Identifier: GPL-3.0-or-later
// Links to an item of the case, and the right-click menu on a view's rows
// that shows the row's item in the other views ("Show in …"). The findings'
// links and every view's menu are built here and followed by the one
// navigator (shell/navigator.h), so Back and Forward record each jump.
#pragma once

#include <QModelIndex>
#include <QObject>
#include <QString>
#include <QUrl>
#include <functional>
#include <optional>
#include <vector>

class QAbstractItemView;
class QMenu;
class QWidget;

namespace memscope::ui {

// memscope://KIND?name=NAME[&view=VIEW]. KIND is what the name names: a site
// (a function of the heap profiles), a host (a remote host of the sockets),
// a group (a goroutine group, by a function of its stack) or a root (of a
// heap dump). VIEW, when given, chooses which view shows it: for a site
// "retention" or a tab of Allocation sites ("flame", "topdown", "bottomup",
// "callers"); for a host "goroutines" (the groups whose sockets go there) or
// "timeline" (its line).
QUrl itemLink(const QString& kind, const QString& name, const QString& view = {});

struct ItemLink {
    QString kind, name, view;
};
// Empty for anything but a memscope:// link with a name.
std::optional<ItemLink> parseItemLink(const QUrl& link);

// Whether the view a link names has something to show for it.
using LinkCheck = std::function<bool(const QUrl&)>;

// One entry of a row's menu; an empty link is an entry that can't be followed.
struct RowLink {
    RowLink(QString text, QUrl link, QString submenu = {})
        : text(std::move(text)), link(std::move(link)), submenu(std::move(submenu)) {}
    QString text;
    QUrl link;
    QString submenu; // the title of the submenu it goes in; empty: the menu itself
};

// What a row's menu offers: the links, and the name "Copy Name" copies.
struct RowLinks {
    QString name;
    std::vector<RowLink> links;
};

// Adds a row's links to `menu` (each disabled when `check` says its view has
// nothing for it; those with a submenu title grouped in that submenu), then
// Copy Name. `activate` follows a link.
void addRowLinks(QMenu* menu, const RowLinks& row, const LinkCheck& check,
                 const std::function<void(const QUrl&)>& activate);

// The right-click menu of an item view: the view's own actions (Copy, ...),
// then the row's links, each disabled when the view it names has nothing for
// it, then Copy Name.
class RowLinkMenu : public QObject {
    Q_OBJECT
public:
    using Describe = std::function<RowLinks(const QModelIndex&)>;
    RowLinkMenu(QAbstractItemView* view, Describe describe);
    void setLinkCheck(LinkCheck check) { m_check = std::move(check); }
    // The menu of a row, not yet shown; the row becomes the view's current.
    QMenu* menuFor(const QModelIndex& index, QWidget* parent);

signals:
    void linkActivated(const QUrl& link);

private:
    QAbstractItemView* m_view;
    Describe m_describe;
    LinkCheck m_check;
};

} // namespace memscope::ui
