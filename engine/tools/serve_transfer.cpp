// Stream transfer over descriptors and paths with plain POSIX calls, so that every failure
// carries its errno and the number of bytes already moved.
#include "serve_transfer.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace ppcmig::tools {
namespace {

std::string errno_text(int err) {
    const char* name = strerrorname_np(err);
    return fmt::format("{} ({})", std::strerror(err), name ? name : "?");
}

/// Writes everything or reports how far it got (EINTR is retried; SIGPIPE is ignored by the
/// server, so a vanished reader shows up here as EPIPE).
void write_all(int fd, std::span<const uint8_t> bytes, const std::string& what, uint64_t total, uint64_t& done) {
    size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            throw TransferError(fmt::format("write to {}: {} after {} of {} bytes", what, errno_text(err), done, total), err,
                                done);
        }
        off += static_cast<size_t>(n);
        done += static_cast<uint64_t>(n);
    }
}

/// Reads at most `want` bytes in one read(), appending them to `out`. Returns false at end of file.
bool read_some(int fd, std::vector<uint8_t>& out, size_t want, const std::string& what) {
    const size_t old = out.size();
    out.resize(old + want);
    for (;;) {
        const ssize_t n = ::read(fd, out.data() + old, want);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            out.resize(old);
            throw TransferError(fmt::format("read from {}: {} after {} bytes", what, errno_text(err), old), err, old);
        }
        out.resize(old + static_cast<size_t>(n));
        return n > 0;
    }
}

constexpr size_t kChunk = 1 << 20;

std::vector<uint8_t> read_to_eof(int fd, const std::string& what) {
    std::vector<uint8_t> out;
    while (read_some(fd, out, kChunk, what)) {
    }
    return out;
}

/// Closes `fd` when the scope ends unless released.
class FdCloser {
public:
    explicit FdCloser(int fd) : fd_(fd) {}
    ~FdCloser() {
        if (fd_ >= 0) ::close(fd_);
    }
    FdCloser(const FdCloser&) = delete;
    FdCloser& operator=(const FdCloser&) = delete;
    void release() { fd_ = -1; }

private:
    int fd_;
};

}  // namespace

std::optional<Framing> parse_framing(std::string_view s) {
    if (s == "eof") return Framing::Eof;
    if (s == "length") return Framing::Length;
    return std::nullopt;
}

std::string_view to_string(Framing f) { return f == Framing::Eof ? "eof" : "length"; }

void check_fd(int fd, bool for_writing) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) {
        const int err = errno;
        throw TransferError(fmt::format("fd {}: {} (the descriptor is not open in the server; pass it at spawn, e.g. "
                                        "subprocess pass_fds)", fd, errno_text(err)), err, 0);
    }
    const int mode = flags & O_ACCMODE;
    const bool ok = for_writing ? (mode == O_WRONLY || mode == O_RDWR) : (mode == O_RDONLY || mode == O_RDWR);
    if (!ok)
        throw TransferError(fmt::format("fd {}: {} (opened {}, needed for {})", fd, errno_text(EACCES),
                                        mode == O_RDONLY ? "read-only" : "write-only", for_writing ? "writing" : "reading"),
                            EACCES, 0);
}

void send_stream(int fd, Framing framing, std::span<const uint8_t> stream) {
    FdCloser closer(fd);
    const std::string what = fmt::format("fd {}", fd);
    uint64_t done = 0;
    if (framing == Framing::Length) {
        std::array<uint8_t, 8> header{};
        for (size_t i = 0; i < 8; ++i) header[i] = static_cast<uint8_t>(uint64_t(stream.size()) >> (56 - 8 * i));
        write_all(fd, header, what, stream.size() + 8, done);
        write_all(fd, stream, what, stream.size() + 8, done);
        closer.release();
    } else {
        write_all(fd, stream, what, stream.size(), done);
        closer.release();
        // Linux releases the descriptor even when close reports EINTR; never close it twice.
        if (::close(fd) != 0 && errno != EINTR) {
            const int err = errno;
            throw TransferError(fmt::format("close of {}: {}", what, errno_text(err)), err, done);
        }
    }
}

std::vector<uint8_t> receive_stream(int fd, Framing framing) {
    FdCloser closer(fd);
    const std::string what = fmt::format("fd {}", fd);
    if (framing == Framing::Eof) return read_to_eof(fd, what);  // closer closes fd
    std::vector<uint8_t> header;
    while (header.size() < 8 && read_some(fd, header, 8 - header.size(), what)) {
    }
    if (header.size() < 8)
        throw TransferError(header.empty() ? fmt::format("{}: end of file before the 8-byte length header (the peer "
                                                         "closed without sending a stream)", what)
                                           : fmt::format("{}: end of file inside the 8-byte length header ({} bytes)",
                                                         what, header.size()),
                            0, header.size());
    uint64_t length = 0;
    for (const uint8_t b : header) length = length << 8 | b;
    // Not reserved up front: a corrupt header must not turn into a huge allocation; the stream
    // grows as bytes actually arrive.
    std::vector<uint8_t> out;
    while (out.size() < length) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, length - out.size()));
        if (!read_some(fd, out, want, what))
            throw TransferError(fmt::format("{}: end of file after {} of the {} bytes the length header announced", what,
                                            out.size(), length),
                                0, out.size() + 8);
    }
    closer.release();
    return out;
}

void write_stream_path(const std::string& path, std::span<const uint8_t> stream) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            const int err = errno;
            throw TransferError(fmt::format("open {}: {}", path, errno_text(err)), err, 0);
        }
        FdCloser closer(fd);
        uint64_t done = 0;
        write_all(fd, stream, path, stream.size(), done);
        return;
    }
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int err = errno;
        throw TransferError(fmt::format("open {}: {}", tmp, errno_text(err)), err, 0);
    }
    try {
        FdCloser closer(fd);
        uint64_t done = 0;
        write_all(fd, stream, tmp, stream.size(), done);
        closer.release();
        if (::close(fd) != 0) {
            const int err = errno;
            throw TransferError(fmt::format("close {}: {}", tmp, errno_text(err)), err, done);
        }
        if (::rename(tmp.c_str(), path.c_str()) != 0) {
            const int err = errno;
            throw TransferError(fmt::format("rename {} to {}: {}", tmp, path, errno_text(err)), err, done);
        }
    } catch (const TransferError&) {
        ::unlink(tmp.c_str());
        throw;
    }
}

std::vector<uint8_t> read_stream_path(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        throw TransferError(fmt::format("open {}: {}", path, errno_text(err)), err, 0);
    }
    FdCloser closer(fd);
    return read_to_eof(fd, path);
}

}  // namespace ppcmig::tools
