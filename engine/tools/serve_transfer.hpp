// Moving a migration stream between two engine processes for the serve protocol: over a file
// descriptor the parent passed in (a pipe, a socket), or through a path (a regular file written
// atomically, or a FIFO streamed into). See SERVE_PROTOCOL.md, "Stream transfer".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ppcmig::tools {

/// How a stream is delimited on a file descriptor.
enum class Framing : uint8_t {
    Eof,     ///< the raw QEMU stream; the writer closes its end, the reader reads to end of file
    Length,  ///< a big-endian 64-bit byte count, then the raw stream; the descriptor stays open
};
std::optional<Framing> parse_framing(std::string_view s);
std::string_view to_string(Framing f);

/// A failed transfer: what was attempted, the errno (0 for a protocol-level failure such as a
/// short stream) and how many bytes had been moved.
class TransferError : public std::runtime_error {
public:
    TransferError(const std::string& message, int err, uint64_t transferred)
        : std::runtime_error(message), err(err), transferred(transferred) {}
    int err;
    uint64_t transferred;
};

/// Checks that `fd` is open and opened for writing (or reading); throws TransferError (EBADF
/// when it is not open, EACCES when its access mode is wrong).
void check_fd(int fd, bool for_writing);

/// Writes the whole stream to `fd`. Eof framing closes `fd` afterwards (the reader sees end of
/// file); Length framing leaves it open for the next stream. On failure `fd` is closed in both
/// framings, so the peer is never left waiting for bytes that cannot come.
void send_stream(int fd, Framing framing, std::span<const uint8_t> stream);

/// Reads one stream from `fd`: to end of file (then closes `fd`), or one length-prefixed frame
/// (leaves `fd` open). Closes `fd` on failure.
std::vector<uint8_t> receive_stream(int fd, Framing framing);

/// Writes the stream to `path`: an existing FIFO is opened and streamed into (blocking until a
/// reader opens it); anything else is written to a temporary file beside it and renamed into
/// place, so `path` holds either the complete stream or nothing new.
void write_stream_path(const std::string& path, std::span<const uint8_t> stream);

/// Reads a whole file (or FIFO, to end of file).
std::vector<uint8_t> read_stream_path(const std::string& path);

}  // namespace ppcmig::tools
