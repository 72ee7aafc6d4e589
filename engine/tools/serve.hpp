// `ppcmig-engine serve`: the JSON-lines control protocol (engine/tools/SERVE_PROTOCOL.md) through
// which a driver configures a machine, runs it, and migrates it to or from another engine
// process — possibly a binary built from another git revision — over a pipe or a file.
#pragma once

#include <memory>
#include <stdexcept>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppcmig::machine {
class SpaprMachine;
}

namespace ppcmig::tools {

/// Version of the protocol in the hello line; bumped on any incompatible change.
inline constexpr int kServeProtocol = 1;

/// A request that failed: the error kind of the protocol ("bad_request", "load", …), a
/// one-line message, and structured detail merged into the reply's "error" object.
class ServeError : public std::runtime_error {
public:
    ServeError(std::string kind, const std::string& message, nlohmann::json detail = nlohmann::json::object())
        : std::runtime_error(message), kind(std::move(kind)), detail(std::move(detail)) {}
    std::string kind;
    nlohmann::json detail;
};

/// One server's machine and its command logic, independent of the transport: a request line
/// (or object) in, one reply object out. Never throws; every failure is an error reply.
class ServeSession {
public:
    /// `protocol_fd`: the descriptor replies are written to, refused as a transfer descriptor
    /// (as are 0, 1 and 2).
    explicit ServeSession(int protocol_fd = -1);
    ~ServeSession();
    ServeSession(const ServeSession&) = delete;
    ServeSession& operator=(const ServeSession&) = delete;

    /// The first line the server writes: protocol version, engine revision, builds.
    [[nodiscard]] static nlohmann::json hello();

    /// Parses one request line and handles it.
    nlohmann::json handle_line(std::string_view line);
    /// Handles one parsed request.
    nlohmann::json handle(const nlohmann::json& request);

    /// Set once a quit request has been answered.
    [[nodiscard]] bool quit_requested() const { return quit_; }

private:
    enum class State : uint8_t { Unconfigured, Fresh, Ready, Failed };

    /// One request of the protocol and its handler: dispatch, the greeting's command list and
    /// the unknown-command error all read this table.
    using Handler = nlohmann::json (ServeSession::*)(const nlohmann::json&);
    struct Command {
        std::string_view name;
        Handler handler;
    };
    static std::span<const Command> commands();

    nlohmann::json dispatch(const nlohmann::json& request);
    nlohmann::json cmd_quit(const nlohmann::json& request);
    nlohmann::json cmd_configure(const nlohmann::json& request);
    nlohmann::json cmd_run(const nlohmann::json& request);
    nlohmann::json cmd_migrate_out(const nlohmann::json& request);
    nlohmann::json cmd_incoming(const nlohmann::json& request);
    nlohmann::json cmd_inherit_counters(const nlohmann::json& request);
    nlohmann::json cmd_query(const nlohmann::json& request);
    // Observation for a differential runner (serve_observe.cpp).
    nlohmann::json cmd_pause(const nlohmann::json& request);
    nlohmann::json cmd_resume_in_place(const nlohmann::json& request);
    nlohmann::json cmd_view(const nlohmann::json& request);
    nlohmann::json cmd_pages(const nlohmann::json& request);
    nlohmann::json cmd_chunks(const nlohmann::json& request);
    nlohmann::json cmd_step(const nlohmann::json& request);
    machine::SpaprMachine& usable_machine(std::string_view cmd) const;
    /// The machine ran: it is `ready`, and counters can no longer be inherited.
    void mark_ran() {
        state_ = State::Ready;
        just_loaded_ = false;
    }

    int protocol_fd_;
    State state_ = State::Unconfigured;
    std::string build_;
    std::unique_ptr<machine::SpaprMachine> machine_;
    nlohmann::json failure_;  ///< the error that made the machine unusable
    bool just_loaded_ = false;  ///< a stream was loaded and nothing has run since (counters may be inherited)
    bool quit_ = false;
};

/// Serves requests read from `in_fd`, writing the hello line and one reply per request to
/// `out_fd`, until end of input or a quit request (exit status 0), or until the reply channel
/// fails (1). `trace` copies every line in and out to stderr.
int serve(int in_fd, int out_fd, bool trace);

/// The `serve` command: ignores SIGPIPE, moves the protocol off file descriptor 1 (which is then
/// pointed at stderr, so nothing else can ever reach the protocol channel) and serves stdin.
int cmd_serve(const std::vector<std::string>& args);

}  // namespace ppcmig::tools
