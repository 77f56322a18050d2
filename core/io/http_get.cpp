// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/http_get.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace memscope {

namespace {

struct Url {
    std::string host, port, target;
};

Result<Url> parseUrl(const std::string& url) {
    constexpr std::string_view scheme = "http://";
    if (url.rfind("https://", 0) == 0)
        return makeError(ErrorCode::Unsupported,
                         url + ": https is not supported; reach the service's pprof port over "
                               "plain http (a tunnel or kubectl port-forward)");
    if (url.rfind(scheme, 0) != 0)
        return makeError(ErrorCode::Usage, url + ": not an http:// URL");
    std::string rest = url.substr(scheme.size());
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    Url u;
    u.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (authority.empty())
        return makeError(ErrorCode::Usage, url + ": no host");
    if (authority.front() == '[') { // [::1]:6060
        size_t close = authority.find(']');
        if (close == std::string::npos)
            return makeError(ErrorCode::Usage, url + ": an IPv6 host without its ']'");
        u.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            u.port = authority.substr(close + 2);
    } else {
        size_t colon = authority.rfind(':');
        u.host = authority.substr(0, colon);
        if (colon != std::string::npos)
            u.port = authority.substr(colon + 1);
    }
    if (u.port.empty())
        u.port = "80";
    return u;
}

class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

} // namespace

int64_t monotonicNs() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Result<HttpResponse> httpGet(const std::string& url, const HttpOptions& opts) {
    auto u = parseUrl(url);
    if (!u)
        return u.error();
    auto fail = [&](ErrorCode code, const std::string& why) {
        return makeError(code, "GET " + url + ": " + why);
    };
    // Waits for the socket; false with `why` set at the deadline or on cancel.
    std::string why;
    auto wait = [&](int fd, short events) -> bool {
        for (;;) {
            int64_t left = opts.deadlineNs - monotonicNs();
            if (left <= 0) {
                why = "no answer before the deadline";
                return false;
            }
            if (opts.cancelled && opts.cancelled()) {
                why = "cancelled";
                return false;
            }
            pollfd p{fd, events, 0};
            int ms = int(std::min<int64_t>(left / 1'000'000 + 1, 200));
            int r = ::poll(&p, 1, ms);
            if (r > 0)
                return true;
            if (r < 0 && errno != EINTR) {
                why = std::string("poll: ") + std::strerror(errno);
                return false;
            }
        }
    };

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(u->host.c_str(), u->port.c_str(), &hints, &res); rc != 0)
        return fail(ErrorCode::Io, "cannot resolve " + u->host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> resGuard(res, freeaddrinfo);
    std::string connectError = "no address";
    int fdNum = -1;
    for (addrinfo* ai = res; ai && fdNum < 0; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          ai->ai_protocol);
        if (fd < 0)
            continue;
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
            connectError = std::strerror(errno);
            ::close(fd);
            continue;
        }
        if (!wait(fd, POLLOUT)) {
            ::close(fd);
            return fail(ErrorCode::Io, "connecting: " + why);
        }
        int soErr = 0;
        socklen_t len = sizeof soErr;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soErr, &len);
        if (soErr != 0) {
            connectError = std::strerror(soErr);
            ::close(fd);
            continue;
        }
        fdNum = fd;
    }
    if (fdNum < 0)
        return fail(ErrorCode::Io, "cannot connect to " + u->host + ":" + u->port + ": " +
                                       connectError);
    Fd sock(fdNum);

    std::string hostHeader = u->host.find(':') != std::string::npos ? "[" + u->host + "]"
                                                                     : u->host;
    std::string request = "GET " + u->target + " HTTP/1.1\r\nHost: " + hostHeader + ":" +
                          u->port +
                          "\r\nUser-Agent: memscope\r\nAccept-Encoding: identity\r\n"
                          "Connection: close\r\n\r\n";
    size_t sent = 0;
    while (sent < request.size()) {
        if (!wait(sock.get(), POLLOUT))
            return fail(ErrorCode::Io, "sending: " + why);
        ssize_t n = ::send(sock.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return fail(ErrorCode::Io, std::string("sending: ") + std::strerror(errno));
        if (n > 0)
            sent += size_t(n);
    }

    // Read until the server closes (Connection: close), the declared length
    // arrives, or the limit or the deadline is reached.
    std::string raw;
    size_t headerEnd = std::string::npos;
    std::optional<uint64_t> contentLength;
    bool chunked = false;
    HttpResponse resp;
    const uint64_t headerLimit = 64 << 10;
    char buf[64 << 10];
    for (;;) {
        if (headerEnd != std::string::npos && contentLength &&
            raw.size() - headerEnd >= *contentLength)
            break;
        if (!wait(sock.get(), POLLIN))
            return fail(ErrorCode::Io,
                        (headerEnd == std::string::npos ? "waiting for the response: "
                                                        : "reading the body (" +
                                                              std::to_string(raw.size()) +
                                                              " bytes so far): ") +
                            why);
        ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            return fail(ErrorCode::Io, std::string("reading: ") + std::strerror(errno));
        }
        if (n == 0)
            break;
        raw.append(buf, size_t(n));
        if (headerEnd == std::string::npos) {
            size_t end = raw.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (raw.size() > headerLimit)
                    return fail(ErrorCode::Format, "response headers over 64 KiB");
                continue;
            }
            headerEnd = end + 4;
            // Status line and the headers that say how the body ends.
            std::string head = raw.substr(0, end);
            size_t eol = head.find("\r\n");
            std::string statusLine = head.substr(0, eol);
            if (statusLine.rfind("HTTP/1.", 0) != 0 || statusLine.size() < 12)
                return fail(ErrorCode::Format, "not an HTTP response: \"" +
                                                   statusLine.substr(0, 40) + "\"");
            resp.status = std::atoi(statusLine.c_str() + 9);
            resp.reason = statusLine.size() > 13 ? statusLine.substr(13) : "";
            size_t pos = eol == std::string::npos ? head.size() : eol + 2;
            while (pos < head.size()) {
                size_t next = head.find("\r\n", pos);
                std::string line = head.substr(pos, next == std::string::npos ? next : next - pos);
                pos = next == std::string::npos ? head.size() : next + 2;
                size_t colon = line.find(':');
                if (colon == std::string::npos)
                    continue;
                std::string key = lower(line.substr(0, colon));
                std::string value = line.substr(colon + 1);
                value.erase(0, value.find_first_not_of(" \t"));
                if (key == "content-length")
                    contentLength = std::strtoull(value.c_str(), nullptr, 10);
                else if (key == "transfer-encoding" && lower(value).find("chunked") != std::string::npos)
                    chunked = true;
                else if (key == "content-type")
                    resp.contentType = value;
            }
            if (contentLength && *contentLength > opts.maxBody)
                return fail(ErrorCode::Limit, "the body is " + std::to_string(*contentLength) +
                                                  " bytes, over the limit of " +
                                                  std::to_string(opts.maxBody));
        }
        if (headerEnd != std::string::npos && raw.size() - headerEnd > opts.maxBody + 64)
            return fail(ErrorCode::Limit, "the body is over the limit of " +
                                              std::to_string(opts.maxBody) + " bytes");
    }
    if (headerEnd == std::string::npos)
        return fail(ErrorCode::Truncated, raw.empty() ? "the connection closed with no response"
                                                      : "the connection closed inside the headers");
    std::string_view body(raw.data() + headerEnd, raw.size() - headerEnd);
    if (chunked) {
        std::string out;
        size_t pos = 0;
        for (;;) {
            size_t eol = body.find("\r\n", pos);
            if (eol == std::string_view::npos)
                return fail(ErrorCode::Truncated, "the chunked body ends inside a chunk header");
            uint64_t size = std::strtoull(std::string(body.substr(pos, eol - pos)).c_str(),
                                          nullptr, 16);
            pos = eol + 2;
            if (size == 0)
                break;
            if (body.size() - pos < size)
                return fail(ErrorCode::Truncated,
                            "the chunked body ends after " + std::to_string(out.size()) +
                                " bytes, inside a chunk");
            out.append(body.substr(pos, size));
            if (out.size() > opts.maxBody)
                return fail(ErrorCode::Limit, "the body is over the limit of " +
                                                  std::to_string(opts.maxBody) + " bytes");
            pos += size + 2;
        }
        resp.body = std::move(out);
    } else {
        if (contentLength && body.size() < *contentLength)
            return fail(ErrorCode::Truncated, "the body ends after " +
                                                  std::to_string(body.size()) + " of " +
                                                  std::to_string(*contentLength) + " bytes");
        if (contentLength)
            body = body.substr(0, *contentLength);
        resp.body = std::string(body);
    }
    return resp;
}

} // namespace memscope
