#include "serve_process.hpp"

// Boost.Process v1 with std::filesystem (Boost's own filesystem library is not needed).
#define BOOST_PROCESS_USE_STD_FS 1
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/posix.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

namespace ppcmig::runner::detail {

namespace bp = boost::process;

struct ServeProcess::Child {
    bp::child process;
};

namespace {

/// A descriptor closed when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

std::pair<Fd, Fd> socket_pair(const char* what) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw std::runtime_error(fmt::format("cannot create the {} channel: {}", what, std::strerror(errno)));
    return {Fd(sv[0]), Fd(sv[1])};
}

/// A copy above the descriptors the child's ends are bound to (0-3), so that binding one never
/// overwrites another before it is bound.
Fd high_copy(const Fd& fd) {
    const int n = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 10);
    if (n < 0) throw std::runtime_error(fmt::format("cannot duplicate a descriptor: {}", std::strerror(errno)));
    return Fd(n);
}

// Forks are serialised: Boost.Process creates its exec-error pipe without O_CLOEXEC and sets
// the flag afterwards, so a fork in another thread in between would hand that pipe to an
// unrelated server and stall this spawn until that server exits.
std::mutex& spawn_mutex() {
    static std::mutex m;
    return m;
}

}  // namespace

ServeProcess::ServeProcess(const std::filesystem::path& engine, const std::filesystem::path& log) : log_(log) {
    describe_ = fmt::format("engine {}", engine.string());
    auto [protocol, protocol_child] = socket_pair("protocol");
    auto [stream, stream_child] = socket_pair("stream");
    Fd err(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (err.get() < 0) throw ServeStartError(fmt::format("cannot create {}: {}", log.string(), std::strerror(errno)));
    Fd p = high_copy(protocol_child), s = high_copy(stream_child), e = high_copy(err);
    protocol_child.reset();
    stream_child.reset();
    err.reset();
    try {
        const std::lock_guard lock(spawn_mutex());
        child_ = std::make_unique<Child>(Child{bp::child(bp::exe = engine.string(), bp::args = std::vector<std::string>{"serve"},
                                                         bp::posix::fd.bind(0, p.get()), bp::posix::fd.bind(1, p.get()),
                                                         bp::posix::fd.bind(2, e.get()),
                                                         bp::posix::fd.bind(kStreamFd, s.get()))});
    } catch (const std::exception& ex) {
        throw ServeStartError(fmt::format("cannot start {} serve: {}", engine.string(), ex.what()));
    }
    // The child's ends are the child's alone now: end of file on the protocol channel must mean
    // the server is gone.
    p.reset();
    s.reset();
    e.reset();
    // Owned by the locals until the server greeted: a failure below closes them.
    protocol_ = protocol.get();
    stream_ = stream.get();
    // The hello comes before any request.
    const std::string line = read_line("exited before its hello");
    try {
        hello_ = nlohmann::json::parse(line).at("hello");
    } catch (const std::exception&) {
        died(fmt::format("greeted with '{}' instead of a serve hello", line.substr(0, 200)));
    }
    if (hello_.contains("engine") && hello_["engine"].is_string())
        describe_ = fmt::format("engine {} (revision {})", engine.string(), hello_["engine"].get<std::string>());
    (void)protocol.release();
    (void)stream.release();
    greeted_ = true;
}

ServeProcess::~ServeProcess() {
    if (protocol_ >= 0) {
        const std::string quit = "{\"cmd\":\"quit\"}\n";
        (void)::send(protocol_, quit.data(), quit.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        ::close(protocol_);
    }
    if (stream_ >= 0) ::close(stream_);
    if (!child_) return;
    // A server busy with a long request finishes it first; one that does not exit soon after
    // its channels closed is killed (it is ours: started above, known by its pid).
    std::error_code ec;
    for (int i = 0; i < 500 && child_->process.running(ec); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (child_->process.running(ec)) child_->process.terminate(ec);
    child_->process.wait(ec);
}

bool ServeProcess::has_command(std::string_view command) const {
    if (!hello_.contains("commands") || !hello_["commands"].is_array()) return false;
    for (const auto& c : hello_["commands"])
        if (c.is_string() && c.get<std::string>() == command) return true;
    return false;
}

std::string ServeProcess::log_tail() const {
    std::ifstream in(log_, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > 600) text = "…" + text.substr(text.size() - 600);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

void ServeProcess::died(const std::string& what) {
    std::string status;
    if (child_) {
        std::error_code ec;
        for (int i = 0; i < 200 && child_->process.running(ec); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (!child_->process.running(ec)) status = fmt::format(", exit status {}", child_->process.exit_code());
    }
    const std::string tail = log_tail();
    const std::string message = fmt::format("{} {}{}{}", describe_, what, status,
                                            tail.empty() ? std::string() : fmt::format("; its stderr ends: {}", tail));
    if (!greeted_) throw ServeStartError(message);
    throw std::runtime_error(message);
}

void ServeProcess::send(nlohmann::json request) {
    const uint64_t id = next_id_++;
    request["id"] = id;
    const std::string line = request.dump() + "\n";
    size_t off = 0;
    while (off < line.size()) {
        const ssize_t n = ::send(protocol_, line.data() + off, line.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) died(fmt::format("stopped reading requests ({})", std::strerror(errno)));
        off += static_cast<size_t>(n);
    }
    awaited_.push_back(id);
}

std::string ServeProcess::read_line(const std::string& on_eof) {
    for (;;) {
        const auto nl = pending_.find('\n');
        if (nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        char buf[65536];
        const ssize_t n = ::read(protocol_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) died(on_eof);
        pending_.append(buf, static_cast<size_t>(n));
    }
}

nlohmann::json ServeProcess::receive() {
    if (awaited_.empty()) throw std::logic_error("ServeProcess::receive without a request");
    const std::string line = read_line("exited in the middle of a request");
    nlohmann::json reply;
    try {
        reply = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
        died(fmt::format("sent a reply that is not JSON ({})", e.what()));
    }
    const uint64_t id = awaited_.front();
    awaited_.erase(awaited_.begin());
    if (!reply.is_object() || !reply.contains("id") || reply["id"] != id || !reply.contains("ok"))
        died(fmt::format("answered request {} with '{}'", id, line.substr(0, 200)));
    if (!reply["ok"].get<bool>()) {
        const nlohmann::json& err = reply.contains("error") ? reply["error"] : nlohmann::json::object();
        const std::string kind = err.value("kind", "unknown");
        throw ServeFailure(fmt::format("{}: {}", describe_, err.value("message", "request failed")), kind, err);
    }
    return reply;
}

std::optional<std::vector<uint8_t>> ServeProcess::receive_stream() {
    std::vector<uint8_t> header(8), body;
    size_t got = 0;
    uint64_t length = 0;
    bool in_body = false;
    for (;;) {
        std::vector<uint8_t>& target = in_body ? body : header;
        if (got == target.size()) {
            if (in_body) return body;
            for (uint8_t b : header) length = length << 8 | b;
            body.resize(length);
            in_body = true;
            got = 0;
            continue;
        }
        pollfd fds[2] = {{stream_, POLLIN, 0}, {protocol_, POLLIN, 0}};
        const bool have_reply = pending_.find('\n') != std::string::npos;
        if (::poll(fds, 2, have_reply ? 0 : -1) < 0) {
            if (errno == EINTR) continue;
            died(fmt::format("could not be waited for ({})", std::strerror(errno)));
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            const ssize_t n = ::read(stream_, target.data() + got, target.size() - got);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) died(fmt::format("broke the stream channel ({})", std::strerror(errno)));
            if (n == 0) return std::nullopt;  // the server closed it: its reply says why
            got += static_cast<size_t>(n);
        } else if (have_reply || (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            // The reply came without (the rest of) a stream: the request failed.
            return std::nullopt;
        }
    }
}

bool ServeProcess::send_stream(std::span<const uint8_t> stream) {
    std::vector<uint8_t> header(8);
    for (int i = 0; i < 8; ++i) header[static_cast<size_t>(i)] = static_cast<uint8_t>(uint64_t(stream.size()) >> (56 - 8 * i));
    size_t off = 0;
    const size_t total = 8 + stream.size();
    while (off < total) {
        pollfd fds[2] = {{stream_, POLLOUT, 0}, {protocol_, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            died(fmt::format("could not be waited for ({})", std::strerror(errno)));
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) return false;  // answered before reading it all
        if (fds[0].revents & (POLLERR | POLLHUP)) return false;
        if (!(fds[0].revents & POLLOUT)) continue;
        const uint8_t* from = off < 8 ? header.data() + off : stream.data() + (off - 8);
        const size_t len = off < 8 ? 8 - off : total - off;
        const ssize_t n = ::send(stream_, from, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n < 0) return false;
        off += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace ppcmig::runner::detail
