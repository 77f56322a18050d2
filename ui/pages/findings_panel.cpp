// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/findings_panel.h"

#include "base/format.h"
#include "report/chart_svg.h"
#include "widgets/item_links.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QListWidget>
#include <QSplitter>
#include <QTextBrowser>
#include <QUrl>

namespace memscope::ui {

namespace {

QColor severityColour(const std::string& s) {
    return s == "critical"  ? QColor(198, 40, 40)
           : s == "warning" ? QColor(239, 108, 0)
                            : QColor(21, 101, 192);
}

QString esc(const std::string& s) { return QString::fromStdString(xmlEscape(s)); }

// A link as the navigator reads it.
QString link(const char* kind, const std::string& name, const QString& text) {
    QString href = itemLink(QString::fromLatin1(kind), QString::fromStdString(name))
                       .toString(QUrl::FullyEncoded);
    return "<a href=\"" + href.toHtmlEscaped() + "\">" + text + "</a>";
}

// The names a finding cites, each with the kind of view that shows it: its
// sites, hosts and goroutine groups, and the labels of its series.
std::vector<std::pair<const char*, std::string>> citedNames(const Finding& f) {
    std::vector<std::pair<const char*, std::string>> out;
    auto add = [&](const char* kind, const std::string& name) {
        if (name.empty())
            return;
        for (const auto& [k, n] : out)
            if (n == name)
                return;
        out.emplace_back(kind, name);
    };
    for (const auto& s : f.sites)
        add("site", s.function);
    for (const auto& h : f.hosts)
        add("host", h);
    for (const auto& g : f.goroutineGroups)
        add("group", g);
    for (const auto& s : f.series)
        for (const auto& [key, value] : s.labels) {
            if (key == "site")
                add("site", value);
            else if (key == "host")
                add("host", value);
            else if (key == "group")
                add("group", value);
            else if (key == "root")
                add("root", value);
        }
    return out;
}

// Escaped text with every cited name in it made a link; the longest name
// wins where two start at the same place.
QString linkified(const std::string& text,
                  const std::vector<std::pair<const char*, std::string>>& names) {
    QString out;
    size_t i = 0, plain = 0;
    while (i < text.size()) {
        const std::pair<const char*, std::string>* hit = nullptr;
        for (const auto& n : names)
            if (text.compare(i, n.second.size(), n.second) == 0 &&
                (!hit || n.second.size() > hit->second.size()))
                hit = &n;
        if (!hit) {
            ++i;
            continue;
        }
        out += esc(text.substr(plain, i - plain));
        out += link(hit->first, hit->second, esc(hit->second));
        i += hit->second.size();
        plain = i;
    }
    out += esc(text.substr(plain));
    return out;
}

} // namespace

FindingsPanel::FindingsPanel(QWidget* parent) : QWidget(parent) {
    auto* split = new QSplitter(Qt::Horizontal, this);
    m_list = new QListWidget(split);
    m_list->setMinimumWidth(280);
    m_detail = new QTextBrowser(split);
    m_detail->setOpenLinks(false);
    connect(m_detail, &QTextBrowser::anchorClicked, this, &FindingsPanel::linkActivated);
    split->setSizes({360, 820});
    auto* l = new QHBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(split);
    connect(m_list, &QListWidget::currentRowChanged, this, &FindingsPanel::show);
}

void FindingsPanel::setFindings(std::vector<Finding> findings) {
    m_findings = std::move(findings);
    m_list->clear();
    for (const auto& f : m_findings) {
        auto* item = new QListWidgetItem(
            QString::fromStdString("[" + std::string(toString(f.severity)) + "] " + f.title),
            m_list);
        item->setForeground(severityColour(toString(f.severity)));
        item->setToolTip(QString::fromStdString(toString(f.kind)));
    }
    if (m_findings.empty())
        m_detail->setHtml(
            tr("<p>No findings: none of the leak patterns memscope knows (connection leak or "
               "churn, finalizer backlog, memory held by a global, goroutine leak, steady heap "
               "growth) shows in this case.</p>"));
    else
        m_list->setCurrentRow(0);
}

QString FindingsPanel::detailText() const { return m_detail->toPlainText(); }

void FindingsPanel::themeChanged() {
    if (int row = m_list->currentRow(); row >= 0 && size_t(row) < m_findings.size())
        render(row);
}

void FindingsPanel::show(int row) {
    if (row < 0 || size_t(row) >= m_findings.size())
        return;
    emit evidenceSelected(render(row));
}

QStringList FindingsPanel::render(int row) {
    const Finding& f = m_findings[size_t(row)];
    const auto names = citedNames(f);
    QString h = "<h3 style=\"color:" + severityColour(toString(f.severity)).name() + "\">" +
                esc(f.title) + "</h3>";
    h += "<p><code>" + esc(toString(f.kind)) + "</code> · <b>" + esc(toString(f.severity)) +
         "</b>" + (f.target.empty() ? "" : " · " + esc(f.target)) + "</p><p>" +
         linkified(f.summary, names) + "</p>";
    if (!f.sites.empty()) {
        h += "<p><b>Sites</b></p><table cellspacing=\"0\" cellpadding=\"3\" border=\"1\">";
        for (const auto& s : f.sites)
            h += "<tr><td><code>" +
                 (s.function.empty() ? QString() : link("site", s.function, esc(s.function))) +
                 "</code></td><td>" + esc(s.file + ":" + std::to_string(s.line)) + "</td><td>" +
                 (s.bytes ? esc(formatValue(s.bytes, "bytes")) : QString()) + "</td><td>" +
                 esc(s.note) + "</td></tr>";
        h += "</table>";
    }
    if (!f.numbers.empty()) {
        h += "<p><b>Evidence</b></p><table cellspacing=\"0\" cellpadding=\"3\" border=\"1\">";
        for (const auto& [k, v] : f.numbers)
            h += "<tr><td>" + esc(k) + "</td><td align=\"right\">" +
                 (k.find("bytes") != std::string::npos
                      ? esc(formatValue(int64_t(v), "bytes"))
                      : QString::number(v, 'f', v == int64_t(v) ? 0 : 2)) +
                 "</td></tr>";
        h += "</table>";
    }
    auto list = [&](const char* kind, const QString& title, const std::vector<std::string>& items) {
        if (items.empty())
            return;
        h += "<p><b>" + title + "</b>: ";
        QStringList links;
        for (const auto& item : items)
            links << link(kind, item, "<code>" + esc(item) + "</code>");
        h += links.join(", ") + "</p>";
    };
    list("host", tr("Hosts"), f.hosts);
    list("group", tr("Goroutine groups"), f.goroutineGroups);
    QStringList keys;
    h += "<p><b>Series</b> (drawn bold on the timeline):<br>";
    for (const auto& s : f.series) {
        keys << QString::fromStdString(s.key());
        h += "<code>" + linkified(s.key(), names) + "</code><br>";
    }
    h += "</p>";
    m_detail->document()->setDefaultStyleSheet(
        "a { color: " + QApplication::palette().color(QPalette::Link).name() + "; }");
    m_detail->setHtml(h);
    return keys;
}

} // namespace memscope::ui
