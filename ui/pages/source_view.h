// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/profile/source_lines.h"
#include "formats/escape/escape_notes.h"
#include "model/profile.h"

#include <QAbstractTableModel>
#include <QWidget>
#include <memory>

class QLabel;
class QTableView;

namespace memscope::ui {

// What the source pane shows for one function: per-line values, the file's
// text when a source root holds it, and the escape notes of those lines.
struct SourceContent {
    FunctionLines values;
    QString resolvedPath;          // empty: not found under the source root
    QString problem;               // why there is no text, for the title
    std::vector<std::string> text; // the whole file, when read
    std::vector<EscapeNote> notes; // of the shown lines
    std::vector<int64_t> shown;    // line numbers, ascending
    int64_t hottest = 0;           // the line with the most flat value (else cum)
};

// Runs off the GUI thread: reads nothing outside `sourceRoot`.
SourceContent loadSourceContent(const QString& casePath, std::shared_ptr<const Profile> profile,
                                int sampleIndex, const QString& function,
                                const QString& sourceRoot);

class SourceLinesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LineNo, Flat, Cum, Text, Notes, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;
    void setContent(std::shared_ptr<const SourceContent> content);
    const SourceContent* content() const { return m_content.get(); }
    int rowOfLine(int64_t line) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const SourceContent> m_content;
    std::vector<const SourceLineValue*> m_values; // per row, null when the line has none
    std::vector<QString> m_notes;                 // per row
};

class SourceView : public QWidget {
    Q_OBJECT
public:
    explicit SourceView(QWidget* parent = nullptr);
    void setContent(std::shared_ptr<const SourceContent> content);
    void setMessage(const QString& text);
    SourceLinesModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    // The line selected (the hottest one after a load), 0 for none.
    int64_t currentLine() const;

private:
    QLabel* m_title = nullptr;
    QTableView* m_table = nullptr;
    SourceLinesModel* m_model = nullptr;
};

} // namespace memscope::ui
