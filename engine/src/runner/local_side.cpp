// A side in this process: the SpaprMachine itself.
#include <fmt/format.h>

#include "ppcmig/memory/guest_memory.hpp"
#include "side.hpp"

namespace ppcmig::runner::detail {

std::optional<uint64_t> View::value(int vcpu, std::string_view name) const {
    if (vcpu < 0) {
        for (const auto& [n, v] : machine)
            if (n == name) return v;
        return std::nullopt;
    }
    if (static_cast<size_t>(vcpu) >= vcpus.size()) return std::nullopt;
    for (size_t k = 0; k < names.size() && k < vcpus[static_cast<size_t>(vcpu)].size(); ++k)
        if (names[k] == name) return vcpus[static_cast<size_t>(vcpu)][k];
    return std::nullopt;
}

nlohmann::json counters_to_json(const Counters& c) {
    nlohmann::json cpus = nlohmann::json::array();
    for (const auto& v : c) {
        nlohmann::json irqs = nlohmann::json::object();
        for (size_t i = 0; i < v.interrupts.size(); ++i)
            if (v.interrupts[i]) irqs[fmt::format("{:#x}", i * 0x20)] = v.interrupts[i];
        cpus.push_back({{"icount", v.icount}, {"interrupts", irqs}});
    }
    return nlohmann::json{{"cpus", cpus}};
}

Counters counters_from_json(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("cpus") || !j["cpus"].is_array())
        throw std::runtime_error("counters: expected {\"cpus\": [...]}");
    Counters out;
    for (const auto& e : j["cpus"]) {
        machine::SpaprMachine::VcpuCounters c;
        if (!e.is_object() || !e.contains("icount") || !e["icount"].is_number_unsigned())
            throw std::runtime_error("counters: a vCPU without an icount");
        c.icount = e["icount"].get<uint64_t>();
        if (e.contains("interrupts")) {
            for (const auto& [vec, n] : e["interrupts"].items()) {
                size_t pos = 0;
                const unsigned long v = std::stoul(vec, &pos, 16);
                if (pos != vec.size() || v % 0x20 != 0 || v >= 4096 || !n.is_number_unsigned())
                    throw std::runtime_error(fmt::format("counters: bad interrupt entry \"{}\"", vec));
                c.interrupts[v / 0x20] = n.get<uint64_t>();
            }
        }
        out.push_back(c);
    }
    return out;
}

namespace {

bool alive(machine::MachineStop s) { return s == machine::MachineStop::Budget || s == machine::MachineStop::AllIdle; }

class LocalSide final : public Side {
public:
    LocalSide(std::string label, const machine::MachineConfig& cfg, const builds::Profile& profile, const memory::ElfImage& elf)
        : Side(std::move(label)), build_(profile.name), m_(std::make_unique<machine::SpaprMachine>(cfg, profile.behaviour)) {
        m_->load_guest(elf);
    }

    [[nodiscard]] std::string build() const override { return build_; }
    machine::SpaprMachine* machine() override { return m_.get(); }
    [[nodiscard]] std::optional<cpu::Family> family() override { return m_->config().cpu.family; }
    [[nodiscard]] uint64_t quantum() const override { return m_->quantum(); }
    [[nodiscard]] uint64_t now() const override { return m_->now(); }
    [[nodiscard]] bool powered_off() override { return m_->powered_off(); }
    [[nodiscard]] uint64_t page_count() const override { return m_->memory().page_count(); }

    machine::MachineStop run(uint64_t ticks) override { return m_->run(ticks); }
    void pause(uint64_t ticks) override { m_->pause(ticks); }
    void resume_in_place() override { m_->resume_in_place(); }

    Saved save(const std::optional<migration::PrecopyParams>& precopy) override {
        Saved s;
        if (precopy) {
            migration::PrecopyStats st;
            s.bytes = migration::save_machine_live(*m_, *precopy, st);
            s.precopy = nlohmann::json{{"iterations", st.iterations}, {"pages_sent", st.pages_sent}, {"final_pages", st.final_pages},
                                       {"downtime_ns", st.downtime_ns}, {"stop_time", st.stop_time}};
        } else {
            s.bytes = migration::save_machine(*m_);
        }
        s.counters = m_->counters();
        return s;
    }
    std::vector<std::string> load(std::span<const uint8_t> stream) override {
        std::vector<std::string> warnings;
        migration::load_machine(*m_, stream, warnings);
        return warnings;
    }
    void inherit_counters(const Counters& c) override { m_->inherit_counters(c); }

    const std::string& console() override { return m_->console(); }
    std::vector<std::string> errors() override { return m_->errors(); }
    nlohmann::json state_json() override { return m_->state_json(); }
    View view(const ViewLayout& layout) override {
        View v;
        v.names = layout.names();
        for (const auto& c : m_->vcpus()) v.vcpus.push_back(layout.values(*c));
        v.machine = ViewLayout::machine_values(*m_);
        v.state_digest = state_digest(layout, *m_);
        return v;
    }

    std::map<uint64_t, std::string> touched() override {
        std::map<uint64_t, std::string> out;
        for (uint64_t p : m_->memory().touched_pages()) out.emplace(p, page_hash(*m_, p));
        (void)m_->memory().collect_dirty();
        return out;
    }
    void clear_dirty() override { (void)m_->memory().collect_dirty(); }
    std::map<uint64_t, std::vector<uint8_t>> contents(const std::set<uint64_t>& pages) override {
        std::map<uint64_t, std::vector<uint8_t>> out;
        for (uint64_t p : pages) {
            if (p >= m_->memory().page_count()) continue;
            const uint8_t* at = m_->memory().data() + (p << memory::kPageShift);
            out.emplace(p, std::vector<uint8_t>(at, at + memory::kPageSize));
        }
        return out;
    }

    // In process there is nothing to overlap with: the work happens in end_*.
    void begin_chunks(const ChunkRequest& r, const ViewLayout& layout) override {
        request_ = r;
        layout_ = &layout;
    }
    std::vector<ChunkObservation> end_chunks() override {
        std::vector<ChunkObservation> out;
        const std::set<ViewKey> exclude(request_.exclude.begin(), request_.exclude.end());
        for (const uint64_t ticks : request_.ticks) {
            ChunkObservation o;
            const size_t console_before = m_->console().size();
            o.stop = m_->run(ticks);
            o.ran = true;
            if (request_.observe) {
                o.digest = view_digest(*layout_, *m_, exclude, machine_values_);
                o.excluded = view_values(*layout_, *m_, request_.exclude, machine_values_);
                for (uint64_t p : m_->memory().collect_dirty()) o.dirty.emplace_back(p, page_hash(*m_, p));
                o.console = m_->console().substr(console_before);
            }
            out.push_back(std::move(o));
            if (!alive(out.back().stop)) break;
        }
        return out;
    }
    void begin_step(uint64_t ticks, const ViewLayout& layout) override {
        step_ticks_ = ticks;
        layout_ = &layout;
    }
    ChunkTrace end_step() override { return record_chunk(*m_, *layout_, step_ticks_); }

private:
    std::string build_;
    std::unique_ptr<machine::SpaprMachine> m_;
    MachineValues machine_values_;
    ChunkRequest request_;
    const ViewLayout* layout_ = nullptr;
    uint64_t step_ticks_ = 0;
};

}  // namespace

std::unique_ptr<Side> make_local_side(std::string label, const machine::MachineConfig& cfg, const builds::Profile& profile,
                                      const memory::ElfImage& elf) {
    return std::make_unique<LocalSide>(std::move(label), cfg, profile, elf);
}

}  // namespace ppcmig::runner::detail
