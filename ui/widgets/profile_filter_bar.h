// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/profile/profile_filter.h"

#include <QWidget>

class QLineEdit;

namespace memscope::ui {

// pprof's -focus, -ignore and -hide as three regex fields. Enter (or clearing
// a field) asks for the filter; a field whose expression does not compile
// turns red and says why, and the filter is not asked for.
class ProfileFilterBar : public QWidget {
    Q_OBJECT
public:
    explicit ProfileFilterBar(QWidget* parent = nullptr);
    // Shows a filter; false (and the reason in `error`) when an expression
    // does not compile.
    bool setFilter(const ProfileFilter& filter, QString* error = nullptr);
    ProfileFilter filter() const;
    QLineEdit* focusEdit() const { return m_focus; }
    QLineEdit* ignoreEdit() const { return m_ignore; }
    QLineEdit* hideEdit() const { return m_hide; }

signals:
    void applied(const ProfileFilter& filter);
    void invalid(const QString& error);

private:
    void apply();
    QLineEdit* m_focus = nullptr;
    QLineEdit* m_ignore = nullptr;
    QLineEdit* m_hide = nullptr;
};

} // namespace memscope::ui
