// SPDX-License-Identifier: GPL-3.0-or-later
// File ▸ Export Chart…: which chart, at what size, and how sharp a PNG is.
#pragma once

#include <QDialog>

class QComboBox;
class QSpinBox;
class QCheckBox;

namespace memscope::ui {

class ExportChartDialog : public QDialog {
    Q_OBJECT
public:
    // The last size and scale chosen are offered again.
    ExportChartDialog(const QStringList& charts, QWidget* parent = nullptr);
    QString chart() const;
    int chartWidth() const;
    int chartHeight() const;
    double pixelRatio() const; // 2 with "twice the pixels" checked
    void accept() override;    // remembers the choices

private:
    QComboBox* m_chart;
    QSpinBox* m_width;
    QSpinBox* m_height;
    QCheckBox* m_double;
};

} // namespace memscope::ui
