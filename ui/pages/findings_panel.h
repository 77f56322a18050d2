// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/detect/detect.h"

#include <QWidget>

class QListWidget;
class QTextBrowser;

namespace memscope::ui {

// The detectors' findings, most severe first; the selected one's summary,
// evidence numbers and sites beside the list.
class FindingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit FindingsPanel(QWidget* parent = nullptr);
    void setFindings(std::vector<Finding> findings);
    const std::vector<Finding>& findings() const { return m_findings; }
    QListWidget* list() const { return m_list; }
    QString detailText() const;

signals:
    // The series keys of the selected finding, to emphasise on the timeline.
    void evidenceSelected(const QStringList& seriesKeys);

private:
    void show(int row);
    std::vector<Finding> m_findings;
    QListWidget* m_list = nullptr;
    QTextBrowser* m_detail = nullptr;
};

} // namespace memscope::ui
