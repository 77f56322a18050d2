// SPDX-License-Identifier: GPL-3.0-or-later
// What the case holds: targets, sources, snapshots, annotations, escape
// notes, metric points and the kept bytes of an imported file.
#include "store/case_store.h"

#include "io/chunk_compressor.h"
#include "store/case_validate.h"
#include "store/db.h"
#include "store/store_internal.h"

namespace memscope {

using store_internal::kChunk;
using store_internal::nowNs;

Result<std::vector<TargetInfo>> CaseStore::targets() {
    std::vector<TargetInfo> out;
    Stmt s(*m_db, "SELECT id, name, host, pid, go_version FROM targets ORDER BY id");
    while (s.step() == Step::Row)
        out.push_back({s.id<TargetId>(0), s.text(1), s.text(2), s.text(4), s.i64(3)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<SourceInfo>> CaseStore::sources() {
    std::vector<SourceInfo> out;
    Stmt s(*m_db, "SELECT id, name, path, sha256, format, compression, size, imported_at_ns "
                  "FROM sources ORDER BY id");
    while (s.step() == Step::Row)
        out.push_back({s.id<SourceId>(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5),
                       s.i64(6), s.i64(7)});
    if (!s.status())
        return s.status().error();
    return out;
}

namespace {

// A snapshot from the columns sn.id, sn.source_id, sn.target_id, sn.kind,
// sn.time_ns, sn.time_source, sn.duration_ns, so.name, so.format.
Result<SnapshotInfo> snapshotRow(const Stmt& s, const std::string& casePath) {
    const std::string kindText = s.text(3);
    auto kind = parseSnapshotKind(kindText);
    if (!kind) // checked when the case opened; a writer since may have added it
        return Error{ErrorCode::Format,
                     "damaged case: table snapshots, row id " + std::to_string(s.i64(0)) +
                         ": kind '" + truncateUtf8(kindText, 64) + "' is not one memscope knows",
                     casePath,
                     {},
                     {}};
    return SnapshotInfo{
        s.id<SnapshotId>(0), s.id<SourceId>(1), s.id<TargetId>(2), *kind,    s.i64(4),
        s.text(5),           s.i64(6),          s.text(7),         s.text(8)};
}

} // namespace

Result<std::vector<SnapshotInfo>> CaseStore::snapshots(std::optional<SnapshotKind> kind) {
    std::vector<SnapshotInfo> out;
    Stmt s(*m_db, "SELECT sn.id, sn.source_id, sn.target_id, sn.kind, sn.time_ns, sn.time_source,"
                  " sn.duration_ns, so.name, so.format FROM snapshots sn"
                  " JOIN sources so ON so.id = sn.source_id"
                  " WHERE ?1 = '' OR sn.kind = ?1 ORDER BY sn.time_ns, sn.id");
    s.bind(1, kind ? toString(*kind) : "");
    Step step;
    while ((step = s.step()) == Step::Row) {
        auto row = snapshotRow(s, m_path);
        if (!row)
            return row.error();
        out.push_back(std::move(*row));
    }
    if (step == Step::Failed)
        return s.status().error();
    if (!kind || *kind == SnapshotKind::Goroutines)
        if (auto st = dropGoroutineTwins(out); !st)
            return st.error();
    return out;
}

Result<std::optional<SnapshotInfo>> CaseStore::snapshot(SnapshotId id) {
    Stmt s(*m_db, "SELECT sn.id, sn.source_id, sn.target_id, sn.kind, sn.time_ns, sn.time_source,"
                  " sn.duration_ns, so.name, so.format FROM snapshots sn"
                  " JOIN sources so ON so.id = sn.source_id WHERE sn.id = ?");
    s.bind(1, id);
    auto row = s.next();
    if (!row)
        return row.error();
    if (!*row)
        return std::optional<SnapshotInfo>();
    auto info = snapshotRow(s, m_path);
    if (!info)
        return info.error();
    return std::optional<SnapshotInfo>(std::move(*info));
}

Result<AnnotationId> CaseStore::addAnnotation(const Annotation& a) {
    if (a.text.empty())
        return makeError(ErrorCode::Usage, "an annotation needs text");
    if (a.text.size() > kMaxAnnotationBytes)
        return makeError(ErrorCode::Limit, "an annotation holds at most " +
                                               std::to_string(kMaxAnnotationBytes >> 10) +
                                               " KiB of text; this one has " +
                                               std::to_string(a.text.size()) + " bytes");
    if (a.series.size() > kMaxNameBytes || a.severity.size() > kMaxNameBytes)
        return makeError(ErrorCode::Limit, "an annotation's series and severity hold at most " +
                                               std::to_string(kMaxNameBytes) + " bytes");
    if (m_db->readOnly())
        return Error{
            ErrorCode::Usage, "the case is open read-only: notes cannot be saved", m_path, {}, {}};
    Stmt s(*m_db,
           "INSERT INTO annotations(target_id, start_ns, ref, text, created_ns, end_ns, severity)"
           " VALUES(?,?,?,?,?,?,?)");
    if (a.targetId)
        s.bind(1, a.targetId);
    else
        s.bindNull(1);
    s.bind(2, a.timeNs).bind(3, a.series).bind(4, a.text).bind(5, nowNs());
    if (a.endNs)
        s.bind(6, a.endNs);
    else
        s.bindNull(6);
    s.bind(7, a.severity.empty() ? std::string("info") : a.severity);
    if (auto st = s.exec(); !st)
        return st.error();
    return AnnotationId(m_db->lastInsertId());
}

Status CaseStore::removeAnnotation(AnnotationId id) {
    Stmt s(*m_db, "DELETE FROM annotations WHERE id = ?");
    return s.bind(1, id).exec();
}

Result<std::vector<Annotation>> CaseStore::annotations() {
    std::vector<Annotation> out;
    // Text over the cap (from a case written before it, or crafted) is cut:
    // SQLite hands over a bounded prefix, never the whole value.
    Stmt s(*m_db,
           "SELECT id, COALESCE(target_id, 0), start_ns, substr(ref, 1, ?1), substr(text, 1, ?2),"
           " COALESCE(end_ns, 0), substr(severity, 1, ?1) FROM annotations ORDER BY start_ns, id");
    s.bind(1, int64_t(kMaxNameBytes)).bind(2, int64_t(kMaxAnnotationBytes));
    while (s.step() == Step::Row)
        out.push_back({s.id<AnnotationId>(0), s.id<TargetId>(1), s.i64(2),
                       truncateUtf8(s.text(3), kMaxNameBytes),
                       truncateUtf8(s.text(4), kMaxAnnotationBytes), s.i64(5),
                       truncateUtf8(s.text(6), kMaxNameBytes)});
    if (!s.status())
        return s.status().error();
    return out;
}

// In the meta table, under a prefix of their own: they are not the case's facts.
Result<std::string> CaseStore::caseSetting(const std::string& name) {
    Stmt s(*m_db, "SELECT substr(value, 1, ?2) FROM meta WHERE key = ?1");
    s.bind(1, "setting." + name).bind(2, int64_t(kMaxAnnotationBytes));
    std::string value;
    if (s.step() == Step::Row)
        value = truncateUtf8(s.text(0), kMaxAnnotationBytes);
    if (!s.status())
        return s.status().error();
    return value;
}

Status CaseStore::setCaseSetting(const std::string& name, const std::string& value) {
    if (value.size() > kMaxAnnotationBytes)
        return makeError(ErrorCode::Limit, "setting " + name + " is over " +
                                               std::to_string(kMaxAnnotationBytes) + " bytes");
    Stmt s(*m_db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
    return s.bind(1, "setting." + name).bind(2, value).exec();
}

namespace {

// Either path may carry more leading folders than the other.
bool sameSourceFile(const std::string& f, const std::string& file) {
    return f == file ||
           (f.size() > file.size() && f.compare(f.size() - file.size(), file.size(), file) == 0 &&
            f[f.size() - file.size() - 1] == '/') ||
           (file.size() > f.size() && file.compare(file.size() - f.size(), f.size(), f) == 0 &&
            file[file.size() - f.size() - 1] == '/');
}

} // namespace

Result<std::vector<EscapeNote>> CaseStore::escapeNotes(const std::string& file, int64_t line) {
    std::vector<EscapeNote> out;
    Stmt s(*m_db, "SELECT file, line, col, kind, message, detail FROM escape_notes WHERE line = ?"
                  " ORDER BY col");
    s.bind(1, line);
    while (s.step() == Step::Row)
        if (std::string f = s.text(0); sameSourceFile(f, file))
            out.push_back({f, s.i64(1), s.i64(2), s.text(3), s.text(4), s.text(5)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<EscapeNote>> CaseStore::escapeNotesOfFile(const std::string& file) {
    std::vector<EscapeNote> out;
    if (file.empty())
        return out;
    // The base name narrows the scan; the suffix rule decides.
    std::string base =
        file.substr(file.find_last_of('/') == std::string::npos ? 0 : file.find_last_of('/') + 1);
    Stmt s(*m_db, "SELECT file, line, col, kind, message, detail FROM escape_notes"
                  " WHERE file = ? OR file LIKE ? ESCAPE '\\' ORDER BY line, col");
    std::string pattern;
    for (char c : base) {
        if (c == '%' || c == '_' || c == '\\')
            pattern += '\\';
        pattern += c;
    }
    s.bind(1, base);
    s.bind(2, "%/" + pattern);
    while (s.step() == Step::Row)
        if (std::string f = s.text(0); sameSourceFile(f, file))
            out.push_back({f, s.i64(1), s.i64(2), s.text(3), s.text(4), s.text(5)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::optional<int64_t>> CaseStore::metricInteger(SnapshotId snapshotId,
                                                        const std::string& name) {
    Stmt s(*m_db, "SELECT value FROM metric_points WHERE snapshot_id = ? AND name = ?");
    s.bind(1, snapshotId).bind(2, name);
    auto row = s.next();
    if (!row)
        return row.error();
    if (!*row || !s.isInteger(0))
        return std::optional<int64_t>{};
    return std::optional<int64_t>(s.i64(0));
}

Result<std::vector<std::pair<std::string, double>>> CaseStore::metrics(SnapshotId snapshotId) {
    std::vector<std::pair<std::string, double>> out;
    Stmt s(*m_db, "SELECT name, value FROM metric_points WHERE snapshot_id = ? ORDER BY name");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row)
        out.emplace_back(s.text(0), s.f64(1));
    if (!s.status())
        return s.status().error();
    return out;
}

Result<bool> CaseStore::forEachKeptChunk(SourceId sourceId,
                                         const std::function<void(std::string_view)>& part) {
    // Identical bytes are kept once, by the first source that has them.
    Stmt s(*m_db,
           "SELECT data FROM source_chunks WHERE source_id = (SELECT min(o.id) FROM sources o"
           " JOIN sources me ON me.id = ?1 AND o.sha256 = me.sha256"
           " WHERE EXISTS (SELECT 1 FROM source_chunks c WHERE c.source_id = o.id)) ORDER BY seq");
    s.bind(1, sourceId);
    bool any = false;
    while (s.step() == Step::Row) {
        auto bytes = zstdDecompress(s.blob(0), kChunk);
        if (!bytes)
            return bytes.error();
        part(*bytes);
        any = true;
    }
    if (!s.status())
        return s.status().error();
    return any;
}

Result<std::string> CaseStore::sourceBytes(SourceId sourceId) {
    std::string out;
    auto kept = forEachKeptChunk(sourceId, [&](std::string_view part) { out += part; });
    if (!kept)
        return kept.error();
    return out;
}

} // namespace memscope
