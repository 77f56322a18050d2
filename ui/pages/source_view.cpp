// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/source_view.h"

#include "base/format.h"
#include "store/case_store.h"

#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <set>

namespace memscope::ui {

SourceContent loadSourceContent(const QString& casePath, std::shared_ptr<const Profile> profile,
                                int sampleIndex, const QString& function,
                                const QString& sourceRoot) {
    SourceContent c;
    if (profile)
        c.values = functionLines(*profile, sampleIndex, function.toStdString());
    c.values.function = function.toStdString();
    const std::string& file = c.values.file;
    QString notesError; // said instead of any other problem: the case is what failed
    if (!casePath.isEmpty() && !file.empty())
        if (auto store = CaseStore::open(casePath.toStdString(), true)) {
            auto notes = (*store)->escapeNotesOfFile(file);
            if (notes)
                c.notes = std::move(*notes);
            else
                notesError = QString::fromStdString(notes.error().toString());
        }
    if (file.empty()) {
        c.problem = QObject::tr("the profile names no file for %1").arg(function);
    } else if (sourceRoot.isEmpty()) {
        c.problem = QObject::tr("set a source root (View ▸ Source Root…) to read %1")
                        .arg(QString::fromStdString(file));
    } else if (auto path = resolveSourcePath(sourceRoot.toStdString(), file)) {
        c.resolvedPath = QString::fromStdString(*path);
        if (auto text = readSourceLines(*path))
            c.text = std::move(*text);
        else
            c.problem = QObject::tr("cannot read %1").arg(c.resolvedPath);
    } else {
        c.problem = QObject::tr("%1 is not under the source root %2")
                        .arg(QString::fromStdString(file), sourceRoot);
    }
    if (!notesError.isEmpty())
        c.problem = notesError;

    // The function's span: from its first line (or first sampled line) to its
    // last sampled line, with a little context when the text is there.
    int64_t lo = c.values.startLine, hi = 0;
    const SourceLineValue* hot = nullptr;
    for (const auto& l : c.values.lines) {
        if (l.line <= 0)
            continue;
        lo = lo > 0 ? std::min(lo, l.line) : l.line;
        hi = std::max(hi, l.line);
        if (!hot || std::make_pair(l.flat, l.cum) > std::make_pair(hot->flat, hot->cum))
            hot = &l;
    }
    if (hot)
        c.hottest = hot->line;
    std::set<int64_t> shown;
    if (!c.text.empty() && lo > 0) {
        int64_t last = std::min<int64_t>(int64_t(c.text.size()), std::max(hi, lo) + 3);
        for (int64_t l = std::max<int64_t>(1, lo - 2); l <= last; ++l)
            shown.insert(l);
    } else {
        for (const auto& l : c.values.lines)
            if (l.line > 0)
                shown.insert(l.line);
        for (const auto& n : c.notes)
            if (lo > 0 && n.line >= lo && n.line <= hi)
                shown.insert(n.line);
    }
    c.shown.assign(shown.begin(), shown.end());
    std::erase_if(c.notes, [&](const EscapeNote& n) { return !shown.count(n.line); });
    return c;
}

void SourceLinesModel::setContent(std::shared_ptr<const SourceContent> content) {
    beginResetModel();
    m_content = std::move(content);
    m_values.clear();
    m_notes.clear();
    if (m_content) {
        for (int64_t line : m_content->shown) {
            const SourceLineValue* v = nullptr;
            for (const auto& l : m_content->values.lines)
                if (l.line == line)
                    v = &l;
            m_values.push_back(v);
            QStringList notes;
            for (const auto& n : m_content->notes)
                if (n.line == line)
                    notes << QString::fromStdString(n.message);
            m_notes.push_back(notes.join("; "));
        }
    }
    endResetModel();
}

int SourceLinesModel::rowOfLine(int64_t line) const {
    if (!m_content)
        return -1;
    auto it = std::lower_bound(m_content->shown.begin(), m_content->shown.end(), line);
    return it != m_content->shown.end() && *it == line ? int(it - m_content->shown.begin()) : -1;
}

int SourceLinesModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_content ? 0 : int(m_content->shown.size());
}
int SourceLinesModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SourceLinesModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_content || index.row() >= rowCount())
        return {};
    size_t r = size_t(index.row());
    int64_t line = m_content->shown[r];
    const SourceLineValue* v = m_values[r];
    const std::string& unit = m_content->values.unit;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
            case LineNo: return qlonglong(line);
            case Flat:
                return v && v->flat ? QString::fromStdString(formatValue(v->flat, unit))
                                    : QString();
            case Cum:
                return v && v->cum ? QString::fromStdString(formatValue(v->cum, unit)) : QString();
            case Text:
                return line > 0 && size_t(line) <= m_content->text.size()
                           ? QString::fromStdString(m_content->text[size_t(line - 1)])
                                 .replace('\t', "    ")
                           : QString();
            case Notes: return m_notes[r];
        }
    } else if (role == Qt::UserRole) { // raw values for sorting and tests
        switch (index.column()) {
            case LineNo: return qlonglong(line);
            case Flat: return qlonglong(v ? v->flat : 0);
            case Cum: return qlonglong(v ? v->cum : 0);
            default: return data(index, Qt::DisplayRole);
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() <= Cum)
            return int(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::FontRole && index.column() == Text) {
        return QFontDatabase::systemFont(QFontDatabase::FixedFont);
    } else if (role == Qt::ToolTipRole && index.column() == Notes && !m_notes[r].isEmpty()) {
        QStringList detail;
        for (const auto& n : m_content->notes)
            if (n.line == line)
                detail << QString::fromStdString(n.message +
                                                 (n.detail.empty() ? "" : "\n" + n.detail));
        return detail.join("\n\n");
    } else if (role == Qt::BackgroundRole && line == m_content->hottest) {
        return QColor(255, 226, 200);
    } else if (role == Qt::ForegroundRole && line == m_content->hottest) {
        return QColor(20, 20, 20);
    }
    return {};
}

QVariant SourceLinesModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
        case LineNo: return tr("Line");
        case Flat: return tr("Flat");
        case Cum: return tr("Cum");
        case Text: return tr("Source");
        case Notes: return tr("Escape analysis");
    }
    return {};
}

SourceView::SourceView(QWidget* parent) : QWidget(parent) {
    m_title = new QLabel(tr("Double-click a frame or a site to see its source lines"), this);
    m_title->setTextFormat(Qt::PlainText);
    m_title->setWordWrap(true);
    m_model = new SourceLinesModel(this);
    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(4, 4, 4, 4);
    l->addWidget(m_title);
    l->addWidget(m_table, 1);
}

void SourceView::setMessage(const QString& text) { m_title->setText(text); }

void SourceView::setContent(std::shared_ptr<const SourceContent> content) {
    m_model->setContent(content);
    if (!content)
        return;
    const auto& v = content->values;
    QString where =
        content->resolvedPath.isEmpty() ? QString::fromStdString(v.file) : content->resolvedPath;
    QString title = tr("%1 — %2").arg(QString::fromStdString(v.function), where);
    if (!content->problem.isEmpty())
        title += tr("  (%1; showing the lines that carry samples or notes)").arg(content->problem);
    m_title->setText(title);
    for (int c = 0; c < SourceLinesModel::Text; ++c)
        m_table->resizeColumnToContents(c);
    m_table->setColumnWidth(SourceLinesModel::Text, content->text.empty() ? 60 : 520);
    int row = m_model->rowOfLine(content->hottest);
    if (row >= 0) {
        m_table->selectRow(row);
        m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
    }
}

int64_t SourceView::currentLine() const {
    auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty() || !m_model->content())
        return 0;
    return m_model->content()->shown[size_t(rows.first().row())];
}

} // namespace memscope::ui
