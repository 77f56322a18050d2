// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/fds.h"

#include <charconv>

namespace memscope {

namespace {

void splitHostPort(std::string_view ep, std::string& addr, int64_t& port) {
    auto colon = ep.rfind(':');
    if (colon == std::string_view::npos) {
        addr = std::string(ep);
        return;
    }
    std::string_view host = ep.substr(0, colon), p = ep.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    addr = std::string(host);
    int64_t v;
    auto r = std::from_chars(p.data(), p.data() + p.size(), v);
    port = r.ec == std::errc() && r.ptr == p.data() + p.size() ? v : -1;
}

} // namespace

void splitEndpoints(std::string_view name, FdEntry& e) {
    // Text form carries the state in parentheses: "a->b (ESTABLISHED QR=0 QS=0)".
    auto paren = name.find(" (");
    if (paren != std::string_view::npos) {
        std::string_view st = name.substr(paren + 2);
        if (!st.empty() && st.back() == ')')
            st.remove_suffix(1);
        auto sp = st.find(' ');
        if (e.state.empty())
            e.state = std::string(st.substr(0, sp));
        name = name.substr(0, paren);
    }
    while (!name.empty() && name.back() == ' ')
        name.remove_suffix(1);
    auto arrow = name.find("->");
    splitHostPort(name.substr(0, arrow), e.localAddr, e.localPort);
    if (arrow != std::string_view::npos)
        splitHostPort(name.substr(arrow + 2), e.remoteAddr, e.remotePort);
}

} // namespace memscope
