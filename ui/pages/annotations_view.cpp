// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/annotations_view.h"

#include "import/capture_time.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace memscope::ui {

NoteCommand::NoteCommand(NoteOps ops, std::optional<Annotation> before,
                         std::optional<Annotation> after)
    : m_ops(std::move(ops)), m_before(std::move(before)), m_after(std::move(after)) {
    if (m_before)
        m_beforeId = m_before->id;
    QString what = QString::fromStdString((m_after ? m_after : m_before)->text).left(40);
    setText(!m_before  ? QObject::tr("add note “%1”").arg(what)
            : !m_after ? QObject::tr("delete note “%1”").arg(what)
                       : QObject::tr("edit note “%1”").arg(what));
}

void NoteCommand::redo() {
    if (m_before && m_beforeId)
        m_failed = !m_ops.remove(m_beforeId);
    if (m_after) {
        m_afterId = m_ops.add(*m_after);
        m_failed = m_failed || !m_afterId;
    }
}

void NoteCommand::undo() {
    if (m_after && m_afterId)
        m_ops.remove(m_afterId);
    if (m_before)
        m_beforeId = m_ops.add(*m_before);
}

bool editNoteDialog(QWidget* parent, const QString& title, Annotation& note) {
    QDialog d(parent);
    d.setWindowTitle(title);
    auto* text = new QLineEdit(QString::fromStdString(note.text), &d);
    text->setMinimumWidth(420);
    auto* severity = new QComboBox(&d);
    severity->addItems({"info", "warning", "critical"});
    severity->setCurrentText(QString::fromStdString(note.severity));
    QString when = QString::fromStdString(formatTimeIso(note.timeNs));
    if (note.endNs > note.timeNs)
        when += QObject::tr(" to ") + QString::fromStdString(formatTimeIso(note.endNs));
    auto* form = new QFormLayout;
    form->addRow(QObject::tr("When:"), new QLabel(when, &d));
    if (!note.series.empty())
        form->addRow(QObject::tr("Row:"), new QLabel(QString::fromStdString(note.series), &d));
    form->addRow(QObject::tr("Note:"), text);
    form->addRow(QObject::tr("Severity:"), severity);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &d);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &d, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &d, &QDialog::reject);
    auto* l = new QVBoxLayout(&d);
    l->addLayout(form);
    l->addWidget(buttons);
    for (auto* label : d.findChildren<QLabel*>())
        label->setTextFormat(Qt::PlainText);
    if (d.exec() != QDialog::Accepted || text->text().trimmed().isEmpty())
        return false;
    note.text = text->text().trimmed().toStdString();
    note.severity = severity->currentText().toStdString();
    return true;
}

AnnotationsView::AnnotationsView(QWidget* parent) : QWidget(parent) {
    m_model = new QStandardItemModel(this);
    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    auto* add = new QPushButton(tr("Add…"), this);
    auto* edit = new QPushButton(tr("Edit…"), this);
    auto* remove = new QPushButton(tr("Delete"), this);
    auto* hint = new QLabel(
        tr("Right-click the timeline to note a time; drag, then File ▸ Annotate, for a range; "
           "right-click a site for a row. Edit ▸ Undo takes back any change."),
        this);
    hint->setWordWrap(true);
    auto* bar = new QHBoxLayout;
    bar->addWidget(add);
    bar->addWidget(edit);
    bar->addWidget(remove);
    bar->addWidget(hint, 1);
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(4, 4, 4, 4);
    l->addLayout(bar);
    l->addWidget(m_table, 1);
    connect(add, &QPushButton::clicked, this, &AnnotationsView::addRequested);
    connect(edit, &QPushButton::clicked, this, [this] {
        if (auto n = current())
            emit editRequested(*n);
    });
    connect(m_table, &QTableView::doubleClicked, this, [this] {
        if (auto n = current())
            emit editRequested(*n);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (auto n = current())
            emit deleteRequested(*n);
    });
    setAnnotations({});
}

void AnnotationsView::setAnnotations(const std::vector<Annotation>& notes) {
    m_notes = notes;
    m_model->clear();
    m_model->setHorizontalHeaderLabels(
        {tr("Time (UTC)"), tr("Until"), tr("Severity"), tr("Row"), tr("Note")});
    for (const auto& n : m_notes) {
        auto item = [](const std::string& s) {
            auto* i = new QStandardItem(QString::fromStdString(s));
            i->setEditable(false);
            return i;
        };
        QList<QStandardItem*> row{item(formatTimeIso(n.timeNs)),
                                  item(n.endNs > n.timeNs ? formatTimeIso(n.endNs) : ""),
                                  item(n.severity), item(n.series), item(n.text)};
        if (n.severity == "critical" || n.severity == "warning")
            row[2]->setForeground(n.severity == "critical" ? QColor(198, 40, 40)
                                                           : QColor(239, 108, 0));
        m_model->appendRow(row);
    }
    m_table->resizeColumnsToContents();
}

std::optional<Annotation> AnnotationsView::current() const {
    auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty() || size_t(rows.first().row()) >= m_notes.size())
        return std::nullopt;
    return m_notes[size_t(rows.first().row())];
}

} // namespace memscope::ui
