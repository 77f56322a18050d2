// SPDX-License-Identifier: GPL-3.0-or-later
// Snapshot diffs: heap sites against `go tool pprof -diff_base`, goroutine
// groups and sockets per host on the leaking service's captures.
#include "analysis/diff/diff.h"
#include "formats/pprof/pprof_reader.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QTest>
#include <map>

using namespace memscope;
using namespace memscope::test;

class TestDiff : public QObject {
    Q_OBJECT
private slots:
    void heapDiffMatchesPprofDiffBase_data() {
        QTest::addColumn<QString>("sample");
        QTest::newRow("inuse_space") << "inuse_space";
        QTest::newRow("alloc_objects") << "alloc_objects";
    }
    void heapDiffMatchesPprofDiffBase() {
        QFETCH(QString, sample);
        auto a = readProfileFile(demoPath("heap-001-20261126T165901Z.pb.gz").toStdString());
        auto b = readProfileFile(demoPath("heap-012-20261126T165941Z.pb.gz").toStdString());
        QVERIFY(a.ok() && b.ok());
        auto diffs = diffProfiles(*a, *b, sample.toStdString());
        QCOMPARE(diffs.size(), size_t(1));
        std::map<std::string, std::pair<int64_t, int64_t>> ours;
        for (const auto& r : diffs[0].rows)
            ours[r.function] = {r.delta(), r.nowCum - r.baseCum};
        // Every function pprof lists, with its flat and cum of the difference.
        std::string golden = readText(dataPath("golden/diff-001-012." + sample + ".diff"));
        QVERIFY(!golden.empty());
        size_t rows = 0;
        std::istringstream in(golden);
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream f(line);
            int64_t flat = 0, cum = 0;
            std::string name;
            f >> flat >> cum;
            std::getline(f, name);
            name = name.substr(1);
            QVERIFY2(ours.count(name), name.c_str());
            QCOMPARE(ours[name].first, flat);
            QCOMPARE(ours[name].second, cum);
            ++rows;
        }
        // And nothing pprof leaves out changed.
        size_t changed = 0;
        for (const auto& [name, v] : ours)
            changed += v.first != 0 || v.second != 0;
        QCOMPARE(changed, rows);
        // Largest change first.
        QCOMPARE(diffs[0].rows[0].function,
                 sample == "inuse_space" ? std::string("io.ReadAll") : diffs[0].rows[0].function);
        QVERIFY(std::llabs(diffs[0].rows[0].delta()) >= std::llabs(diffs[0].rows[1].delta()));
    }

    void goroutinesAndSocketsBetweenTwoCaptures() {
        QTemporaryDir dir;
        auto store = CaseStore::open(dir.filePath("c.memscope").toStdString());
        QVERIFY(store.ok());
        auto imp = [&](const char* name) {
            auto out = (*store)->importFile(
                MEMSCOPE_SOURCE_DIR "/resources/demo/" + std::string(name), {}, {});
            return out.snapshotIds.empty() ? SnapshotId() : out.snapshotIds[0];
        };
        SnapshotId g1 = imp("goroutine-001-20261126T165901Z.txt.zst");
        SnapshotId g12 = imp("goroutine-012-20261126T165941Z.txt.zst");
        SnapshotId l1 = imp("lsof-001-20261126T165901Z.lsofF.zst");
        SnapshotId l12 = imp("lsof-012-20261126T165941Z.lsofF.zst");
        QVERIFY(g1 && g12 && l1 && l12);
        auto groups = must(diffGoroutines(**store, g1, g12));
        QVERIFY(!groups.empty());
        // The two persistConn loops grew the most, by the same count.
        QCOMPARE(groups[0].status, std::string("grown"));
        QVERIFY(groups[0].entry.rfind("net/http.(*persistConn).", 0) == 0);
        QCOMPARE(groups[0].now - groups[0].base, groups[1].now - groups[1].base);
        QCOMPARE(groups[0].base, int64_t(143));
        QCOMPARE(groups[0].now, int64_t(1752));
        auto sockets = must(diffSockets(**store, l1, l12));
        std::map<std::string, SocketDiffRow> byHost;
        for (const auto& r : sockets)
            if (r.state.empty())
                byHost[r.host] = r;
        QCOMPARE(byHost.size(), size_t(3));
        const auto& h = byHost["127.0.0.2"];
        QCOMPARE(h.base, int64_t(43));
        QCOMPARE(h.now, int64_t(579));
        QCOMPARE(h.closed, int64_t(0)); // none ever closed: a leak, not churn
        QCOMPARE(h.opened, h.now - h.base);
        // Same snapshot on both sides: nothing changed.
        for (const auto& r : must(diffGoroutines(**store, g12, g12)))
            QCOMPARE(r.status, std::string("same"));
    }
};

QTEST_GUILESS_MAIN(TestDiff)
#include "test_diff.moc"
