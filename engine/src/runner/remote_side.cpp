// A side in a `ppcmig-engine serve` process of an external binary (SERVE_PROTOCOL.md). A server
// that lists the observation requests (view, pages, chunks, step) is compared exactly like a
// machine in process; an older one only through `query state` (see observable()).
#include <array>

#include <fmt/format.h>

#include "ppcmig/machine/config.hpp"
#include "ppcmig/migration/vmstate.hpp"
#include "serve_process.hpp"
#include "side.hpp"

namespace ppcmig::runner::detail {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 4> kObservation = {"view", "pages", "chunks", "step"};

bool alive(machine::MachineStop s) { return s == machine::MachineStop::Budget || s == machine::MachineStop::AllIdle; }

machine::MachineStop stop_of(const json& reply) {
    const auto s = reply.contains("stop") && reply["stop"].is_string() ? stop_named(reply["stop"].get<std::string>()) : std::nullopt;
    if (!s) throw std::runtime_error(fmt::format("a serve reply without a valid stop: {}", reply.dump().substr(0, 200)));
    return *s;
}

uint64_t u64_at(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number_unsigned())
        throw std::runtime_error(fmt::format("a serve reply without \"{}\": {}", key, j.dump().substr(0, 200)));
    return j[key].get<uint64_t>();
}

uint64_t parse_hex(const json& v) {
    if (!v.is_string()) throw std::runtime_error("a state field that is not a hex string");
    return std::stoull(v.get<std::string>(), nullptr, 16);
}

std::vector<uint8_t> unhex(const std::string& s) {
    if (s.size() % 2 != 0) throw std::runtime_error("page contents of odd length");
    std::vector<uint8_t> out(s.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(std::stoul(s.substr(2 * i, 2), nullptr, 16));
    return out;
}

/// What `query state` shows of the compared view (an older serve has nothing closer): the
/// fields of the view it has, under the view's names.
View view_from_state(const json& st) {
    View v;
    v.partial = true;
    for (int i = 0; i < 32; ++i) v.names.push_back(fmt::format("r{}", i));
    for (const char* n : {"nip", "msr", "cr", "lr", "ctr", "xer", "fpscr", "PVR", "PCR", "LPCR", "running", "ceded", "compat_pvr"})
        v.names.emplace_back(n);
    for (unsigned k = 0; k < 4096 / 0x20; ++k) v.names.push_back(fmt::format("interrupts[{:#x}]", k * 0x20));
    for (const auto& c : st.at("cpus")) {
        std::vector<uint64_t> values;
        for (const auto& g : c.at("gpr")) values.push_back(parse_hex(g));
        for (const char* n : {"nip", "msr", "cr", "lr", "ctr", "xer", "fpscr", "pvr", "pcr", "lpcr"}) values.push_back(parse_hex(c.at(n)));
        values.push_back(c.at("running").get<bool>());
        values.push_back(c.at("ceded").get<bool>());
        values.push_back(parse_hex(c.at("compat_pvr")));
        std::vector<uint64_t> irqs(4096 / 0x20, 0);
        for (const auto& [vec, n] : c.at("interrupts").items()) {
            const uint64_t k = std::stoull(vec, nullptr, 16) / 0x20;
            if (k < irqs.size()) irqs[k] = n.get<uint64_t>();
        }
        values.insert(values.end(), irqs.begin(), irqs.end());
        v.vcpus.push_back(std::move(values));
    }
    const std::string ic = st.at("active_interrupt_controller").get<std::string>();
    for (const auto m : {machine::IcMode::Legacy, machine::IcMode::Xics, machine::IcMode::Xive, machine::IcMode::Dual})
        if (machine::to_string(m) == ic) v.machine.emplace_back("active_interrupt_controller", static_cast<uint64_t>(m));
    v.machine.emplace_back("powered_off", st.at("powered_off").get<bool>());
    return v;
}

class RemoteSide final : public Side {
public:
    RemoteSide(std::string label, const ExternalSpec& spec)
        : Side(std::move(label)), proc_(spec.engine, spec.log) {
        const json& hello = proc_.hello();
        if (!hello.contains("protocol") || hello["protocol"] != 1)
            throw ExternalSpecError("engine", fmt::format("{} speaks serve protocol {}; this runner speaks 1", proc_.describe(),
                                                          hello.value("protocol", json(nullptr)).dump()));
        observable_ = true;
        for (const auto c : kObservation) observable_ = observable_ && proc_.has_command(c);
        json req{{"cmd", "configure"}, {"build", spec.build}, {"args", spec.args}, {"guest", spec.guest.string()}};
        if (!spec.changeset.empty()) req["changeset"] = spec.changeset;
        json reply;
        try {
            reply = proc_.call(req);
        } catch (const ServeFailure& f) {
            const json& e = f.error;
            if (f.kind == "unknown_build") throw ExternalSpecError("build", f.what());
            if (f.kind == "changeset") throw ExternalSpecError("changeset", f.what());
            if (f.kind == "bad_request" && e.value("key", "") == "changeset")
                throw ExternalSpecError("changeset", fmt::format("{} predates changesets in serve's configure", proc_.describe()));
            if (f.kind == "config") {
                // QEMU's refusal, rebuilt as the machine layer raises it in process.
                const std::string option = e.value("option", "");
                std::string message = e.value("message", "");
                if (!option.empty() && message.starts_with(option + ": ")) message.erase(0, option.size() + 2);
                machine::ConfigError err(option, message, e.value("hint", ""));
                if (e.value("unknown_to_build", false)) err.unknown();
                throw err;
            }
            throw;
        }
        build_ = reply.value("build", spec.build);
        quantum_ = u64_at(reply, "quantum");
        now_ = u64_at(reply, "now");
    }

    [[nodiscard]] std::string build() const override { return build_; }
    [[nodiscard]] bool observable() const override { return observable_; }
    [[nodiscard]] std::string limitation() const override {
        if (observable_) return {};
        return fmt::format("{} has no view/pages/chunks/step requests: compared through `query state` at each resume and at "
                           "the end only (registers, compat mode, interrupts taken, console; RAM not compared, no first "
                           "divergent instruction)",
                           proc_.describe());
    }

    [[nodiscard]] std::optional<cpu::Family> family() override {
        if (!observable_) return std::nullopt;
        return family_named(proc_.call({{"cmd", "view"}}).at("family").get<std::string>());
    }
    [[nodiscard]] uint64_t quantum() const override { return quantum_; }
    [[nodiscard]] uint64_t now() const override { return now_; }
    [[nodiscard]] bool powered_off() override {
        const json r = proc_.call({{"cmd", "query"}, {"what", "status"}});
        now_ = u64_at(r, "now");
        return r.value("powered_off", false);
    }
    [[nodiscard]] uint64_t page_count() const override { return page_count_; }

    machine::MachineStop run(uint64_t ticks) override {
        const json r = proc_.call({{"cmd", "run"}, {"insns", ticks}});
        now_ = u64_at(r, "now");
        console_stale_ = true;
        return stop_of(r);
    }
    void pause(uint64_t ticks) override {
        require("pause");
        now_ = u64_at(proc_.call({{"cmd", "pause"}, {"ticks", ticks}}), "now");
    }
    void resume_in_place() override {
        require("resume_in_place");
        now_ = u64_at(proc_.call({{"cmd", "resume_in_place"}}), "now");
    }

    Saved save(const std::optional<migration::PrecopyParams>& precopy) override {
        json req{{"cmd", "migrate_out"}, {"fd", ServeProcess::kStreamFd}, {"framing", "length"}};
        if (precopy)
            req["precopy"] = {{"bandwidth", precopy->bandwidth}, {"downtime_ns", precopy->downtime_ns},
                              {"max_iterations", precopy->max_iterations}};
        proc_.send(req);
        auto bytes = proc_.receive_stream();
        const json r = proc_.receive();  // the error, when no stream came
        if (!bytes) throw std::runtime_error(fmt::format("{} answered migrate_out without sending a stream", proc_.describe()));
        if (r.value("bytes", uint64_t(0)) != bytes->size())
            throw std::runtime_error(fmt::format("{} sent {} stream bytes, its reply says {}", proc_.describe(), bytes->size(),
                                                 r.value("bytes", uint64_t(0))));
        now_ = u64_at(r, "now");
        console_stale_ = true;
        Saved s;
        s.bytes = std::move(*bytes);
        if (r.contains("precopy")) {
            const json& p = r["precopy"];
            s.precopy = json{{"iterations", p.at("iterations")}, {"pages_sent", p.at("pages_sent")}, {"final_pages", p.at("final_pages")},
                             {"downtime_ns", p.at("downtime_ns")}, {"stop_time", p.at("stop_time")}};
        }
        s.counters = counters_from_json(r.at("counters"));
        return s;
    }

    std::vector<std::string> load(std::span<const uint8_t> stream) override {
        proc_.send({{"cmd", "incoming"}, {"fd", ServeProcess::kStreamFd}, {"framing", "length"}});
        const bool delivered = proc_.send_stream(stream);
        json r;
        try {
            r = proc_.receive();
        } catch (const ServeFailure& f) {
            if (f.kind != "load") throw;
            const json& e = f.error;
            std::vector<std::string> chain;
            for (const auto& line : e.value("chain", json::array())) chain.push_back(line.get<std::string>());
            migration::LoadError err(chain, e.value("section", ""), e.value("instance", 0u), e.value("field", ""),
                                     e.value("offset", size_t(0)));
            err.err = -e.value("errno", 22);
            throw err;
        }
        if (!delivered) throw std::runtime_error(fmt::format("{} loaded a stream it did not read whole", proc_.describe()));
        now_ = u64_at(r, "now");
        std::vector<std::string> warnings;
        for (const auto& w : r.value("warnings", json::array())) warnings.push_back(w.get<std::string>());
        return warnings;
    }

    void inherit_counters(const Counters& c) override {
        (void)proc_.call({{"cmd", "inherit_counters"}, {"counters", counters_to_json(c)}});
    }

    const std::string& console() override {
        if (console_stale_) {
            const json r = proc_.call({{"cmd", "query"}, {"what", "console"}, {"from", console_.size()}});
            console_ += r.at("console").get<std::string>();
            console_stale_ = false;
        }
        return console_;
    }
    std::vector<std::string> errors() override {
        std::vector<std::string> out;
        const json r = proc_.call({{"cmd", "query"}, {"what", "errors"}});
        for (const auto& e : r.at("errors")) out.push_back(e.get<std::string>());
        return out;
    }
    json state_json() override { return proc_.call({{"cmd", "query"}, {"what", "state"}}).at("state"); }

    View view(const ViewLayout& layout) override {
        if (!observable_) return view_from_state(state_json());
        const json r = proc_.call({{"cmd", "view"}, {"family", std::string(cpu::to_string(layout.family()))}});
        View v;
        v.names = r.at("names").get<std::vector<std::string>>();
        v.vcpus = r.at("vcpus").get<std::vector<std::vector<uint64_t>>>();
        for (const auto& e : r.at("machine")) v.machine.emplace_back(e.at(0).get<std::string>(), e.at(1).get<uint64_t>());
        v.state_digest = r.at("state_digest").get<std::string>();
        return v;
    }

    std::map<uint64_t, std::string> touched() override {
        std::map<uint64_t, std::string> out;
        if (!observable_) return out;
        const json r = proc_.call({{"cmd", "pages"}, {"which", "touched"}, {"clear_dirty", true}});
        page_count_ = u64_at(r, "page_count");
        for (const auto& e : r.at("pages")) out.emplace(e.at(0).get<uint64_t>(), e.at(1).get<std::string>());
        return out;
    }
    void clear_dirty() override {
        if (observable_) page_count_ = u64_at(proc_.call({{"cmd", "pages"}, {"which", "dirty"}}), "page_count");
    }
    std::map<uint64_t, std::vector<uint8_t>> contents(const std::set<uint64_t>& pages) override {
        std::map<uint64_t, std::vector<uint8_t>> out;
        if (!observable_ || pages.empty()) return out;
        if (page_count_ == 0) clear_dirty();  // learns the page count
        json list = json::array();
        for (uint64_t p : pages)
            if (p < page_count_) list.push_back(p);
        if (list.empty()) return out;
        const json r = proc_.call({{"cmd", "pages"}, {"which", "list"}, {"pages", list}, {"contents", true}});
        for (const auto& e : r.at("pages")) out.emplace(e.at(0).get<uint64_t>(), unhex(e.at(2).get<std::string>()));
        return out;
    }

    void begin_chunks(const ChunkRequest& r, const ViewLayout& layout) override {
        request_ = r;
        if (!observable_) return;  // run one by one in end_chunks
        json exclude = json::array();
        for (const auto& k : r.exclude) exclude.push_back({k.vcpu < 0 ? json(nullptr) : json(k.vcpu), k.name});
        json req{{"cmd", "chunks"}, {"ticks", r.ticks}, {"observe", r.observe}};
        if (r.observe) {
            req["exclude"] = std::move(exclude);
            req["family"] = std::string(cpu::to_string(layout.family()));
        }
        proc_.send(req);
    }
    std::vector<ChunkObservation> end_chunks() override {
        std::vector<ChunkObservation> out;
        if (!observable_) {
            for (const uint64_t t : request_.ticks) {
                ChunkObservation o;
                o.stop = run(t);
                o.ran = true;
                out.push_back(o);
                if (!alive(o.stop)) break;
            }
            return out;
        }
        const json r = proc_.receive();
        for (const auto& c : r.at("chunks")) {
            ChunkObservation o;
            o.stop = stop_of(c);
            o.ran = true;
            if (request_.observe) {
                o.digest = std::stoull(c.at("digest").get<std::string>(), nullptr, 16);
                for (const auto& v : c.at("excluded")) o.excluded.push_back(v.is_null() ? std::nullopt : std::optional(v.get<uint64_t>()));
                for (const auto& d : c.at("dirty")) o.dirty.emplace_back(d.at(0).get<uint64_t>(), d.at(1).get<std::string>());
                o.console = c.at("console").get<std::string>();
                if (!console_stale_) console_ += o.console;
            }
            out.push_back(std::move(o));
        }
        now_ = u64_at(r, "now");
        if (!request_.observe) console_stale_ = true;
        return out;
    }

    void begin_step(uint64_t ticks, const ViewLayout& layout) override {
        require("step");
        proc_.send({{"cmd", "step"}, {"ticks", ticks}, {"family", std::string(cpu::to_string(layout.family()))}});
    }
    ChunkTrace end_step() override {
        const json r = proc_.receive();
        now_ = u64_at(r, "now");
        console_stale_ = true;
        return trace_from_json(r.at("trace"));
    }

private:
    void require(std::string_view command) const {
        if (!proc_.has_command(command))
            throw CapabilityError(fmt::format("{} has no `{}` request (it predates it)", proc_.describe(), command));
    }

    ServeProcess proc_;
    std::string build_;
    bool observable_ = false;
    uint64_t quantum_ = 0, now_ = 0, page_count_ = 0;
    std::string console_;
    bool console_stale_ = true;
    ChunkRequest request_;
};

}  // namespace

std::unique_ptr<Side> make_remote_side(std::string label, const ExternalSpec& spec) {
    try {
        return std::make_unique<RemoteSide>(std::move(label), spec);
    } catch (const ServeStartError& e) {
        throw ExternalSpecError("engine", fmt::format("not a usable ppcmig-engine: {}", e.what()));
    }
}

}  // namespace ppcmig::runner::detail
