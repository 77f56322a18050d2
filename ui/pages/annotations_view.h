// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/case_store.h"

#include <QStandardItemModel>
#include <QUndoCommand>
#include <QWidget>
#include <functional>
#include <optional>

class QTableView;

namespace memscope::ui {

// How a command reaches the case: add returns the new id (0 on failure).
struct NoteOps {
    std::function<AnnotationId(const Annotation&)> add; // none: it failed
    std::function<bool(AnnotationId)> remove;
};

// Adding (no `before`), deleting (no `after`) or editing an annotation, as
// one undoable step. An undone delete comes back under a new id; the
// command follows it.
class NoteCommand : public QUndoCommand {
public:
    NoteCommand(NoteOps ops, std::optional<Annotation> before, std::optional<Annotation> after);
    void redo() override;
    void undo() override;
    bool failed() const { return m_failed; }

private:
    NoteOps m_ops;
    std::optional<Annotation> m_before, m_after;
    AnnotationId m_beforeId, m_afterId;
    bool m_failed = false;
};

// Asks for a note's text and severity (and keeps its time or range); false
// when the user cancels or leaves the text empty.
bool editNoteDialog(QWidget* parent, const QString& title, Annotation& note);

// The case's annotations as a table: edit, delete (both undoable from the
// Edit menu), and jump to their time.
class AnnotationsView : public QWidget {
    Q_OBJECT
public:
    enum Column { Time, Until, Severity, Row, Text, ColumnCount };
    explicit AnnotationsView(QWidget* parent = nullptr);
    void setAnnotations(const std::vector<Annotation>& notes);
    const std::vector<Annotation>& annotations() const { return m_notes; }
    QStandardItemModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    // The annotation of the selected row, if any.
    std::optional<Annotation> current() const;

signals:
    void editRequested(const Annotation& note);
    void deleteRequested(const Annotation& note);
    void addRequested();

private:
    std::vector<Annotation> m_notes;
    QStandardItemModel* m_model = nullptr;
    QTableView* m_table = nullptr;
};

} // namespace memscope::ui
