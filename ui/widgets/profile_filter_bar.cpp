// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/profile_filter_bar.h"

#include <QHBoxLayout>
#include <QLineEdit>

namespace memscope::ui {

ProfileFilterBar::ProfileFilterBar(QWidget* parent) : QWidget(parent) {
    auto* l = new QHBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    auto edit = [&](const QString& placeholder, const QString& tip) {
        auto* e = new QLineEdit(this);
        e->setPlaceholderText(placeholder);
        e->setToolTip(tip);
        e->setClearButtonEnabled(true);
        e->setMinimumWidth(60);
        connect(e, &QLineEdit::returnPressed, this, &ProfileFilterBar::apply);
        // Cleared with its button: applied at once, as nothing is left to type.
        connect(e, &QLineEdit::textChanged, this, [this](const QString& t) {
            if (t.isEmpty())
                apply();
        });
        l->addWidget(e, 1);
        return e;
    };
    m_focus = edit(tr("focus regex"), tr("pprof -focus: only the samples with a frame whose "
                                         "function or file matches (Enter applies)"));
    m_ignore = edit(tr("ignore regex"), tr("pprof -ignore: without the samples with a frame "
                                           "whose function or file matches (Enter applies)"));
    m_hide = edit(tr("hide regex"), tr("pprof -hide: matching functions leave every stack, "
                                       "their samples stay with the callers (Enter applies)"));
}

ProfileFilter ProfileFilterBar::filter() const {
    return {m_focus->text().toStdString(), m_ignore->text().toStdString(),
            m_hide->text().toStdString()};
}

bool ProfileFilterBar::setFilter(const ProfileFilter& filter, QString* error) {
    bool ok = true;
    for (auto [edit, text] :
         {std::pair{m_focus, &filter.focus}, std::pair{m_ignore, &filter.ignore},
          std::pair{m_hide, &filter.hide}}) {
        {
            QSignalBlocker block(edit);
            edit->setText(QString::fromStdString(*text));
        }
        auto check = filterProfile(Profile{}, ProfileFilter{*text, "", ""});
        edit->setStyleSheet(check ? QString() : QStringLiteral("color: #c62828"));
        if (!check && ok) {
            ok = false;
            if (error)
                *error = QString::fromStdString(check.error().message);
        }
    }
    return ok;
}

void ProfileFilterBar::apply() {
    ProfileFilter f = filter();
    QString error;
    if (setFilter(f, &error))
        emit applied(f);
    else
        emit invalid(error);
}

} // namespace memscope::ui
