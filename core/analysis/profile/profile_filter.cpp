// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/profile/profile_filter.h"

#include <optional>
#include <regex>

namespace memscope {

namespace {

Result<std::optional<std::regex>> compile(const std::string& what, const std::string& text) {
    if (text.empty())
        return std::optional<std::regex>();
    try {
        return std::optional<std::regex>(std::regex(text, std::regex::ECMAScript));
    } catch (const std::regex_error& e) {
        return makeError(ErrorCode::Usage, what + " expression \"" + text + "\": " + e.what());
    }
}

} // namespace

Result<Profile> filterProfile(const Profile& p, const ProfileFilter& filter) {
    auto focus = compile("focus", filter.focus);
    auto ignore = compile("ignore", filter.ignore);
    auto hide = compile("hide", filter.hide);
    for (const auto* r : {&focus, &ignore, &hide})
        if (!*r)
            return r->error();

    // A regex runs once per function, not once per frame of every sample.
    auto perFunction = [&](const std::optional<std::regex>& re, bool withFile) {
        std::vector<char> hit(p.functions.size(), 0);
        if (re)
            for (size_t i = 0; i < p.functions.size(); ++i) {
                const auto& f = p.functions[i];
                hit[i] = std::regex_search(f.name, *re) ||
                         (withFile && !f.file.empty() && std::regex_search(f.file, *re));
            }
        return hit;
    };
    std::vector<char> focusFn = perFunction(*focus, true);
    std::vector<char> ignoreFn = perFunction(*ignore, true);
    std::vector<char> hideFn = perFunction(*hide, false);
    auto locationHits = [&](const std::vector<char>& fnHit, bool active) {
        std::vector<char> hit(p.locations.size(), 0);
        if (active)
            for (size_t i = 0; i < p.locations.size(); ++i)
                for (const auto& ln : p.locations[i].lines)
                    if (ln.function < fnHit.size() && fnHit[ln.function]) {
                        hit[i] = 1;
                        break;
                    }
        return hit;
    };
    std::vector<char> focusLoc = locationHits(focusFn, focus->has_value());
    std::vector<char> ignoreLoc = locationHits(ignoreFn, ignore->has_value());

    Profile out;
    out.sampleTypes = p.sampleTypes;
    out.functions = p.functions;
    out.mappings = p.mappings;
    out.comments = p.comments;
    out.dropFrames = p.dropFrames;
    out.keepFrames = p.keepFrames;
    out.defaultSampleType = p.defaultSampleType;
    out.periodType = p.periodType;
    out.period = p.period;
    out.timeNanos = p.timeNanos;
    out.durationNanos = p.durationNanos;
    out.locations = p.locations;
    // A location whose every line is hidden leaves the stacks.
    std::vector<char> gone(p.locations.size(), 0);
    if (hide->has_value())
        for (size_t i = 0; i < out.locations.size(); ++i) {
            auto& lines = out.locations[i].lines;
            std::erase_if(lines, [&](const Line& ln) {
                return ln.function < hideFn.size() && hideFn[ln.function];
            });
            gone[i] = lines.empty() && !p.locations[i].lines.empty();
        }

    for (const auto& s : p.samples) {
        bool focused = !focus->has_value(), ignored = false;
        for (uint32_t loc : s.locations) {
            if (loc >= p.locations.size())
                continue;
            focused = focused || focusLoc[loc];
            ignored = ignored || ignoreLoc[loc];
        }
        if (!focused || ignored)
            continue;
        Sample n = out.newSample();
        n.values.assign(s.values.begin(), s.values.end());
        n.labels.assign(s.labels.begin(), s.labels.end());
        for (uint32_t loc : s.locations)
            if (loc >= p.locations.size() || !gone[loc])
                n.locations.push_back(loc);
        out.samples.push_back(std::move(n));
    }
    return out;
}

std::string focusOnFunctions(const std::vector<std::string>& functions) {
    std::string re;
    for (const auto& f : functions) {
        if (f.empty())
            continue;
        if (!re.empty())
            re += '|';
        re += '^';
        for (char c : f) {
            if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos)
                re += '\\';
            re += c;
        }
        re += '$';
    }
    return re;
}

} // namespace memscope
