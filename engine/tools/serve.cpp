// The serve protocol: request validation, the machine's life cycle (unconfigured -> fresh ->
// ready, or failed after a rejected incoming stream) and the commands. The wire format and
// every reply field are specified in SERVE_PROTOCOL.md; keep the two in step.
#include "serve.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <optional>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "engine_version.hpp"
#include "ppcmig/builds/build.hpp"
#include "ppcmig/builds/changeset.hpp"
#include "ppcmig/machine/config.hpp"
#include "ppcmig/machine/machine_version.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/memory/elf_image.hpp"
#include "ppcmig/migration/stream.hpp"
#include "ppcmig/runner/observe.hpp"
#include "serve_request.hpp"
#include "serve_transfer.hpp"
#include "ppcmig/util/sha256.hpp"

namespace ppcmig::tools {

using nlohmann::json;
using util::sha256_hex;

namespace {

constexpr std::array<std::string_view, 6> kQueries = {"status", "state", "console", "errors", "warnings", "counters"};

std::string errno_name(int err) {
    const char* n = strerrorname_np(err);
    return n ? n : fmt::format("errno {}", err);
}

uint64_t total_icount(machine::SpaprMachine& m) {
    uint64_t n = 0;
    for (const auto& v : m.vcpus()) n += v->cpu->icount();
    return n;
}

/// The per-vCPU counters a migration stream does not carry (QEMU has no such counters): the
/// instructions each vCPU retired and the interrupts it took, by vector.
json counters_json(machine::SpaprMachine& m) {
    json cpus = json::array();
    for (const auto& v : m.vcpus()) {
        json irqs = json::object();
        for (size_t i = 0; i < v->interrupts.size(); ++i)
            if (v->interrupts[i]) irqs[fmt::format("{:#x}", i * 0x20)] = v->interrupts[i];
        cpus.push_back({{"icount", v->cpu->icount()}, {"interrupts", irqs}});
    }
    return json{{"cpus", cpus}};
}

using VcpuCounters = machine::SpaprMachine::VcpuCounters;

/// Validates a "counters" object (the shape counters_json writes) for a machine of `vcpus`.
std::vector<VcpuCounters> parse_counters(const json& c, size_t vcpus) {
    auto bad = [](const std::string& what) {
        return ServeError("bad_request", fmt::format("inherit_counters: \"counters\": {}", what), {{"key", "counters"}});
    };
    if (!c.is_object()) throw bad(fmt::format("must be an object {{\"cpus\": [...]}}, got {}", type_name(c)));
    for (const auto& [k, _] : c.items())
        if (k != "cpus") throw bad(fmt::format("unknown key \"{}\" (accepted: cpus)", k));
    if (!c.contains("cpus") || !c["cpus"].is_array()) throw bad("\"cpus\" must be an array");
    const auto& cpus = c["cpus"];
    if (cpus.size() != vcpus)
        throw bad(fmt::format("{} vCPUs given, the configured machine has {}", cpus.size(), vcpus));
    std::vector<VcpuCounters> out(vcpus);
    for (size_t i = 0; i < vcpus; ++i) {
        const auto& e = cpus[i];
        if (!e.is_object()) throw bad(fmt::format("cpus[{}] must be an object", i));
        for (const auto& [k, _] : e.items())
            if (k != "icount" && k != "interrupts")
                throw bad(fmt::format("cpus[{}]: unknown key \"{}\" (accepted: icount, interrupts)", i, k));
        if (!e.contains("icount") || !e["icount"].is_number_unsigned())
            throw bad(fmt::format("cpus[{}].icount must be a non-negative integer", i));
        out[i].icount = e["icount"].get<uint64_t>();
        if (!e.contains("interrupts")) continue;
        if (!e["interrupts"].is_object()) throw bad(fmt::format("cpus[{}].interrupts must be an object", i));
        for (const auto& [vec, n] : e["interrupts"].items()) {
            size_t pos = 0;
            uint64_t v = 0;
            try {
                v = std::stoull(vec, &pos, 16);
            } catch (const std::exception&) {
                pos = 0;
            }
            if (vec.rfind("0x", 0) != 0 || pos != vec.size() || v % 0x20 != 0 || v >= 4096)
                throw bad(fmt::format("cpus[{}].interrupts: \"{}\" is not an interrupt vector (0x0 ... 0xfe0, a "
                                      "multiple of 0x20)", i, vec));
            if (!n.is_number_unsigned())
                throw bad(fmt::format("cpus[{}].interrupts[\"{}\"] must be a non-negative integer", i, vec));
            out[i].interrupts[v / 0x20] = n.get<uint64_t>();
        }
    }
    return out;
}

ServeError io_error(const TransferError& e, const json& where) {
    json d = where;
    d["errno"] = e.err;
    d["errno_name"] = e.err ? errno_name(e.err) : "";
    d["transferred"] = e.transferred;
    return ServeError("io", e.what(), d);
}

/// Where a stream goes to or comes from: a descriptor with its framing, or a path.
struct Endpoint {
    std::optional<int> fd;
    std::string path;
    Framing framing = Framing::Eof;
    [[nodiscard]] json where() const {
        if (fd) return json{{"fd", *fd}, {"framing", std::string(to_string(framing))}};
        return json{{"path", path}};
    }
};

Endpoint parse_endpoint(const Request& r, int protocol_fd) {
    Endpoint ep;
    if (r.has("fd") == r.has("path"))
        throw ServeError("bad_request", fmt::format("{}: give exactly one of \"fd\" (a descriptor passed to the server) "
                                                    "and \"path\"", r.where()));
    if (r.has("fd")) {
        const uint64_t fd = *r.u64("fd");
        if (fd > INT_MAX) r.wrong("fd", "a file descriptor number");
        if (fd <= 2 || static_cast<int>(fd) == protocol_fd)
            throw ServeError("bad_request",
                             fmt::format("{}: fd {} is {}; pass the stream on a descriptor of its own", r.where(), fd,
                                         fd <= 2 ? "a standard stream" : "the server's reply channel"),
                             {{"key", "fd"}});
        ep.fd = static_cast<int>(fd);
        if (const auto f = r.string("framing")) {
            const auto parsed = parse_framing(*f);
            if (!parsed) r.wrong("framing", "\"eof\" or \"length\"");
            ep.framing = *parsed;
        }
    } else {
        if (r.has("framing"))
            throw ServeError("bad_request", fmt::format("{}: \"framing\" applies to \"fd\" only", r.where()),
                             {{"key", "framing"}});
        ep.path = r.required_string("path", "a file or FIFO");
        if (ep.path.empty()) r.wrong("path", "a non-empty path");
    }
    return ep;
}

json precopy_json(const migration::PrecopyStats& st) {
    return json{{"iterations", st.iterations},       {"pages_sent", st.pages_sent},
                {"final_pages", st.final_pages},     {"downtime_ns", st.downtime_ns},
                {"stop_time", st.stop_time},         {"dirty_per_iteration", st.dirty_per_iteration}};
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
    return s;
}

}  // namespace

std::span<const ServeSession::Command> ServeSession::commands() {
    static constexpr std::array<Command, 13> kTable = {{
        {"configure", &ServeSession::cmd_configure},
        {"run", &ServeSession::cmd_run},
        {"migrate_out", &ServeSession::cmd_migrate_out},
        {"incoming", &ServeSession::cmd_incoming},
        {"inherit_counters", &ServeSession::cmd_inherit_counters},
        {"query", &ServeSession::cmd_query},
        {"quit", &ServeSession::cmd_quit},
        // Observation for a differential runner (serve_observe.cpp).
        {"pause", &ServeSession::cmd_pause},
        {"resume_in_place", &ServeSession::cmd_resume_in_place},
        {"view", &ServeSession::cmd_view},
        {"pages", &ServeSession::cmd_pages},
        {"chunks", &ServeSession::cmd_chunks},
        {"step", &ServeSession::cmd_step},
    }};
    return kTable;
}

ServeSession::ServeSession(int protocol_fd) : protocol_fd_(protocol_fd) {}
ServeSession::~ServeSession() = default;

json ServeSession::hello() {
    json builds = json::array();
    for (const auto& b : builds::builds()) builds.push_back(std::string(b.name));
    json commands = json::array();
    for (const auto& c : ServeSession::commands()) commands.push_back(std::string(c.name));
    return json{{"hello",
                 {{"protocol", kServeProtocol},
                  {"engine", std::string(engine_version())},
                  {"builds", builds},
                  {"commands", commands}}}};
}

json ServeSession::handle_line(std::string_view line) {
    json request;
    try {
        request = json::parse(line);
    } catch (const json::parse_error& e) {
        return json{{"id", nullptr},
                    {"ok", false},
                    {"error", {{"kind", "parse"}, {"message", fmt::format("malformed JSON: {}", e.what())}, {"byte", e.byte}}}};
    }
    return handle(request);
}

json ServeSession::handle(const json& request) {
    const json id = request.is_object() && request.contains("id") ? request["id"] : json(nullptr);
    try {
        json reply = dispatch(request);
        reply["id"] = id;
        reply["ok"] = true;
        return reply;
    } catch (const ServeError& e) {
        json err = e.detail;
        err["kind"] = e.kind;
        err["message"] = e.what();
        return json{{"id", id}, {"ok", false}, {"error", err}};
    } catch (const std::exception& e) {
        return json{{"id", id}, {"ok", false}, {"error", {{"kind", "internal"}, {"message", e.what()}}}};
    }
}

json ServeSession::dispatch(const json& request) {
    if (!request.is_object())
        throw ServeError("parse", fmt::format("a request must be a JSON object, got {} {}", type_name(request), shown(request)));
    if (!request.contains("cmd")) throw ServeError("bad_request", "missing \"cmd\"", {{"key", "cmd"}});
    const auto& cmd = request["cmd"];
    if (!cmd.is_string())
        throw ServeError("bad_request", fmt::format("\"cmd\" must be a string, got {} {}", type_name(cmd), shown(cmd)),
                         {{"key", "cmd"}});
    for (const auto& c : commands())
        if (cmd.get_ref<const std::string&>() == c.name) return (this->*c.handler)(request);
    json known = json::array();
    for (const auto& c : commands()) known.push_back(std::string(c.name));
    throw ServeError("unknown_command", fmt::format("unknown command \"{}\"", cmd.get<std::string>()), {{"known", known}});
}

machine::SpaprMachine& ServeSession::usable_machine(std::string_view cmd) const {
    switch (state_) {
        case State::Unconfigured:
            throw ServeError("bad_state", fmt::format("{}: no machine; send configure first", cmd), {{"state", "unconfigured"}});
        case State::Failed:
            throw ServeError("bad_state",
                             fmt::format("{}: the machine is unusable after a failed incoming migration; send configure "
                                         "to create a new one",
                                         cmd),
                             {{"state", "failed"}, {"cause", failure_}});
        case State::Fresh:
        case State::Ready: break;
    }
    return *machine_;
}

json ServeSession::cmd_configure(const json& request) {
    const Request r(request, "configure", {"build", "args", "guest", "changeset"});
    const std::string build = r.string("build").value_or("head");
    const std::vector<std::string> args = r.strings("args").value_or(std::vector<std::string>{});
    const std::string guest = r.required_string("guest", "path of the guest ELF");
    const std::optional<std::string> changeset = r.string("changeset");

    builds::Profile profile;
    try {
        profile = builds::profile(build);
    } catch (const builds::UnknownBuild& e) {
        json known = json::array();
        for (const auto& b : builds::builds()) known.push_back(std::string(b.name));
        throw ServeError("unknown_build", e.what(), {{"build", build}, {"known", known}});
    }
    if (changeset) {
        try {
            profile = builds::profile_with_changeset(build, builds::read_changeset(*changeset));
        } catch (const std::exception& e) {
            throw ServeError("changeset", e.what(), {{"path", *changeset}});
        }
    }
    // Each server parses the arguments with its own build's knowledge, as two QEMU binaries
    // do: "-M pseries" may name different versions, a newer version may not exist.
    machine::MachineConfig cfg;
    try {
        cfg = builds::parse_config(profile, args);
    } catch (const machine::ConfigError& e) {
        throw ServeError("config", e.what(),
                         {{"stage", "parse"}, {"option", e.option}, {"hint", e.hint}, {"warnings", json::array()},
                          {"unknown_to_build", e.unknown_to_build}});
    }
    std::optional<memory::ElfImage> elf;
    try {
        elf = memory::ElfImage::read(guest);
    } catch (const std::exception& e) {
        throw ServeError("guest", e.what(), {{"path", guest}});
    }
    std::unique_ptr<machine::SpaprMachine> m;
    try {
        m = std::make_unique<machine::SpaprMachine>(cfg, profile.behaviour);
    } catch (const machine::ConfigError& e) {
        throw ServeError("config", e.what(),
                         {{"stage", "start"}, {"option", e.option}, {"hint", e.hint}, {"warnings", cfg.warnings},
                          {"unknown_to_build", e.unknown_to_build}});
    }
    try {
        m->load_guest(*elf);
    } catch (const std::exception& e) {
        throw ServeError("guest", e.what(), {{"path", guest}});
    }
    // Only a complete new machine replaces the old one: a failed configure changes nothing.
    machine_ = std::move(m);
    build_ = profile.name;
    state_ = State::Fresh;
    failure_ = nullptr;
    just_loaded_ = false;
    return json{{"build", build_},
                {"machine", machine_->config().version->name},
                {"config", machine_->config().to_args()},
                {"vcpus", machine_->vcpus().size()},
                {"quantum", machine_->quantum()},
                {"now", machine_->now()},
                {"warnings", machine_->warnings()}};
}

json ServeSession::cmd_run(const json& request) {
    const Request r(request, "run", {"insns", "until"});
    const auto insns = r.u64("insns");
    const auto until = r.u64("until");
    if (insns && until) throw ServeError("bad_request", "run: give either \"insns\" or \"until\", not both");
    if (!insns && !until) r.missing("insns", "a virtual-time budget in ticks; or \"until\", an absolute time");
    auto& m = usable_machine(r.where());
    const uint64_t start = m.now();
    if (until && *until < start)
        throw ServeError("bad_request", fmt::format("run: \"until\" {} is before the machine's time {}", *until, start),
                         {{"key", "until"}, {"now", start}});
    const uint64_t icount = total_icount(m);
    const auto stop = m.run(insns ? *insns : *until - start);
    state_ = State::Ready;
    just_loaded_ = false;
    return json{{"stop", std::string(runner::stop_name(stop))},
                {"now", m.now()},
                {"ticks", m.now() - start},
                {"executed", total_icount(m) - icount}};
}

json ServeSession::cmd_migrate_out(const json& request) {
    const Request r(request, "migrate_out", {"fd", "path", "framing", "at", "precopy"});
    const Endpoint ep = parse_endpoint(r, protocol_fd_);
    const auto at = r.u64("at");
    std::optional<migration::PrecopyParams> pre;
    if (const json* p = r.object("precopy")) {
        const Request pr(*p, "migrate_out: precopy", {"bandwidth", "downtime_ns", "max_iterations"}, false);
        pre.emplace();
        if (const auto b = pr.u64("bandwidth")) {
            if (*b == 0) pr.wrong("bandwidth", "at least 1 (bytes per virtual millisecond)");
            pre->bandwidth = *b;
        }
        if (const auto d = pr.u64("downtime_ns")) pre->downtime_ns = *d;
        if (const auto k = pr.u64("max_iterations")) {
            if (*k > UINT_MAX) pr.wrong("max_iterations", fmt::format("at most {}", UINT_MAX));
            pre->max_iterations = static_cast<unsigned>(*k);
        }
    }
    auto& m = usable_machine(r.where());
    // The migration point: the first quantum boundary at or after "at", so that vCPUs have
    // interleaved exactly as in a run that never stops (as run --migrate-at does).
    std::optional<uint64_t> point;
    if (at) {
        const uint64_t q = m.quantum();
        if (*at > UINT64_MAX - q) r.wrong("at", "a time the quantum alignment does not overflow");
        point = (*at + q - 1) / q * q;
        if (*point < m.now())
            throw ServeError("bad_request",
                             fmt::format("migrate_out: \"at\" {} (quantum boundary {}) is before the machine's time {}",
                                         *at, *point, m.now()),
                             {{"key", "at"}, {"now", m.now()}});
    }
    // Everything that can be checked is checked before the guest runs or a byte is written.
    if (ep.fd) {
        try {
            check_fd(*ep.fd, true);
        } catch (const TransferError& e) {
            throw io_error(e, ep.where());
        }
    }
    json reply = ep.where();
    just_loaded_ = false;
    if (point) {
        const uint64_t start = m.now(), icount = total_icount(m);
        const auto stop = m.run(*point - start);
        state_ = State::Ready;
        reply["ran"] = {{"stop", std::string(runner::stop_name(stop))},
                        {"ticks", m.now() - start},
                        {"executed", total_icount(m) - icount}};
    }
    std::vector<uint8_t> bytes;
    if (pre) {
        migration::PrecopyStats st;
        state_ = State::Ready;  // the guest runs during pre-copy
        bytes = migration::save_machine_live(m, *pre, st);
        reply["precopy"] = precopy_json(st);
    } else {
        bytes = migration::save_machine(m);
    }
    const std::string hash = sha256_hex(bytes);
    try {
        if (ep.fd)
            send_stream(*ep.fd, ep.framing, bytes);
        else
            write_stream_path(ep.path, bytes);
    } catch (const TransferError& e) {
        auto err = io_error(e, ep.where());
        err.detail["bytes"] = bytes.size();
        err.detail["sha256"] = hash;
        throw err;
    }
    reply["bytes"] = bytes.size();
    reply["sha256"] = hash;
    reply["now"] = m.now();
    reply["console_length"] = m.console().size();
    reply["counters"] = counters_json(m);
    return reply;
}

json ServeSession::cmd_incoming(const json& request) {
    const Request r(request, "incoming", {"fd", "path", "framing"});
    const Endpoint ep = parse_endpoint(r, protocol_fd_);
    auto& m = usable_machine(r.where());
    // Like QEMU's -incoming: the destination is a machine that has not run.
    if (state_ != State::Fresh)
        throw ServeError("bad_state",
                         fmt::format("incoming: the machine has already run or loaded a stream (time {}); an incoming "
                                     "migration needs a freshly configured machine: send configure first",
                                     m.now()),
                         {{"state", "ready"}});
    std::vector<uint8_t> bytes;
    try {
        if (ep.fd) {
            check_fd(*ep.fd, false);
            bytes = receive_stream(*ep.fd, ep.framing);
        } else {
            bytes = read_stream_path(ep.path);
        }
    } catch (const TransferError& e) {
        throw io_error(e, ep.where());  // nothing was loaded: the machine stays fresh
    }
    const std::string hash = sha256_hex(bytes);
    std::vector<std::string> warnings;
    try {
        migration::load_machine(m, bytes, warnings);
    } catch (const migration::LoadError& e) {
        const int err = e.err < 0 ? -e.err : e.err;
        ServeError fail("load", joined(e.chain),
                        {{"chain", e.chain},
                         {"section", e.section},
                         {"instance", e.instance},
                         {"field", e.field},
                         {"offset", e.offset},
                         {"errno", err},
                         {"errno_name", errno_name(err)},
                         {"bytes", bytes.size()},
                         {"sha256", hash},
                         {"warnings", warnings}});
        state_ = State::Failed;
        failure_ = fail.detail;
        failure_["kind"] = fail.kind;
        failure_["message"] = fail.what();
        throw fail;
    } catch (const std::exception& e) {
        state_ = State::Failed;
        failure_ = {{"kind", "internal"}, {"message", e.what()}};
        throw ServeError("internal", fmt::format("incoming: the load failed outside QEMU's checks: {}", e.what()),
                         {{"bytes", bytes.size()}, {"sha256", hash}});
    }
    state_ = State::Ready;
    just_loaded_ = true;
    json reply = ep.where();
    reply["bytes"] = bytes.size();
    reply["sha256"] = hash;
    reply["now"] = m.now();
    reply["warnings"] = warnings;
    return reply;
}

json ServeSession::cmd_inherit_counters(const json& request) {
    const Request r(request, "inherit_counters", {"counters"});
    if (!r.has("counters")) r.missing("counters", "the \"counters\" of the source's migrate_out reply");
    auto& m = usable_machine(r.where());
    // Only between a load and the first run: later the destination's own counts would be mixed
    // in, and applying twice would count the source's work twice.
    if (!just_loaded_)
        throw ServeError("bad_state",
                         "inherit_counters: only right after a successful incoming, before the machine runs or "
                         "migrates (and once)",
                         {{"state", state_ == State::Fresh ? "fresh" : "ready"}});
    const auto counters = parse_counters(r.raw("counters"), m.vcpus().size());
    m.inherit_counters(counters);
    just_loaded_ = false;
    return json{{"counters", counters_json(m)}};
}

json ServeSession::cmd_quit(const json& request) {
    const Request r(request, "quit", {});
    quit_ = true;
    return json::object();
}

json ServeSession::cmd_query(const json& request) {
    const Request r(request, "query", {"what", "from"});
    std::string names;
    for (const auto q : kQueries) names += (names.empty() ? "" : ", ") + std::string(q);
    const std::string what = r.required_string("what", names);
    if (std::find(kQueries.begin(), kQueries.end(), what) == kQueries.end()) r.wrong("what", "one of " + names);
    if (r.has("from") && what != "console")
        throw ServeError("bad_request", "query: \"from\" applies to \"what\": \"console\" only", {{"key", "from"}});
    if (what == "status") {
        static constexpr std::array<std::string_view, 4> kStates = {"unconfigured", "fresh", "ready", "failed"};
        json reply{{"status", std::string(kStates[static_cast<size_t>(state_)])}};
        if (machine_) {
            reply["build"] = build_;
            reply["machine"] = machine_->config().version->name;
            reply["now"] = machine_->now();
            reply["powered_off"] = machine_->powered_off();
        }
        if (state_ == State::Failed) reply["cause"] = failure_;
        return reply;
    }
    auto& m = usable_machine("query");
    if (what == "state") return json{{"state", m.state_json()}};
    if (what == "console") {
        const uint64_t from = r.u64("from").value_or(0);
        const auto& c = m.console();
        if (from > c.size())
            throw ServeError("bad_request", fmt::format("query: \"from\" {} is past the console's {} bytes", from, c.size()),
                             {{"key", "from"}, {"length", c.size()}});
        return json{{"console", c.substr(from)}, {"length", c.size()}};
    }
    if (what == "errors") return json{{"errors", m.errors()}};
    if (what == "warnings") return json{{"warnings", m.warnings()}};
    return json{{"now", m.now()}, {"counters", counters_json(m)}};
}

// ---- transport ----

namespace {

/// Writes one line completely; false when the reply channel is gone.
bool write_line(int fd, const std::string& line) {
    size_t off = 0;
    while (off < line.size()) {
        const ssize_t n = ::write(fd, line.data() + off, line.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        off += static_cast<size_t>(n);
    }
    return true;
}

std::string encode(const json& j) {
    // The console may hold bytes that are not UTF-8; they become U+FFFD rather than ending the
    // server.
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

int serve(int in_fd, int out_fd, bool trace) {
    ServeSession session(out_fd);
    auto send = [&](const json& j) {
        const std::string line = encode(j);
        if (trace) fmt::print(stderr, "serve> {}", line);
        if (write_line(out_fd, line)) return true;
        fmt::print(stderr, "ppcmig-engine serve: cannot write to the reply channel: {}\n", std::strerror(errno));
        return false;
    };
    if (!send(ServeSession::hello())) return 1;
    std::string pending;
    std::array<char, 65536> buf{};
    bool eof = false;
    while (!eof) {
        const ssize_t n = ::read(in_fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            fmt::print(stderr, "ppcmig-engine serve: cannot read requests: {}\n", std::strerror(errno));
            return 1;
        }
        if (n == 0) {
            eof = true;
            if (pending.empty()) break;
            pending += '\n';  // a last request without its newline is still a request
        } else {
            pending.append(buf.data(), static_cast<size_t>(n));
        }
        size_t start = 0;
        for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
            std::string_view line(pending.data() + start, nl - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank lines are ignored
            if (trace) fmt::print(stderr, "serve< {}\n", line);
            if (!send(session.handle_line(line))) return 1;
            if (session.quit_requested()) return 0;
        }
        pending.erase(0, start);
    }
    return 0;
}

int cmd_serve(const std::vector<std::string>& args) {
    bool trace = false;
    for (const auto& a : args) {
        if (a == "--trace") {
            trace = true;
        } else {
            fmt::print(stderr, "ppcmig-engine serve: unknown option {}\nusage: ppcmig-engine serve [--trace]\n", a);
            return 2;
        }
    }
    // A peer that goes away must show up as EPIPE on the write, not kill the server.
    std::signal(SIGPIPE, SIG_IGN);
    const int out = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (out < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        fmt::print(stderr, "ppcmig-engine serve: cannot set up the reply channel: {}\n", std::strerror(errno));
        return 1;
    }
    const int rc = serve(STDIN_FILENO, out, trace);
    ::close(out);
    return rc;
}

}  // namespace ppcmig::tools
