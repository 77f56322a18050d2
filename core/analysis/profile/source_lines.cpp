// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/profile/source_lines.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace memscope {

namespace fs = std::filesystem;

FunctionLines functionLines(const Profile& p, int sampleIndex, const std::string& function) {
    FunctionLines out;
    out.function = function;
    if (sampleIndex < 0)
        sampleIndex = p.defaultSampleIndex();
    if (sampleIndex < 0 || size_t(sampleIndex) >= p.sampleTypes.size())
        return out;
    out.sample = p.sampleTypes[size_t(sampleIndex)].type;
    out.unit = p.sampleTypes[size_t(sampleIndex)].unit;
    std::vector<char> mine(p.functions.size(), 0);
    for (size_t i = 0; i < p.functions.size(); ++i)
        if (p.functions[i].name == function) {
            mine[i] = 1;
            if (out.file.empty()) {
                out.file = p.functions[i].file;
                out.startLine = p.functions[i].startLine;
            }
        }
    std::map<int64_t, SourceLineValue> lines;
    std::set<int64_t> seen; // lines already counted for this sample's cum
    for (const auto& s : p.samples) {
        if (size_t(sampleIndex) >= s.values.size())
            continue;
        int64_t v = s.values[size_t(sampleIndex)];
        if (v == 0)
            continue;
        seen.clear();
        bool leaf = true;
        for (uint32_t loc : s.locations) {
            if (loc >= p.locations.size())
                continue;
            for (const auto& ln : p.locations[loc].lines) {
                if (ln.function < mine.size() && mine[ln.function]) {
                    auto& row = lines[ln.line];
                    row.line = ln.line;
                    if (leaf)
                        row.flat += v;
                    if (seen.insert(ln.line).second)
                        row.cum += v;
                }
                leaf = false;
            }
        }
    }
    for (auto& [_, row] : lines)
        out.lines.push_back(row);
    return out;
}

namespace {

bool inside(const fs::path& root, const fs::path& p) {
    auto r = root.begin(), q = p.begin();
    for (; r != root.end(); ++r, ++q)
        if (q == p.end() || *r != *q)
            return false;
    return true;
}

} // namespace

std::optional<std::string> resolveSourcePath(const std::string& root, const std::string& file) {
    if (root.empty() || file.empty())
        return std::nullopt;
    std::error_code ec;
    fs::path canonRoot = fs::canonical(root, ec);
    if (ec || !fs::is_directory(canonRoot, ec))
        return std::nullopt;
    std::vector<std::string> parts;
    for (const auto& c : fs::path(file).relative_path())
        if (!c.empty() && c != ".")
            parts.push_back(c.string());
    if (std::any_of(parts.begin(), parts.end(), [](const std::string& c) { return c == ".."; }))
        return std::nullopt; // a capture does not get to walk upwards
    auto tryUnder = [&](const fs::path& base, size_t from) -> std::optional<std::string> {
        fs::path cand = base;
        for (size_t i = from; i < parts.size(); ++i)
            cand /= parts[i];
        std::error_code e;
        if (!fs::is_regular_file(cand, e))
            return std::nullopt;
        fs::path canon = fs::canonical(cand, e);
        if (e || !inside(canonRoot, canon))
            return std::nullopt;
        return canon.string();
    };
    // Longest suffix first: "/home/ci/src/app/pkg/x.go" tries home/ci/src/...,
    // then ci/src/..., down to x.go; GOPATH roots are tried through src/.
    for (size_t from = 0; from < parts.size(); ++from) {
        if (auto hit = tryUnder(canonRoot, from))
            return hit;
        if (auto hit = tryUnder(canonRoot / "src", from))
            return hit;
    }
    return std::nullopt;
}

std::optional<std::vector<std::string>> readSourceLines(const std::string& path, size_t maxBytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::vector<std::string> lines;
    std::string line;
    size_t total = 0;
    while (std::getline(in, line)) {
        total += line.size() + 1;
        if (total > maxBytes)
            break;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.push_back(std::move(line));
    }
    return lines;
}

} // namespace memscope
