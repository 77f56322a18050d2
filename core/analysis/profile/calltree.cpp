// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/profile/calltree.h"

#include "analysis/profile/top.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace memscope {

namespace {

int32_t childFor(CallTree& t, std::vector<std::map<uint32_t, int32_t>>& index, int32_t parent,
                 uint32_t fnNode, const FunctionNodes& fn) {
    auto& m = index[size_t(parent)];
    auto it = m.find(fnNode);
    if (it != m.end())
        return it->second;
    int32_t id = int32_t(t.nodes.size());
    CallTreeNode n;
    n.function = fn.names[fnNode];
    n.file = fn.files[fnNode];
    n.parent = parent;
    t.nodes.push_back(std::move(n));
    t.nodes[size_t(parent)].children.push_back(id);
    m.emplace(fnNode, id);
    index.emplace_back(); // after the last use of `m`: this may move it
    return id;
}

} // namespace

CallTree buildCallTree(const Profile& p, int sampleIndex, const std::string& focus,
                       CallTreeDirection direction) {
    CallTree t;
    if (sampleIndex < 0)
        sampleIndex = p.defaultSampleIndex();
    if (sampleIndex < 0)
        return t;
    t.sample = p.sampleTypes[size_t(sampleIndex)].type;
    t.unit = p.sampleTypes[size_t(sampleIndex)].unit;
    t.nodes.push_back(CallTreeNode{});
    std::vector<std::map<uint32_t, int32_t>> index(1);
    FunctionNodes fn = functionNodes(p);

    std::vector<uint32_t> path; // root -> leaf function nodes
    for (const auto& s : p.samples) {
        int64_t w = s.values[size_t(sampleIndex)];
        if (w == 0)
            continue;
        path.clear();
        for (size_t li = s.locations.size(); li-- > 0;) {
            auto nodes = fn.nodesOf(s.locations[li]);
            for (size_t ni = nodes.size(); ni-- > 0;)
                path.push_back(nodes[ni]);
        }
        size_t begin = 0, end = path.size();
        if (!focus.empty() && direction == CallTreeDirection::Callees) {
            while (begin < path.size() && fn.names[path[begin]] != focus)
                ++begin;
            if (begin == path.size())
                continue;
        } else if (!focus.empty()) {
            // Cut at the innermost occurrence of the focus.
            size_t k = path.size();
            while (k-- > 0)
                if (fn.names[path[k]] == focus)
                    break;
            if (k == size_t(-1))
                continue;
            end = k + 1;
        }
        t.total += w;
        t.nodes[0].value += w;
        int32_t cur = 0;
        if (direction != CallTreeDirection::BottomUp) {
            for (size_t i = begin; i < end; ++i) {
                cur = childFor(t, index, cur, path[i], fn);
                t.nodes[size_t(cur)].value += w;
            }
            if (cur != 0)
                t.nodes[size_t(cur)].self += w;
        } else {
            // Self is what a function spends itself: the sample's innermost
            // frame, which bottom-up is the first node of its path (not the
            // outermost caller it ends at). Cut at a focus that called on,
            // nothing of the sample is the focus's own.
            for (size_t i = end; i-- > 0;) {
                cur = childFor(t, index, cur, path[i], fn);
                t.nodes[size_t(cur)].value += w;
                if (i + 1 == end && end == path.size())
                    t.nodes[size_t(cur)].self += w;
            }
        }
    }
    for (auto& n : t.nodes)
        std::sort(n.children.begin(), n.children.end(), [&](int32_t a, int32_t b) {
            const auto& na = t.nodes[size_t(a)];
            const auto& nb = t.nodes[size_t(b)];
            return na.value != nb.value ? na.value > nb.value : na.function < nb.function;
        });
    return t;
}

CallTree diffCallTrees(const CallTree& base, const CallTree& now) {
    CallTree t;
    t.sample = now.sample.empty() ? base.sample : now.sample;
    t.unit = now.unit.empty() ? base.unit : now.unit;
    t.diff = true;
    t.total = now.total;
    t.baseTotal = base.total;
    t.nodes.push_back(CallTreeNode{});
    auto copyInto = [&](const CallTree& from, bool isBase) {
        if (from.nodes.empty())
            return;
        // (node in `from`, node in t) pairs, children matched by function name.
        std::vector<std::pair<int32_t, int32_t>> work{{0, 0}};
        std::vector<std::map<std::string, int32_t>> byName(t.nodes.size());
        for (size_t i = 0; i < t.nodes.size(); ++i)
            for (int32_t c : t.nodes[i].children)
                byName[i].emplace(t.nodes[size_t(c)].function, c);
        while (!work.empty()) {
            auto [src, dst] = work.back();
            work.pop_back();
            const auto& sn = from.nodes[size_t(src)];
            auto& dn = t.nodes[size_t(dst)];
            (isBase ? dn.base : dn.value) += sn.value;
            if (!isBase)
                dn.self += sn.self;
            for (int32_t c : sn.children) {
                const auto& cn = from.nodes[size_t(c)];
                auto& names = byName[size_t(dst)];
                auto it = names.find(cn.function);
                int32_t id;
                if (it != names.end()) {
                    id = it->second;
                } else {
                    id = int32_t(t.nodes.size());
                    CallTreeNode n;
                    n.function = cn.function;
                    n.file = cn.file;
                    n.parent = dst;
                    t.nodes.push_back(std::move(n));
                    t.nodes[size_t(dst)].children.push_back(id);
                    byName[size_t(dst)].emplace(cn.function, id);
                    byName.emplace_back(); // after the last use of `names`
                }
                work.emplace_back(c, id);
            }
        }
    };
    copyInto(base, true);
    copyInto(now, false);
    for (auto& n : t.nodes)
        std::sort(n.children.begin(), n.children.end(), [&](int32_t a, int32_t b) {
            const auto& na = t.nodes[size_t(a)];
            const auto& nb = t.nodes[size_t(b)];
            int64_t wa = std::max(na.value, na.base), wb = std::max(nb.value, nb.base);
            return wa != wb ? wa > wb : na.function < nb.function;
        });
    return t;
}

FlameLayout layoutFlame(const CallTree& tree) {
    FlameLayout l;
    size_t n = tree.nodes.size();
    l.x.assign(n, 0);
    l.width.assign(n, 0);
    l.depth.assign(n, 0);
    // Children come after their parents: a reverse sweep sees them first.
    for (size_t i = n; i-- > 0;) {
        const auto& nd = tree.nodes[i];
        double own = double(std::llabs(nd.value));
        if (tree.diff) {
            own = std::max(own, double(std::llabs(nd.base)));
            l.maxDelta = std::max(l.maxDelta, std::fabs(double(nd.value - nd.base)));
        }
        double kids = 0;
        for (int32_t c : nd.children)
            kids += l.width[size_t(c)];
        l.width[i] = std::max(own, kids);
    }
    for (size_t i = 0; i < n; ++i) {
        double x = l.x[i];
        for (int32_t c : tree.nodes[i].children) {
            l.x[size_t(c)] = x;
            l.depth[size_t(c)] = l.depth[i] + 1;
            l.maxDepth = std::max(l.maxDepth, l.depth[size_t(c)]);
            x += l.width[size_t(c)];
        }
    }
    double total = n ? l.width[0] : 0;
    if (total > 0)
        for (size_t i = 0; i < n; ++i) {
            l.x[i] /= total;
            l.width[i] /= total;
        }
    return l;
}

std::vector<std::string> foldedStacks(const CallTree& tree) {
    std::vector<std::string> out;
    std::vector<std::pair<int32_t, std::string>> work{{0, ""}};
    while (!work.empty()) {
        auto [id, prefix] = work.back();
        work.pop_back();
        const auto& n = tree.nodes[size_t(id)];
        std::string here = id == 0 ? "" : (prefix.empty() ? n.function : prefix + ";" + n.function);
        if (n.self != 0)
            out.push_back(here + " " + std::to_string(n.self));
        for (int32_t c : n.children)
            work.emplace_back(c, here);
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace memscope
