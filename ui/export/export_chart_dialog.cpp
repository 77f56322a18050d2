// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/export_chart_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>

namespace memscope::ui {

ExportChartDialog::ExportChartDialog(const QStringList& charts, QWidget* parent)
    : QDialog(parent), m_chart(new QComboBox(this)), m_width(new QSpinBox(this)),
      m_height(new QSpinBox(this)), m_double(new QCheckBox(tr("Twice the pixels (HiDPI)"), this)) {
    setWindowTitle(tr("Export Chart"));
    QSettings settings;
    m_chart->addItems(charts);
    m_chart->setCurrentText(settings.value("exportChart/chart").toString());
    // Points: an SVG's and a PDF's size, a PNG's pixels at 1×.
    m_width->setRange(200, 8000);
    m_height->setRange(120, 8000);
    m_width->setSuffix(tr(" pt"));
    m_height->setSuffix(tr(" pt"));
    m_width->setValue(settings.value("exportChart/width", 900).toInt());
    m_height->setValue(settings.value("exportChart/height", 320).toInt());
    m_double->setChecked(settings.value("exportChart/double", false).toBool());
    m_double->setToolTip(tr("A PNG with two pixels per point, sharp on a HiDPI screen or in print; "
                            "SVG and PDF are sharp at any size"));
    auto* size = new QHBoxLayout;
    size->addWidget(m_width);
    size->addWidget(new QLabel(QStringLiteral("×"), this));
    size->addWidget(m_height);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Chart:"), m_chart);
    form->addRow(tr("Size:"), size);
    form->addRow(QString(), m_double);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

QString ExportChartDialog::chart() const { return m_chart->currentText(); }
int ExportChartDialog::chartWidth() const { return m_width->value(); }
int ExportChartDialog::chartHeight() const { return m_height->value(); }
double ExportChartDialog::pixelRatio() const { return m_double->isChecked() ? 2.0 : 1.0; }

void ExportChartDialog::accept() {
    QSettings settings;
    settings.setValue("exportChart/chart", chart());
    settings.setValue("exportChart/width", chartWidth());
    settings.setValue("exportChart/height", chartHeight());
    settings.setValue("exportChart/double", m_double->isChecked());
    QDialog::accept();
}

} // namespace memscope::ui
