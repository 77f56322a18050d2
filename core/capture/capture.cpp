// SPDX-License-Identifier: GPL-3.0-or-later
#include "capture/capture.h"

#include "formats/procfs/procfs.h"
#include "io/http_get.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace memscope {

namespace {

int64_t wallNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A /proc file's bytes, or why not. /proc files report size 0: read to EOF.
bool readProcFile(const std::string& path, std::string& out, std::string& why) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        why = std::strerror(errno);
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

bool writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    return bool(out.flush());
}

// Each descriptor's link target, as `ls -l` shows it.
void appendFdLinks(const std::string& base, std::string& out, RoundReport& report) {
    out += "== " + base + "/fd\n";
    if (DIR* d = ::opendir((base + "/fd").c_str())) {
        std::vector<std::pair<int, std::string>> links;
        while (dirent* e = ::readdir(d)) {
            if (e->d_name[0] == '.')
                continue;
            char target[4096];
            ssize_t n = ::readlink((base + "/fd/" + e->d_name).c_str(), target, sizeof target - 1);
            if (n < 0)
                continue; // closed between readdir and readlink
            links.emplace_back(std::atoi(e->d_name), std::string(target, size_t(n)));
        }
        ::closedir(d);
        std::sort(links.begin(), links.end());
        for (const auto& [fd, target] : links)
            out += std::to_string(fd) + " -> " + target + "\n";
    } else {
        out += std::string("# error: ") + std::strerror(errno) + "\n";
        report.warnings.push_back(base + "/fd: " + std::strerror(errno) +
                                  " (descriptors of another user's process need root)");
    }
}

} // namespace

CaptureSession::CaptureSession(CaseStore& store, CaptureOptions opts)
    : m_store(store), m_opts(std::move(opts)) {
    while (!m_opts.url.empty() && m_opts.url.back() == '/')
        m_opts.url.pop_back();
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/memscope-capture-XXXXXX";
    if (char* d = ::mkdtemp(pattern.data()))
        m_dir = d;
}

CaptureSession::~CaptureSession() {
    m_closing = true;
    for (auto& c : m_carried)
        c.thread.join();
    if (!m_dir.empty())
        ::rmdir(m_dir.c_str());
}

void CaptureSession::fetch(const std::string& name, const std::string& path, int64_t deadlineNs,
                           const std::function<bool()>& cancelled, RoundReport& report,
                           std::vector<Fetched>& out, bool* missing) {
    HttpOptions ho;
    ho.deadlineNs = std::min(deadlineNs, monotonicNs() + m_opts.requestTimeoutNs);
    ho.cancelled = cancelled;
    if (name.rfind("goroutines-debug2", 0) == 0)
        ho.maxBody = m_opts.maxGoroutineDumpBytes;
    const std::string url = m_opts.url + path;
    auto r = httpGet(url, ho);
    if (!r) {
        if (r.error().code == ErrorCode::Limit && name.rfind("goroutines-debug2", 0) == 0) {
            report.warnings.push_back(r.error().message +
                                      "; fetching the grouped debug=1 dump instead");
            fetch("goroutines-debug1.txt", m_opts.pprofPath + "goroutine?debug=1", deadlineNs,
                  cancelled, report, out);
            return;
        }
        report.warnings.push_back(r.error().message);
        return;
    }
    if (r->status == 404 && missing) {
        *missing = true;
        return;
    }
    if (r->status != 200) {
        std::string reason = r->reason;
        report.warnings.push_back("GET " + url + ": HTTP " + std::to_string(r->status) +
                                  (reason.empty() ? "" : " " + reason));
        return;
    }
    if (r->body.empty()) {
        report.warnings.push_back("GET " + url + ": an empty body");
        return;
    }
    report.bytes += r->body.size();
    out.push_back({name, std::move(r->body)});
}

std::string CaptureSession::procBundle(int64_t timeNs, bool withSmaps, bool withFds,
                                       RoundReport& report) const {
    const std::string base = m_opts.procRoot + "/" + std::to_string(*m_opts.pid);
    std::string out = std::string(kProcBundleMagic) + " pid=" + std::to_string(*m_opts.pid) +
                      " time_unix_nano=" + std::to_string(timeNs) + "\n";
    auto part = [&](const std::string& path) {
        std::string bytes, why;
        out += "== " + path + "\n";
        if (!readProcFile(path, bytes, why)) {
            out += "# error: " + why + "\n";
            return;
        }
        out += bytes;
        if (!bytes.empty() && bytes.back() != '\n')
            out += "\n";
    };
    part(base + "/status");
    part(base + "/smaps_rollup");
    if (withSmaps)
        part(base + "/smaps");
    part(base + "/limits");
    // Descriptors and sockets, unless lsof or ss read them this round.
    if (withFds) {
        part(base + "/net/tcp");
        part(base + "/net/tcp6");
        appendFdLinks(base, out, report);
    }
    // The cgroup (v2) the process runs in: its memory limit and usage.
    std::string cg, why;
    if (readProcFile(base + "/cgroup", cg, why)) {
        std::istringstream lines(cg);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("0::", 0) != 0)
                continue;
            std::string dir = "/sys/fs/cgroup" + line.substr(3);
            if (dir.back() == '/')
                dir.pop_back();
            struct stat st {};
            if (::stat((dir + "/memory.max").c_str(), &st) == 0) {
                part(dir + "/memory.max");
                part(dir + "/memory.current");
            }
        }
    }
    return out;
}

// One endpoint's fetch, on a thread of its own.
struct CaptureSession::Job {
    std::string name, path;
    bool askMissing = false;
    bool carries = false; // may outlast its round
    bool missing = false;
    RoundReport part;
    std::vector<Fetched> out;
    std::atomic<bool> done{false};
};

namespace {

// The dumps that can take longer than a round on a large service: they are
// worth waiting for, but never by the rounds after them.
bool mayCarry(const std::string& name) {
    return name == "heapdump.bin" || name == "goroutines-debug2.txt";
}

} // namespace

Result<RoundReport> CaptureSession::round(int64_t deadlineNs,
                                          const std::function<bool()>& cancelled) {
    if (m_dir.empty())
        return makeError(ErrorCode::Io, "cannot make a folder for the capture's files in $TMPDIR");
    RoundReport report;
    report.round = ++m_round;
    report.timeNs = wallNs();
    std::vector<Fetched> files;
    // The endpoints are fetched at once, each on a thread of its own: a slow
    // goroutine dump of a leaking service must not use up the round's time
    // that /debug/vars and /metrics need.
    const std::string& pp = m_opts.pprofPath;
    std::vector<std::shared_ptr<Job>> jobs;
    auto add = [&](const char* name, const std::string& path, bool askMissing) {
        for (const auto& c : m_carried)
            if (c.job->name == name)
                return; // still downloading since an earlier round
        auto j = std::make_shared<Job>();
        j->name = name;
        j->path = path;
        j->askMissing = askMissing;
        j->carries = mayCarry(name);
        jobs.push_back(std::move(j));
    };
    add("heap.pb.gz", pp + "heap", false);
    add("goroutines-debug2.txt", pp + "goroutine?debug=2", false);
    if (!m_noLeakProfile)
        add("goroutineleak-debug1.txt", pp + "goroutineleak?debug=1", true);
    if (!m_noVars)
        add("vars.json", m_opts.varsPath, true);
    if (!m_noMetrics)
        add("metrics.txt", m_opts.metricsPath, true);
    if (m_opts.heapdumpEvery > 0 && (report.round - 1) % m_opts.heapdumpEvery == 0)
        add("heapdump.bin", m_opts.heapdumpPath, true);
    // The service answers a delta after `seconds`: it must end well inside
    // the round, the download after it included.
    const int64_t roundSeconds = (deadlineNs - monotonicNs() + 500'000'000) / 1'000'000'000;
    const int64_t allocsSeconds = m_opts.allocsSeconds >= 0 ? m_opts.allocsSeconds
                                  : roundSeconds >= 10      ? roundSeconds * 2 / 3
                                                            : 0;
    if (!m_noAllocsDelta && allocsSeconds > 0 && allocsSeconds < roundSeconds)
        add("allocs-delta.pb.gz", pp + "allocs?seconds=" + std::to_string(allocsSeconds), true);
    std::vector<std::thread> threads;
    for (auto& j : jobs) {
        threads.emplace_back([this, job = j, deadlineNs, cancelled] {
            // A dump that may outlast the round has the request timeout for
            // its own, and ends only when the session closes.
            const bool carry = job->carries;
            const int64_t deadline = carry ? monotonicNs() + m_opts.requestTimeoutNs : deadlineNs;
            std::function<bool()> stop = cancelled;
            if (carry)
                stop = [this] { return m_closing.load(); };
            fetch(job->name, job->path, deadline, stop, job->part, job->out,
                  job->askMissing ? &job->missing : nullptr);
            job->done = true;
        });
    }
    // Wait for the round's fetches; the dumps only until the deadline.
    for (;;) {
        bool waiting = false;
        const bool late = monotonicNs() >= deadlineNs || (cancelled && cancelled());
        for (const auto& j : jobs)
            waiting = waiting || (!j->done && !(j->carries && late));
        if (!waiting)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (size_t i = 0; i < jobs.size(); ++i) {
        Job& j = *jobs[i];
        if (!j.done) {
            report.warnings.push_back("GET " + m_opts.url + j.path +
                                      ": still downloading at the round's end; it is imported "
                                      "when it ends, as of this round's time");
            m_carried.push_back({jobs[i], std::move(threads[i]), report.timeNs, report.round});
            continue;
        }
        threads[i].join();
        report.bytes += j.part.bytes;
        for (auto& w : j.part.warnings)
            report.warnings.push_back(std::move(w));
        for (auto& f : j.out)
            files.push_back(std::move(f));
        if (!j.missing)
            continue;
        if (j.name == "goroutineleak-debug1.txt") {
            m_noLeakProfile = true;
        } else if (j.name == "vars.json") {
            m_noVars = true;
            report.warnings.push_back(m_opts.url + m_opts.varsPath +
                                      " answers 404: no expvar (import _ \"expvar\"); not asked "
                                      "again");
        } else if (j.name == "metrics.txt") {
            m_noMetrics = true;
        } else if (j.name == "allocs-delta.pb.gz") {
            m_noAllocsDelta = true; // before Go 1.11, or no net/http/pprof
        } else if (j.name == "heapdump.bin") {
            report.warnings.push_back(
                m_opts.url + m_opts.heapdumpPath +
                " answers 404: the service exposes no heap dump endpoint (see the README)");
        }
    }
    bool fdsFromProc = true;
    if (m_opts.pid && m_opts.fdSource == "lsof" && !m_noLsof) {
        // -b and -w: no kernel calls that can block (a hung NFS mount), no
        // warnings; coreutils' timeout bounds it anyway.
        if (auto out = runTool("timeout 10 lsof -n -P -b -w -p " + std::to_string(*m_opts.pid),
                               m_noLsof, report)) {
            files.push_back({"lsof.txt", std::move(*out)});
            fdsFromProc = false;
        }
    }
    if (m_opts.pid && m_opts.fdSource == "ss" && !m_noSs) {
        if (auto out = runTool("timeout 10 ss -tanp", m_noSs, report)) {
            // Only the process's sockets: the header and its lines.
            std::string mine, line;
            const std::string tag = "pid=" + std::to_string(*m_opts.pid) + ",";
            std::istringstream lines(*out);
            for (bool first = true; std::getline(lines, line); first = false)
                if (first || line.find(tag) != std::string::npos)
                    mine += line + "\n";
            files.push_back({"ss.txt", std::move(mine)});
            fdsFromProc = false;
        }
    }
    if (m_opts.pid) {
        bool smaps = m_opts.smapsEvery > 0 && (report.round - 1) % m_opts.smapsEvery == 0;
        files.push_back({"proc.txt", procBundle(report.timeNs, smaps, fdsFromProc, report)});
    }
    if (!files.empty()) {
        if (auto st =
                importFiles(files, report.timeNs, "round-" + std::to_string(report.round), report);
            !st)
            return st.error();
    }
    if (auto st = landCarried(0, cancelled, report); !st)
        return st.error();
    return report; // with nothing fetched, the warnings say why
}

std::optional<std::string> CaptureSession::runTool(const std::string& command, bool& missing,
                                                   RoundReport& report) const {
    FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
    if (!pipe) {
        report.warnings.push_back(command + ": " + std::strerror(errno));
        return std::nullopt;
    }
    std::string out;
    char buf[65536];
    while (size_t n = std::fread(buf, 1, sizeof buf, pipe))
        out.append(buf, n);
    const int status = ::pclose(pipe);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    const std::string tool = command.substr(command.rfind("timeout 10 ", 0) == 0 ? 11 : 0);
    if (code == 127) { // timeout found no such program
        missing = true;
        report.warnings.push_back(tool + ": not installed; /proc is read instead, and it is not "
                                         "tried again");
        return std::nullopt;
    }
    if (code == 124) {
        report.warnings.push_back(tool + ": no answer in 10 s; /proc is read instead");
        return std::nullopt;
    }
    if (out.empty()) {
        report.warnings.push_back(tool + ": no output (exit status " + std::to_string(code) +
                                  "); /proc is read instead");
        return std::nullopt;
    }
    return out;
}

Result<RoundReport> CaptureSession::finish(int64_t deadlineNs,
                                           const std::function<bool()>& cancelled) {
    RoundReport report;
    report.round = m_round;
    report.timeNs = wallNs();
    if (auto st = landCarried(deadlineNs, cancelled, report); !st)
        return st.error();
    for (const auto& c : m_carried)
        report.warnings.push_back("GET " + m_opts.url + c.job->path + " (asked for in round " +
                                  std::to_string(c.round) +
                                  ") had not ended when the capture did: dropped");
    m_closing = true;
    for (auto& c : m_carried)
        c.thread.join();
    m_carried.clear();
    return report;
}

std::vector<std::string> CaptureSession::inFlight() const {
    std::vector<std::string> names;
    for (const auto& c : m_carried)
        names.push_back(c.job->name);
    return names;
}

Status CaptureSession::landCarried(int64_t waitUntilNs, const std::function<bool()>& cancelled,
                                   RoundReport& report) {
    for (auto it = m_carried.begin(); it != m_carried.end();) {
        Job& j = *it->job;
        while (!j.done && monotonicNs() < waitUntilNs && !(cancelled && cancelled()))
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!j.done) {
            ++it;
            continue;
        }
        it->thread.join();
        report.bytes += j.part.bytes;
        for (auto& w : j.part.warnings)
            report.warnings.push_back(std::move(w));
        if (j.missing && j.name == "heapdump.bin")
            report.warnings.push_back(
                m_opts.url + m_opts.heapdumpPath +
                " answers 404: the service exposes no heap dump endpoint (see the README)");
        Carried done = std::move(*it);
        it = m_carried.erase(it);
        if (done.job->out.empty())
            continue;
        report.warnings.push_back(done.job->out.front().name + " asked for in round " +
                                  std::to_string(done.round) +
                                  " arrived; imported as of that "
                                  "round's time");
        if (auto st = importFiles(done.job->out, done.timeNs, "late-" + std::to_string(done.round),
                                  report);
            !st)
            return st;
    }
    return {};
}

Status CaptureSession::importFiles(std::vector<Fetched>& files, int64_t timeNs,
                                   const std::string& dirName, RoundReport& report) {
    const std::string dir = m_dir + "/" + dirName;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return makeError(ErrorCode::Io, dir + ": " + std::strerror(errno));
    std::vector<std::string> paths;
    for (const auto& f : files) {
        std::string path = dir + "/" + f.name;
        if (!writeFile(path, f.bytes)) {
            for (const auto& p : paths)
                ::unlink(p.c_str());
            ::rmdir(dir.c_str());
            return makeError(ErrorCode::Io, path + ": cannot write the fetched bytes");
        }
        paths.push_back(path);
    }
    ImportOptions io;
    io.targetName = m_opts.target;
    io.captureTimeNs = timeNs;
    Progress progress; // a round is short; Ctrl+C waits for it to end
    auto outcomes = m_store.importRound(paths, io, progress);
    for (const auto& p : paths)
        ::unlink(p.c_str());
    ::rmdir(dir.c_str());
    if (!outcomes)
        return outcomes.error();
    for (auto& o : *outcomes) {
        std::string name = o.path.substr(o.path.find_last_of('/') + 1);
        for (const auto& w : o.warnings)
            report.warnings.push_back(name + ": " + w);
        if (o.status == ImportStatus::Failed || o.status == ImportStatus::Skipped)
            report.warnings.push_back(name + ": " + (o.error ? o.error->message : "not read"));
        report.snapshots += int(o.snapshotIds.size());
        report.outcomes.push_back(std::move(o));
    }
    return {};
}

} // namespace memscope
