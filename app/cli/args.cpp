// SPDX-License-Identifier: GPL-3.0-or-later
// Command-line arguments: positionals, options with a value, flags.
#include "cli/common.h"

#include <algorithm>

namespace memscope::cli {

Args parse(const std::vector<std::string>& in, size_t from,
           const std::vector<std::string>& withValue, const std::vector<std::string>& flags) {
    Args a;
    for (size_t i = from; i < in.size(); ++i) {
        const std::string& s = in[i];
        if (s.size() > 1 && s[0] == '-') {
            std::string name = s, value;
            auto eq = s.find('=');
            if (eq != std::string::npos) {
                name = s.substr(0, eq);
                value = s.substr(eq + 1);
            }
            if (std::find(withValue.begin(), withValue.end(), name) != withValue.end()) {
                if (eq == std::string::npos) {
                    if (i + 1 >= in.size()) {
                        a.error = name + " needs a value";
                        return a;
                    }
                    value = in[++i];
                }
                a.options.emplace_back(name, value);
            } else if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
                a.options.emplace_back(name, "");
            } else {
                a.error = "unknown option " + name;
                return a;
            }
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

bool Args::flag(const std::string& name) const {
    return std::any_of(options.begin(), options.end(),
                       [&](const auto& o) { return o.first == name; });
}

std::optional<std::string> Args::opt(const std::string& name) const {
    for (const auto& o : options)
        if (o.first == name)
            return o.second;
    return std::nullopt;
}

bool limitsFrom(const Args& a, std::vector<forecast::Limit>& out) {
    for (const auto& [name, value] : a.options) {
        if (name != "--limit")
            continue;
        auto l = forecast::parseLimit(value);
        if (!l) {
            usageError(l.error().message);
            return false;
        }
        out.push_back(*l);
    }
    return true;
}

} // namespace memscope::cli
