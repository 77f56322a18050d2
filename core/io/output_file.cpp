// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/output_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace memscope {

namespace {

Error ioError(const std::string& path, const char* what, int err) {
    Error e = makeError(ErrorCode::Io, std::string(what) + ": " + std::strerror(err));
    e.file = path;
    return e;
}

// Every byte, then close; close reports what a delayed write could not do.
int writeAndClose(int fd, std::string_view data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            ::close(fd);
            return err;
        }
        done += size_t(n);
    }
    return ::close(fd) == 0 ? 0 : errno;
}

} // namespace

Status writeOutputFile(const std::string& path, std::string_view data) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
            return ioError(path, "cannot write", errno);
        if (int err = writeAndClose(fd, data))
            return ioError(path, "cannot write", err);
        return {};
    }
    // A fresh name, so no file of the user's is ever overwritten but `path`.
    std::string tmp = path + ".XXXXXX";
    int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0)
        return ioError(path, "cannot write", errno);
    ::fchmod(fd, 0644);
    if (int err = writeAndClose(fd, data)) {
        ::unlink(tmp.c_str());
        return ioError(path, "cannot write", err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return ioError(path, "cannot write", err);
    }
    return {};
}

} // namespace memscope
