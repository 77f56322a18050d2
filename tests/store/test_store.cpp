// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/series/series.h"
#include "base/sha256.h"
#include "formats/pprof/pprof_reader.h"
#include "import/capture_time.h"
#include "import/import_batch.h"
#include "store/case_store.h"
#include "store/case_validate.h"
#include "store/db.h"
#include "testutil.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <set>
#include <sys/stat.h>
#include <sys/time.h>
#include <thread>

using namespace memscope;
using namespace memscope::test;

namespace {

// A connection of its own to a case: to look under the store, or to change a
// case behind its back as another process would.
std::unique_ptr<Db> rawDb(const std::string& path) {
    auto db = std::make_unique<Db>();
    if (auto st = db->open(path, false, false); !st)
        qFatal("%s", st.error().toString().c_str());
    return db;
}
void setMtime(const QString& path, int64_t unixSeconds) {
    struct timeval tv[2] = {{time_t(unixSeconds), 0}, {time_t(unixSeconds), 0}};
    QVERIFY(utimes(path.toLocal8Bit().constData(), tv) == 0);
}
} // namespace

class TestStore : public QObject {
    Q_OBJECT
private slots:
    void init() { QVERIFY(m_dir.isValid()); }
    void createsVersionedCase();
    void reimportIsNoop();
    void roundTripMatchesFile_data();
    void roundTripMatchesFile();
    void brokenFileLeavesNothing();
    void batchGoesOnAfterFailure();
    void refusesForeignAndNewerFiles();
    void captureTimeSources();
    void heapSeriesOnePointPerSnapshot();
    void allocRateFromADeltaProfile();
    void sourceBytesAreKept();
    void sha256Vectors();
    void largeFileChecksumTakenAlongside();
    void identicalBytesAtAnotherTime();
    void migratesVersion8Sources();
    void secondImportWaitsForTheLock();
    void caseSettingsRoundTrip();

private:
    QString casePath(const char* name) { return m_dir.filePath(name); }
    QTemporaryDir m_dir;
};

void TestStore::createsVersionedCase() {
    auto s = CaseStore::open(casePath("v.memscope").toStdString());
    QVERIFY(s.ok());
    QCOMPARE(must((*s)->schemaVersion()), kSchemaVersion);
    QCOMPARE(must(rawDb((*s)->path())->scalar("PRAGMA application_id")), int64_t(kApplicationId));
    QCOMPARE(must(rawDb((*s)->path())->scalar("SELECT count(*) FROM snapshots")), int64_t(0));
}

void TestStore::caseSettingsRoundTrip() {
    QString path = casePath("settings.memscope");
    {
        auto s = must(CaseStore::open(path.toStdString()));
        QCOMPARE(must(s->caseSetting("profile.focus")), std::string()); // never saved
        QVERIFY(s->setCaseSetting("profile.focus", "^main\\.(leak|grow)$").ok());
        QVERIFY(s->setCaseSetting("profile.focus", "^main\\.leak$").ok()); // replaced
        // Over the cap: refused, the value before kept.
        Status big = s->setCaseSetting("profile.focus", std::string(kMaxAnnotationBytes + 1, 'x'));
        QVERIFY(!big);
        QCOMPARE(big.error().code, ErrorCode::Limit);
    }
    // Kept in the case: another reader, read-only, sees it.
    auto r = must(CaseStore::open(path.toStdString(), /*readOnly=*/true));
    QCOMPARE(must(r->caseSetting("profile.focus")), std::string("^main\\.leak$"));
    QCOMPARE(must(r->caseSetting("profile.hide")), std::string());
    // A read-only case cannot take one: an error, not a silent drop.
    QVERIFY(!r->setCaseSetting("profile.hide", "runtime"));
}

void TestStore::reimportIsNoop() {
    auto s = CaseStore::open(casePath("r.memscope").toStdString());
    QVERIFY(s.ok());
    auto file = dataPath("pprof/heap_go119.pb.gz").toStdString();
    auto a = (*s)->importFile(file, {}, {});
    QCOMPARE(a.status, ImportStatus::Imported);
    int64_t rows = must(rawDb((*s)->path())->scalar("SELECT count(*) FROM samples"));
    int64_t stacks = must(rawDb((*s)->path())->scalar("SELECT count(*) FROM stacks"));
    auto b = (*s)->importFile(file, {}, {});
    QCOMPARE(b.status, ImportStatus::Duplicate);
    QCOMPARE(must(rawDb((*s)->path())->scalar("SELECT count(*) FROM samples")), rows);
    QCOMPARE(must(rawDb((*s)->path())->scalar("SELECT count(*) FROM sources")), int64_t(1));
    // The same profile uncompressed is another file (other bytes) but shares
    // every interned function, frame and stack.
    auto c = (*s)->importFile(dataPath("pprof/heap_go119.pb").toStdString(), {}, {});
    QCOMPARE(c.status, ImportStatus::Imported);
    QCOMPARE(must(rawDb((*s)->path())->scalar("SELECT count(*) FROM stacks")), stacks);
    QCOMPARE(must(rawDb((*s)->path())->scalar("SELECT count(*) FROM samples")), rows * 2);
}

void TestStore::roundTripMatchesFile_data() {
    QTest::addColumn<QString>("file");
    for (const char* f : {"heap_go119.pb.gz", "allocs_go119.pb.gz", "goroutine_go119.pb.gz",
                          "heap-012-20261126T165941Z.pb.gz", "goroutine-final.pb.gz"})
        QTest::newRow(f) << QString(f);
}

void TestStore::roundTripMatchesFile() {
    QFETCH(QString, file);
    auto s = CaseStore::open(casePath("rt.memscope").toStdString());
    QVERIFY(s.ok());
    auto path = pprofPath(file).toStdString();
    auto o = (*s)->importFile(path, {}, {});
    QVERIFY(o.status == ImportStatus::Imported || o.status == ImportStatus::Duplicate);
    SnapshotId id;
    for (const auto& sn : must((*s)->snapshots()))
        if (sn.sourceName == file.toStdString() &&
            sn.kind != SnapshotKind::Goroutines) // a goroutine profile has both
            id = sn.id;
    QVERIFY(id.value > 0);
    auto original = readPprofFile(path);
    // Both ways back: the kept bytes decoded again, and the interned rows.
    for (bool fromRows : {false, true}) {
        auto loaded = fromRows ? (*s)->loadProfileFromRows(id) : (*s)->loadProfile(id);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
        QCOMPARE(loaded->samples.size(), original->samples.size());
        QCOMPARE(loaded->period, original->period);
        QCOMPARE(loaded->defaultSampleType, original->defaultSampleType);
        QCOMPARE(loaded->timeNanos, must((*s)->snapshot(id))->timeNs);
        for (size_t i = 0; i < original->sampleTypes.size(); ++i)
            QCOMPARE(renderTop(computeTop(*loaded, int(i))),
                     renderTop(computeTop(*original, int(i))));
        for (size_t i = 0; i < original->samples.size(); ++i) {
            QVERIFY(loaded->samples[i].values == original->samples[i].values);
            QCOMPARE(loaded->samples[i].labels.size(), original->samples[i].labels.size());
        }
    }
}

void TestStore::brokenFileLeavesNothing() {
    auto s = CaseStore::open(casePath("b.memscope").toStdString());
    QVERIFY(s.ok());
    std::string good = readText(dataPath("pprof/heap_go119.pb"));
    QString broken = m_dir.filePath("broken.pb");
    // A valid beginning, then a sample pointing at a location that does not exist.
    writeBytes(broken, good + std::string("\x12\x0a\x0a\x02\xe7\x07\x12\x04\x01\x02\x03\x04", 12));
    auto o = (*s)->importFile(broken.toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Failed);
    QVERIFY(o.error.has_value());
    QCOMPARE(o.error->file, broken.toStdString());
    QCOMPARE(o.error->offset.value_or(0), uint64_t(good.size()));
    for (const char* table : {"sources", "snapshots", "samples", "stacks", "frames", "functions",
                              "strings", "source_chunks", "targets"})
        QCOMPARE(must(rawDb((*s)->path())
                          ->scalar((std::string("SELECT count(*) FROM ") + table).c_str())),
                 int64_t(0));
    Db raw;
    QVERIFY(raw.open((*s)->path(), false, false).ok());
    Stmt check(raw, "PRAGMA integrity_check");
    QVERIFY(check.step() == Step::Row);
    QCOMPARE(check.text(0), std::string("ok"));
}

void TestStore::batchGoesOnAfterFailure() {
    auto s = CaseStore::open(casePath("batch.memscope").toStdString());
    QVERIFY(s.ok());
    QString cut = m_dir.filePath("cut.pb.gz");
    std::string gz = readText(dataPath("pprof/heap_go119.pb.gz"));
    writeBytes(cut, gz.substr(0, gz.size() / 2));
    std::vector<std::string> files = {dataPath("pprof/heap_go119.pb.gz").toStdString(),
                                      cut.toStdString(), dataPath("broken/notes.txt").toStdString(),
                                      dataPath("pprof/heap2_go119.pb.gz").toStdString()};
    uint64_t lastDone = 0, lastTotal = 0;
    Progress p;
    p.report = [&](uint64_t d, uint64_t t, const std::string&) {
        QVERIFY(d >= lastDone);
        lastDone = d;
        lastTotal = t;
    };
    auto sum = importBatch(**s, files, {}, p);
    QCOMPARE(sum.imported, 2);
    QCOMPARE(sum.failed, 1);
    QCOMPARE(sum.skipped, 1);
    QCOMPARE(lastDone, lastTotal);
    const auto& failed = sum.outcomes[1];
    QCOMPARE(failed.error->code, ErrorCode::Truncated);
    QVERIFY(failed.error->offset.has_value());
    QCOMPARE(must((*s)->snapshots(SnapshotKind::Heap)).size(), size_t(2));

    // A stop request before the batch starts imports nothing.
    std::stop_source stop;
    stop.request_stop();
    Progress cancelled;
    cancelled.stop = stop.get_token();
    auto none =
        importBatch(**s, {dataPath("pprof/allocs_go119.pb.gz").toStdString()}, {}, cancelled);
    QVERIFY(none.cancelled);
    QCOMPARE(none.imported, 0);
}

void TestStore::refusesForeignAndNewerFiles() {
    QString foreign = casePath("foreign.db");
    {
        Db db;
        QVERIFY(db.open(foreign.toStdString(), false, true).ok());
        QVERIFY(db.exec("CREATE TABLE t(x)").ok());
    }
    auto f = CaseStore::open(foreign.toStdString());
    QVERIFY(!f.ok());
    QVERIFY(QString::fromStdString(f.error().message).contains("not a memscope case"));

    QString newer = casePath("newer.memscope");
    {
        auto s = CaseStore::open(newer.toStdString());
        QVERIFY(s.ok());
        QVERIFY(rawDb((*s)->path())->exec("PRAGMA user_version=99").ok());
    }
    auto n = CaseStore::open(newer.toStdString());
    QVERIFY(!n.ok());
    QVERIFY(QString::fromStdString(n.error().message).contains("newer"));

    QString text = casePath("text.memscope");
    writeBytes(text, "this is not a database at all, just some text\n");
    auto t = CaseStore::open(text.toStdString());
    QVERIFY(!t.ok());
    QCOMPARE(t.error().file, text.toStdString());
}

void TestStore::captureTimeSources() {
    auto s = CaseStore::open(casePath("t.memscope").toStdString());
    QVERIFY(s.ok());
    auto o = (*s)->importFile(demoPath("heap-001-20261126T165901Z.pb.gz").toStdString(), {}, {});
    QCOMPARE(o.timeSource, std::string("data"));
    auto sn = must((*s)->snapshot(o.snapshotIds.at(0)));
    QVERIFY(sn.has_value());
    // time_nanos of the file: 2026-11-26 16:59:01.33 UTC (pprof -raw shows it).
    QCOMPARE(sn->timeNs / 1000000000, int64_t(1795712341));
    QCOMPARE(std::string(toString(sn->kind)), std::string("heap"));
    QCOMPARE(must((*s)->targets()).at(0).name, std::string("leakyapp"));
}

void TestStore::allocRateFromADeltaProfile() {
    auto s = CaseStore::open(casePath("rate.memscope").toStdString());
    QVERIFY(s.ok());
    const std::string file = dataPath("pprof/allocs-delta-go126.pb.gz").toStdString();
    (void)importBatch(**s, {file}, {}, {});
    auto deltas = must((*s)->snapshots(SnapshotKind::AllocsDelta));
    QCOMPARE(deltas.size(), size_t(1));
    QCOMPARE(must((*s)->snapshots(SnapshotKind::Heap)).size(), size_t(0)); // never a heap size
    auto series = must(allocRateSeries(**s));
    const Series* bytes = nullptr;
    for (const auto& x : series)
        if (x.key() == "allocated_per_second_bytes")
            bytes = &x;
    QVERIFY(bytes);
    QCOMPARE(bytes->points.size(), size_t(1));
    // `go tool pprof -raw` sums its alloc_space column to 7882252 bytes.
    const double seconds = double(deltas[0].durationNs) / 1e9;
    QCOMPARE(bytes->points[0].value, 7882252.0 / seconds);
    QVERIFY(std::any_of(series.begin(), series.end(),
                        [](const Series& x) { return x.labels.count("site") > 0; }));
}

void TestStore::heapSeriesOnePointPerSnapshot() {
    auto s = CaseStore::open(casePath("series.memscope").toStdString());
    QVERIFY(s.ok());
    std::vector<std::string> files, missing;
    listFiles({dataPath("pprof").toStdString()}, files, missing);
    // One program's profiles: series without a target label.
    files.erase(std::remove_if(files.begin(), files.end(),
                               [](const std::string& f) {
                                   return f.find("leakyapp") == std::string::npos &&
                                          f.find("/heap-0") == std::string::npos;
                               }),
                files.end());
    QCOMPARE(files.size(), size_t(3));
    (void)importBatch(**s, files, {}, {});
    auto heaps = must((*s)->snapshots(SnapshotKind::Heap));
    auto series = must(heapSeries(**s));
    const Series* total = nullptr;
    int sites = 0;
    for (const auto& x : series) {
        if (x.key() == "heap_inuse_bytes")
            total = &x;
        sites += x.labels.count("site") ? 1 : 0;
    }
    QVERIFY(total);
    QCOMPARE(total->points.size(), heaps.size());
    QCOMPARE(sites, 5);
    // Each point is the inuse_space total of its snapshot.
    for (const auto& p : total->points) {
        auto prof = (*s)->loadProfile(p.snapshotId);
        QVERIFY(prof.ok());
        QCOMPARE(int64_t(p.value), computeTop(*prof, prof->sampleIndex("inuse_space")).total);
    }
}

void TestStore::sourceBytesAreKept() {
    auto s = CaseStore::open(casePath("bytes.memscope").toStdString());
    QVERIFY(s.ok());
    auto o = (*s)->importFile(dataPath("pprof/heap_go119.pb.gz").toStdString(), {}, {});
    auto sn = must((*s)->snapshot(o.snapshotIds.at(0)));
    auto bytes = (*s)->sourceBytes(sn->sourceId);
    QVERIFY(bytes.ok());
    QCOMPARE(*bytes, readText(dataPath("pprof/heap_go119.pb")));
}

void TestStore::largeFileChecksumTakenAlongside() {
    // A dump past 8 MiB of a size no source has is imported without its
    // checksum: nothing in the case can be its duplicate. The checksum is taken
    // from its kept bytes when a file of its size arrives.
    std::string one = readText(dataPath("goroutines/goroutine-004-20261126T165909Z.txt"));
    std::string big;
    while (big.size() < (9u << 20))
        big += one + "\n";
    QString a = casePath("big-a.txt"), b = casePath("big-b.txt");
    for (const QString& f : {a, b}) {
        QFile out(f);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(big.data(), qint64(big.size())), qint64(big.size()));
        out.close();
        setMtime(f, 1795000000); // both timed by their mtime: the same instant
    }
    auto s = CaseStore::open(casePath("big.memscope").toStdString());
    QVERIFY(s.ok());
    auto first = (*s)->importFile(a.toStdString(), {}, {});
    QCOMPARE(first.status, ImportStatus::Imported);
    auto sources = must((*s)->sources());
    QCOMPARE(sources.size(), size_t(1));
    QVERIFY2(sources[0].sha256.starts_with("unhashed:"), sources[0].sha256.c_str());
    // The same bytes under another name, at the same time, are the same capture.
    auto second = (*s)->importFile(b.toStdString(), {}, {});
    QCOMPARE(second.status, ImportStatus::Duplicate);
    sources = must((*s)->sources());
    QCOMPARE(sources.size(), size_t(1));
    QCOMPARE(sources[0].sha256, Sha256::hex(big));
    auto bytes = (*s)->sourceBytes(sources[0].id);
    QVERIFY(bytes.ok() && *bytes == big);
    // As large, one byte different: its own capture, and its own bytes.
    std::string other = big;
    other[other.size() / 2] = other[other.size() / 2] == 'x' ? 'y' : 'x';
    QString c = casePath("big-c.txt");
    {
        QFile out(c);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(other.data(), qint64(other.size())), qint64(other.size()));
    }
    setMtime(c, 1795000000);
    QCOMPARE((*s)->importFile(c.toStdString(), {}, {}).status, ImportStatus::Imported);
    sources = must((*s)->sources());
    QCOMPARE(sources.size(), size_t(2));
    QCOMPARE(sources[1].sha256, Sha256::hex(other));
    bytes = (*s)->sourceBytes(sources[1].id);
    QVERIFY(bytes.ok() && *bytes == other);
}

void TestStore::sha256Vectors() {
    // FIPS 180-4 examples, then the hardware path against the portable one.
    QCOMPARE(Sha256::hex("abc"),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(Sha256::hex(""),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(Sha256::hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    std::string data;
    for (int i = 0; i < 5000; ++i)
        data += char(i * 7 + (i >> 5));
    for (size_t n = 0; n < data.size(); n += 37) {
        Sha256 fast(true), portable(false);
        // Feed in uneven pieces to cross block boundaries.
        for (size_t off = 0; off < n; off += 61) {
            fast.update(std::string_view(data).substr(off, std::min<size_t>(61, n - off)));
            portable.update(std::string_view(data).substr(off, std::min<size_t>(61, n - off)));
        }
        QVERIFY(fast.finish() == portable.finish());
    }
}

void TestStore::identicalBytesAtAnotherTime() {
    auto s = CaseStore::open(casePath("same-bytes.memscope").toStdString());
    QVERIFY(s.ok());
    const std::string lsof = readText(dataPath("lsof/lsof-004-20261126T165909Z.txt"));
    // A quiet service's lsof output, saved at three times: named by time, and
    // unnamed with two mtimes. Each is a time point of its own.
    QString named1 = m_dir.filePath("lsof-20261126T170000Z.txt");
    QString named2 = m_dir.filePath("lsof-20261126T170100Z.txt");
    QString plain1 = m_dir.filePath("a/lsof.txt"), plain2 = m_dir.filePath("b/lsof.txt");
    QVERIFY(QDir(m_dir.path()).mkpath("a") && QDir(m_dir.path()).mkpath("b"));
    for (const auto& f : {named1, named2, plain1, plain2})
        writeBytes(f, lsof);
    setMtime(plain1, 1795000000);
    setMtime(plain2, 1795000600);
    std::vector<SnapshotId> ids;
    for (const auto& f : {named1, named2, plain1, plain2}) {
        auto o = (*s)->importFile(f.toStdString(), {}, {});
        QVERIFY2(o.status == ImportStatus::Imported, qPrintable(f));
        QCOMPARE(o.snapshotIds.size(), size_t(1));
        ids.push_back(o.snapshotIds[0]);
    }
    auto fds = must((*s)->snapshots(SnapshotKind::Fds));
    QCOMPARE(fds.size(), size_t(4));
    std::set<int64_t> times;
    for (const auto& sn : fds)
        times.insert(sn.timeNs);
    QCOMPARE(times.size(), size_t(4));
    QVERIFY(times.count(*timeFromFileName("20261126T170100Z")));
    QVERIFY(times.count(int64_t(1795000600) * 1000000000));
    // Every time point is on the series.
    const Series* total = nullptr;
    auto series = must(fdSeries(**s));
    for (const auto& x : series)
        if (x.key() == "fds")
            total = &x;
    QVERIFY(total);
    QCOMPARE(total->points.size(), size_t(4));

    // The same file again, by any of its names, is a no-op...
    for (const auto& f : {named1, plain2})
        QCOMPARE((*s)->importFile(f.toStdString(), {}, {}).status, ImportStatus::Duplicate);
    // ... and a copy whose time still comes out the same is too.
    QString copy = m_dir.filePath("c/lsof-20261126T170100Z.txt");
    QVERIFY(QDir(m_dir.path()).mkpath("c"));
    writeBytes(copy, lsof);
    QCOMPARE((*s)->importFile(copy.toStdString(), {}, {}).status, ImportStatus::Duplicate);
    // The same bytes for another program are that program's capture.
    ImportOptions other;
    other.targetName = "other";
    QCOMPARE((*s)->importFile(named1.toStdString(), other, {}).status, ImportStatus::Imported);
    QCOMPARE((*s)->importFile(named1.toStdString(), other, {}).status, ImportStatus::Duplicate);

    // The bytes are kept once, and every source reads them back.
    QCOMPARE(
        must(rawDb((*s)->path())->scalar("SELECT count(DISTINCT source_id) FROM source_chunks")),
        int64_t(1));
    for (const auto& src : must((*s)->sources())) {
        auto bytes = (*s)->sourceBytes(src.id);
        QVERIFY(bytes.ok());
        QVERIFY(*bytes == lsof);
    }

    // A profile carries its own time: the same bytes under another name and
    // mtime are the same capture.
    auto pb = readText(dataPath("pprof/heap_go119.pb.gz"));
    QString p1 = m_dir.filePath("heap-a.pb.gz"), p2 = m_dir.filePath("heap-b.pb.gz");
    writeBytes(p1, pb);
    writeBytes(p2, pb);
    setMtime(p2, 1795000000);
    QCOMPARE((*s)->importFile(p1.toStdString(), {}, {}).status, ImportStatus::Imported);
    QCOMPARE((*s)->importFile(p2.toStdString(), {}, {}).status, ImportStatus::Duplicate);
}

void TestStore::migratesVersion8Sources() {
    // A version-8 case: sources.sha256 was UNIQUE. Migrating keeps every row
    // and lets identical bytes at another time in.
    QString path = casePath("v8.memscope");
    QString named1 = m_dir.filePath("lsof-20261126T170000Z.txt");
    writeBytes(named1, readText(dataPath("lsof/lsof-004-20261126T165909Z.txt")));
    {
        auto s = CaseStore::open(path.toStdString());
        QVERIFY(s.ok());
        QCOMPARE((*s)->importFile(named1.toStdString(), {}, {}).status, ImportStatus::Imported);
        auto raw = rawDb((*s)->path());
        Db& db = *raw;
        QVERIFY(db.exec("PRAGMA foreign_keys=OFF; DROP INDEX sources_by_sha256;"
                        "ALTER TABLE goroutine_groups DROP COLUMN leaked;"
                        "ALTER TABLE goroutine_groups DROP COLUMN labels;"
                        "ALTER TABLE goroutine_groups DROP COLUMN elided_frames;"
                        "ALTER TABLE goroutine_groups DROP COLUMN elided_at;"
                        "CREATE TABLE metric_points_v9(snapshot_id INTEGER NOT NULL REFERENCES "
                        "snapshots(id) ON DELETE CASCADE, name TEXT NOT NULL, value REAL NOT NULL,"
                        " PRIMARY KEY(snapshot_id, name)) WITHOUT ROWID;"
                        "INSERT INTO metric_points_v9 SELECT * FROM metric_points;"
                        "DROP TABLE metric_points; ALTER TABLE metric_points_v9 RENAME TO "
                        "metric_points; CREATE INDEX metric_points_by_name ON metric_points(name);"
                        "CREATE TABLE sources_v8(id INTEGER PRIMARY KEY, name TEXT NOT NULL, path "
                        "TEXT NOT NULL,"
                        " size INTEGER NOT NULL, sha256 TEXT NOT NULL UNIQUE, format TEXT NOT NULL,"
                        " compression TEXT NOT NULL, mtime_ns INTEGER NOT NULL, imported_at_ns "
                        "INTEGER NOT NULL,"
                        " decoded_size INTEGER NOT NULL);"
                        "INSERT INTO sources_v8 SELECT * FROM sources; DROP TABLE sources;"
                        "ALTER TABLE sources_v8 RENAME TO sources; PRAGMA user_version=8;")
                    .ok());
    }
    auto s = CaseStore::open(path.toStdString());
    QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
    QCOMPARE(must((*s)->schemaVersion()), kSchemaVersion);
    QCOMPARE(must((*s)->sources()).size(), size_t(1));
    QCOMPARE(must((*s)->snapshots(SnapshotKind::Fds)).size(), size_t(1));
    QString named2 = m_dir.filePath("lsof-20261126T170100Z.txt");
    writeBytes(named2, readText(named1));
    QCOMPARE((*s)->importFile(named2.toStdString(), {}, {}).status, ImportStatus::Imported);
    QCOMPARE(must((*s)->snapshots(SnapshotKind::Fds)).size(), size_t(2));
    auto bytes = (*s)->sourceBytes(must((*s)->sources()).back().id);
    QVERIFY(bytes.ok() && *bytes == readText(named1));
}

void TestStore::secondImportWaitsForTheLock() {
    // Another process's import holds the write lock past SQLite's busy wait:
    // the batch waits for it, file by file, and says so; nothing is given up.
    QString path = casePath("locked.memscope");
    { QVERIFY(CaseStore::open(path.toStdString()).ok()); }
    auto holder = CaseStore::open(path.toStdString());
    auto importer = CaseStore::open(path.toStdString());
    QVERIFY(holder.ok() && importer.ok());
    std::atomic<bool> waiting{false}, locked{false};
    std::thread lock([&] {
        auto raw = rawDb((*holder)->path());
        Transaction tx(*raw);
        QVERIFY(tx.begun().ok());
        (void)raw->exec("INSERT INTO meta VALUES('held', '1')");
        locked = true;
        // Past the 10 s busy timeout, then until the importer says it waits.
        for (int i = 0; i < 300 && !waiting; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        QVERIFY(tx.commit().ok());
    });
    std::vector<std::string> files = {dataPath("lsof/lsof-004-20261126T165909Z.txt").toStdString(),
                                      dataPath("pprof/heap_go119.pb.gz").toStdString()};
    Progress progress;
    progress.report = [&](uint64_t, uint64_t, const std::string& what) {
        if (what.find(kWaitingForCase) != std::string::npos)
            waiting = true;
    };
    while (!locked)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto sum = importBatch(**importer, files, {}, progress);
    lock.join();
    QVERIFY(waiting);
    QCOMPARE(sum.imported, 2);
    QCOMPARE(sum.failed, 0);
    QCOMPARE(sum.stoppedEarly, 0);
    QCOMPARE(
        must(rawDb((*importer)->path())->scalar("SELECT count(*) FROM meta WHERE key = 'held'")),
        int64_t(1));
}

QTEST_GUILESS_MAIN(TestStore)
#include "test_store.moc"
