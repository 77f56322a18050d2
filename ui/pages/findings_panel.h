// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/detect/detect.h"

#include <QWidget>

class QListWidget;
class QTextBrowser;
class QUrl;

namespace memscope::ui {

// The detectors' findings, most severe first; the selected one's summary,
// evidence numbers and sites beside the list. Every site, host, goroutine
// group and heap-dump root it names is a link to the view that shows it.
class FindingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit FindingsPanel(QWidget* parent = nullptr);
    void setFindings(std::vector<Finding> findings);
    const std::vector<Finding>& findings() const { return m_findings; }
    // Lays the shown finding out again in the application's palette: a
    // document keeps the link colour it was set with.
    void themeChanged();
    QListWidget* list() const { return m_list; }
    QString detailText() const;

signals:
    // The series keys of the selected finding, to emphasise on the timeline.
    void evidenceSelected(const QStringList& seriesKeys);
    // A site, host, goroutine group or root of the evidence was clicked
    // (a memscope:// link, see shell/navigator.h).
    void linkActivated(const QUrl& link);

private:
    void show(int row);
    // The finding's HTML into the detail pane; returns its evidence series keys.
    QStringList render(int row);
    std::vector<Finding> m_findings;
    QListWidget* m_list = nullptr;
    QTextBrowser* m_detail = nullptr;
};

} // namespace memscope::ui
