// A `ppcmig-engine serve` child process (Boost.Process) and its three channels: the JSON-lines
// protocol on its stdin/stdout (one socket pair, so that a write to a server that died is an
// EPIPE error instead of a SIGPIPE), the migration streams on descriptor 3 ("length" framing:
// one persistent channel for any number of streams in either direction), stderr to a log file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppcmig::runner::detail {

/// A request the server answered with "ok": false: the error's kind and the whole error object.
class ServeFailure : public std::runtime_error {
public:
    ServeFailure(const std::string& message, std::string kind, nlohmann::json error)
        : std::runtime_error(message), kind(std::move(kind)), error(std::move(error)) {}
    std::string kind;
    nlohmann::json error;
};

/// The binary could not be started as a server, or did not greet like one.
class ServeStartError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ServeProcess {
public:
    /// The descriptor number, in the server, of the stream channel.
    static constexpr int kStreamFd = 3;

    /// Starts `engine serve` and reads its hello. Throws ServeStartError (with the log's tail)
    /// when the binary cannot be started or does not greet.
    ServeProcess(const std::filesystem::path& engine, const std::filesystem::path& log);
    /// Asks the server to quit, closes the channels and reaps it (killing it if it does not exit).
    ~ServeProcess();
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    [[nodiscard]] const nlohmann::json& hello() const { return hello_; }
    /// Whether the hello lists `command`.
    [[nodiscard]] bool has_command(std::string_view command) const;
    /// "engine /path/ppcmig-engine (revision …)", for messages.
    [[nodiscard]] const std::string& describe() const { return describe_; }

    /// Sends one request (an "id" is added); the reply is read by receive().
    void send(nlohmann::json request);
    /// The next reply; ServeFailure when it is an error, std::runtime_error when the server died.
    nlohmann::json receive();
    nlohmann::json call(nlohmann::json request) {
        send(std::move(request));
        return receive();
    }

    /// One stream from the stream channel; none when the server answered its request before
    /// sending one (a failed migrate_out: receive() then gives the error).
    std::optional<std::vector<uint8_t>> receive_stream();
    /// Writes one stream into the stream channel; false when the server answered its request
    /// before taking all of it (a failed incoming: receive() gives the error).
    bool send_stream(std::span<const uint8_t> stream);

private:
    struct Child;
    /// Throws std::runtime_error (ServeStartError before the hello) saying what happened, with
    /// the exit status and the end of the server's stderr.
    [[noreturn]] void died(const std::string& what);
    /// The next line from the protocol channel (without its newline); died(on_eof) at its end.
    std::string read_line(const std::string& on_eof);
    std::string log_tail() const;

    std::filesystem::path log_;
    std::unique_ptr<Child> child_;
    int protocol_ = -1, stream_ = -1;
    std::string pending_;  ///< bytes read from the protocol channel beyond the last reply
    nlohmann::json hello_;
    std::string describe_;
    uint64_t next_id_ = 1;
    bool greeted_ = false;
    std::vector<uint64_t> awaited_;  ///< ids sent and not yet answered, in order
};

}  // namespace ppcmig::runner::detail
