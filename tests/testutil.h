// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/profile/top.h"
#include "base/result.h"
#include "io/input.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QtGlobal>
#include <fstream>
#include <sstream>
#include <string>

namespace memscope::test {

// The value of a read the test expects to succeed; a read that fails stops
// the test with the store's error, never a default that could pass.
template <typename T>
T must(Result<T> r) {
    if (!r)
        qFatal("unexpected error: %s", r.error().toString().c_str());
    return std::move(r).value();
}

inline QString dataPath(const QString& rel) { return QStringLiteral(MEMSCOPE_TEST_DATA "/") + rel; }

// A capture of the demo case (resources/demo), which the tests read in place
// rather than keep a copy of.
inline QString demoPath(const QString& name) {
    return QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo/") + name;
}

// A profile.proto the golden tests name by file: tests/data/pprof/, else the
// demo case.
inline QString pprofPath(const QString& name) {
    const QString own = dataPath("pprof/" + name);
    return QFileInfo::exists(own) ? own : demoPath(name);
}

inline std::string readText(const QString& path) {
    std::ifstream f(path.toStdString(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

inline void writeBytes(const QString& path, const std::string& bytes) {
    std::ofstream f(path.toStdString(), std::ios::binary | std::ios::trunc);
    f << bytes;
}

// The golden format written by scripts/make-goldens.sh from `go tool pprof -top`.
inline std::string renderTop(const TopResult& r) {
    std::string out = "total " + std::to_string(r.total) + "\n";
    for (const auto& row : r.rows)
        out += std::to_string(row.flat) + " " + std::to_string(row.cum) + " " +
               (row.inlineLabel.empty() ? "-" : row.inlineLabel) + " " + row.function + "\n";
    return out;
}

// Golden rows are in pprof's order; ties order by name in both, so compare as text.
inline std::string normalizeGolden(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s + "\n";
}

// A parser's result with the text it read: streams read from the text, so it
// must live as long as the result.
template <typename T>
struct Parsed {
    std::string text;
    Result<T> value = makeError(ErrorCode::Usage, "not parsed");
};

template <typename T, typename Parser>
Parsed<T> parseWith(std::string text, Parser parser) {
    Parsed<T> p;
    p.text = std::move(text);
    auto stream = openStream(p.text);
    p.value = parser(*stream);
    return p;
}

#ifdef MEMSCOPE_BIN
// The built memscope executable, run to its end (killed past the timeout).
struct CliRun {
    int code = -1;
    QString out, err;
    QByteArray rawOut; // stdout as bytes, for sizes and binary-safe checks
    bool finished = false;
};

inline CliRun runMemscope(const QStringList& args, int timeoutMs = 120000) {
    QProcess p;
    p.start(QStringLiteral(MEMSCOPE_BIN), args);
    CliRun r;
    r.finished = p.waitForFinished(timeoutMs);
    if (!r.finished) {
        p.kill();
        p.waitForFinished();
    }
    r.code = p.exitCode();
    r.rawOut = p.readAllStandardOutput();
    r.out = QString::fromUtf8(r.rawOut);
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}
#endif

} // namespace memscope::test
