// SPDX-License-Identifier: GPL-3.0-or-later
// Inputs the fuzzers found crashing (tests/data/fuzz/TARGET-HASH): each must
// now end in a value or an error, whatever the parser.
#include "analysis/heapgraph/dominators.h"
#include "analysis/heapgraph/summary.h"
#include "formats/escape/escape_notes.h"
#include "formats/fds/lsof.h"
#include "formats/gctrace/gctrace.h"
#include "formats/goroutines/goroutine_dump.h"
#include "formats/heapdump/heapdump.h"
#include "io/input.h"
#include "ss_parser.h"
#include "testutil.h"

#include <QDir>
#include <QTest>

using namespace memscope;
using namespace memscope::test;

class TestFuzzRegressions : public QObject {
    Q_OBJECT
private slots:
    void eachFindingStaysFixed_data() {
        QTest::addColumn<QString>("file");
        QDir d(dataPath("fuzz"));
        for (const auto& f : d.entryList(QDir::Files, QDir::Name))
            QTest::newRow(qPrintable(f)) << d.filePath(f);
    }
    void eachFindingStaysFixed() {
        QFETCH(QString, file);
        std::string bytes = readText(file);
        QString target = QFileInfo(file).fileName().section('-', 0, 0);
        auto s = openStream(bytes);
        if (target == "goroutines") {
            (void)parseGoroutineDump(*s);
            auto t = openStream(bytes);
            auto r = parseGoroutineProfileText(*t);
            QVERIFY(!r.ok() || r->groups.size() < 1000000);
        } else if (target == "heapdump") {
            if (auto d = readHeapDump(*s, Progress{})) {
                Dominators dom = computeDominators(d->graph);
                (void)summarizeHeapDump(*d, dom);
                if (auto blob = encodeHeapGraph(*d, dom))
                    QVERIFY(decodeHeapGraph(*blob).ok());
            }
        } else if (target == "escape") {
            auto r = parseEscapeNotes(*s);
            QVERIFY(!r.ok() || !r->empty());
        } else if (target == "gctrace") {
            (void)parseGcTrace(*s);
        } else if (target == "lsof") {
            (void)parseLsofText(*s);
            auto t = openStream(bytes);
            (void)parseLsofFields(*t);
        } else if (target == "ss") {
            (void)ss::parse(*s);
        } else {
            QFAIL(qPrintable("no parser for " + target));
        }
    }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
