#include "ppcmig/runner/observe.hpp"

#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "ppcmig/cpu/spr.hpp"
#include "ppcmig/migration/stream.hpp"

namespace ppcmig::runner {

namespace {

// Time-base derived SPRs: their values move with virtual time on both sides alike, and a lost
// or late timer shows as the interrupt it does or does not cause.
bool is_timer_spr(unsigned n) {
    using namespace cpu::sprn;
    return n == DEC || n == TB || n == TBU || n == TBL_W || n == TBU_W || n == TBU40 || n == PURR || n == SPURR ||
           n == HDEC || n == XER || n == LR || n == CTR;  // the last three live in their own fields
}

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL, kFnvPrime = 0x100000001b3ULL;

struct Fnv {
    uint64_t h = kFnvOffset;
    void bytes(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * kFnvPrime;
    }
    void u64(uint64_t v) { bytes(&v, sizeof v); }
};

uint64_t fnv1a(std::string_view s) {
    Fnv f;
    f.bytes(s.data(), s.size());
    return f.h;
}

uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

constexpr uint64_t kVcpuSalt = 0x9e3779b97f4a7c15ULL;

std::string hex_bytes(const uint8_t* p, size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(2 * n, '0');
    for (size_t i = 0; i < n; ++i) {
        out[2 * i] = kDigits[p[i] >> 4];
        out[2 * i + 1] = kDigits[p[i] & 15];
    }
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

[[noreturn]] void malformed(const std::string& what) { throw std::runtime_error(fmt::format("malformed step trace: {}", what)); }

void unhex_into(const std::string& s, uint8_t* out, size_t room, const std::string& what) {
    if (s.size() % 2 != 0 || s.size() / 2 > room) malformed(fmt::format("{}: {} hex digits for at most {} bytes", what, s.size(), room));
    for (size_t i = 0; i < s.size() / 2; ++i) {
        const int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) malformed(fmt::format("{}: not hex at digit {}", what, 2 * i));
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
}

uint32_t fetch_word(const machine::SpaprMachine& m, uint64_t pc, bool le) {
    if (!m.memory().contains(pc, 4)) return 0;
    const uint8_t* b = m.memory().data() + pc;
    return le ? (uint32_t(b[3]) << 24 | uint32_t(b[2]) << 16 | uint32_t(b[1]) << 8 | b[0])
              : (uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3]);
}

}  // namespace

// ------------------------------------------------------------------ the view
ViewLayout::ViewLayout(cpu::Family family) : family_(family) {
    for (int i = 0; i < 32; ++i) names_.push_back(fmt::format("r{}", i));
    for (const char* n : {"nip", "msr", "cr", "lr", "ctr", "xer", "fpscr", "vscr"}) names_.emplace_back(n);
    for (int i = 0; i < 64; ++i) {
        names_.push_back(fmt::format("vsr{}.hi", i));
        names_.push_back(fmt::format("vsr{}.lo", i));
    }
    for (unsigned n = 0; n < 1024; ++n) {
        if (is_timer_spr(n)) continue;
        sprs_.push_back(n);
        const cpu::SprInfo* info = cpu::find_spr(n, family);
        names_.push_back(info ? std::string(info->name) : fmt::format("spr{}", n));
    }
    for (const char* n : {"reserve_addr", "running", "ceded", "compat_pvr", "icp.xirr", "icp.mfrr", "icp.pending"})
        names_.emplace_back(n);
    for (unsigned v = 0; v < 4096 / 0x20; ++v) names_.push_back(fmt::format("interrupts[{:#x}]", v * 0x20));
    for (const auto& n : names_) name_hashes_.push_back(fnv1a(n));
}

std::vector<uint64_t> ViewLayout::values(const machine::Vcpu& v) const {
    const cpu::CpuState& s = v.cpu->s;
    std::vector<uint64_t> out;
    out.reserve(names_.size());
    out.insert(out.end(), s.gpr.begin(), s.gpr.end());
    for (uint64_t x : {s.nip, s.msr, uint64_t(s.cr), s.lr, s.ctr, s.xer, s.fpscr, uint64_t(s.vscr)}) out.push_back(x);
    for (const auto& r : s.vsr) {
        out.push_back(r.hi);
        out.push_back(r.lo);
    }
    for (unsigned n : sprs_) out.push_back(s.spr[n]);
    for (uint64_t x : {s.reserve_addr, uint64_t(v.running), uint64_t(v.ceded), uint64_t(v.compat_pvr), uint64_t(v.icp.xirr),
                       uint64_t(v.icp.mfrr), uint64_t(v.icp.pending_priority)})
        out.push_back(x);
    out.insert(out.end(), v.interrupts.begin(), v.interrupts.end());
    return out;
}

std::vector<std::pair<std::string, uint64_t>> ViewLayout::machine_values(const machine::SpaprMachine& m) {
    Fnv ics, xive, ov5, dev;
    for (const auto& e : m.ics()) {
        ics.u64(e.server);
        ics.u64((uint64_t(e.priority) << 24) | (uint64_t(e.saved_priority) << 16) | (uint64_t(e.status) << 8) | e.flags);
    }
    const machine::Xive& x = m.xive();
    for (const auto& s : x.sources) {
        xive.u64((uint64_t(s.pq) << 56) | (uint64_t(s.masked) << 48) | (uint64_t(s.priority) << 32) | s.target);
        xive.u64(s.eisn);
    }
    for (const auto& server : x.queues)
        for (const auto& q : server) {
            xive.u64(q.qpage);
            xive.u64((uint64_t(q.qshift) << 40) | (uint64_t(q.generation) << 33) | (uint64_t(q.always_notify) << 32) | q.index);
        }
    xive.bytes(x.cppr.data(), x.cppr.size());
    xive.bytes(x.nsr.data(), x.nsr.size());
    ov5.bytes(m.ov5_cas().data(), m.ov5_cas().size());
    const machine::Vty& vty = m.vty();
    for (uint64_t v : {vty.signal_state, vty.crq_qladdr, uint64_t(vty.crq_qsize), uint64_t(vty.crq_qnext), uint64_t(vty.in),
                       uint64_t(vty.out)})
        dev.u64(v);
    dev.bytes(vty.buf.data(), vty.buf.size());
    for (const auto& msi : m.phb().msi) dev.u64((uint64_t(msi.config_addr) << 32) ^ (uint64_t(msi.first_irq) << 8) ^ msi.num);
    return {{"active_interrupt_controller", static_cast<uint64_t>(m.active_ic())},
            {"powered_off", m.powered_off()},
            {"ov5_cas", ov5.h},
            {"ics", ics.h},
            {"xive", xive.h},
            {"devices", dev.h}};  // the console is compared by the oracle (a migrated run's spans machines)
}

std::vector<std::string> ViewLayout::machine_names() {
    return {"active_interrupt_controller", "powered_off", "ov5_cas", "ics", "xive", "devices"};
}

std::optional<cpu::Family> family_named(std::string_view name) {
    for (const auto f : {cpu::Family::Power7, cpu::Family::Power8, cpu::Family::Power9, cpu::Family::Power10})
        if (cpu::to_string(f) == name) return f;
    return std::nullopt;
}

uint64_t view_entry_hash_of(int vcpu, uint64_t name_hash, uint64_t value) {
    return splitmix64(name_hash ^ (static_cast<uint64_t>(static_cast<int64_t>(vcpu) + 1) * kVcpuSalt) ^ splitmix64(value));
}

uint64_t view_entry_hash(int vcpu, std::string_view name, uint64_t value) {
    return view_entry_hash_of(vcpu, fnv1a(name), value);
}

uint64_t view_digest(const std::vector<std::string>& names, const std::vector<std::vector<uint64_t>>& vcpus,
                     const std::vector<std::pair<std::string, uint64_t>>& machine, const std::set<ViewKey>& exclude) {
    uint64_t sum = 0;
    for (size_t i = 0; i < vcpus.size(); ++i) {
        const int vcpu = static_cast<int>(i);
        // The excluded keys of this vCPU, found by name once rather than per entry.
        std::vector<bool> skip(names.size(), false);
        for (auto it = exclude.lower_bound(ViewKey{vcpu, ""}); it != exclude.end() && it->vcpu == vcpu; ++it)
            for (size_t k = 0; k < names.size(); ++k)
                if (names[k] == it->name) skip[k] = true;
        for (size_t k = 0; k < names.size() && k < vcpus[i].size(); ++k)
            if (!skip[k]) sum += view_entry_hash(vcpu, names[k], vcpus[i][k]);
    }
    for (const auto& [name, value] : machine)
        if (!exclude.contains(ViewKey{-1, name})) sum += view_entry_hash(-1, name, value);
    return sum;
}

MachineValues::Digested MachineValues::digested(const machine::SpaprMachine& m) {
    const machine::Xive& x = m.xive();
    return Digested{m.ics(), x.sources, x.queues, x.cppr, x.nsr, m.vty(), m.phb(), m.ov5_cas(), m.active_ic(), m.powered_off()};
}

const std::vector<std::pair<std::string, uint64_t>>& MachineValues::of(const machine::SpaprMachine& m) {
    const machine::Xive& x = m.xive();
    const bool same = last_ && last_->ics == m.ics() && last_->sources == x.sources && last_->queues == x.queues &&
                      last_->cppr == x.cppr && last_->nsr == x.nsr && last_->vty == m.vty() && last_->phb == m.phb() &&
                      last_->ov5 == m.ov5_cas() && last_->ic == m.active_ic() && last_->powered_off == m.powered_off();
    if (!same) {
        last_ = digested(m);
        values_ = ViewLayout::machine_values(m);
    }
    return values_;
}

uint64_t view_digest(const ViewLayout& layout, const machine::SpaprMachine& m, const std::set<ViewKey>& exclude,
                     MachineValues& machine_values) {
    // Called after every chunk of a comparison across processes: name hashes come precomputed.
    const auto& names = layout.names();
    const auto& hashes = layout.name_hashes();
    uint64_t sum = 0;
    for (size_t i = 0; i < m.vcpus().size(); ++i) {
        const int vcpu = static_cast<int>(i);
        const std::vector<uint64_t> values = layout.values(*m.vcpus()[i]);
        std::vector<bool> skip(names.size(), false);
        for (auto it = exclude.lower_bound(ViewKey{vcpu, ""}); it != exclude.end() && it->vcpu == vcpu; ++it)
            for (size_t k = 0; k < names.size(); ++k)
                if (names[k] == it->name) skip[k] = true;
        for (size_t k = 0; k < values.size(); ++k)
            if (!skip[k]) sum += view_entry_hash_of(vcpu, hashes[k], values[k]);
    }
    for (const auto& [name, value] : machine_values.of(m))
        if (!exclude.contains(ViewKey{-1, name})) sum += view_entry_hash(-1, name, value);
    return sum;
}

std::vector<std::optional<uint64_t>> view_values(const ViewLayout& layout, const machine::SpaprMachine& m,
                                                 const std::vector<ViewKey>& keys, MachineValues& machine_values) {
    std::vector<std::optional<uint64_t>> out;
    const auto& machine = machine_values.of(m);
    std::vector<std::optional<std::vector<uint64_t>>> views(m.vcpus().size());
    for (const auto& key : keys) {
        std::optional<uint64_t> value;
        if (key.vcpu < 0) {
            for (const auto& [name, v] : machine)
                if (name == key.name) value = v;
        } else if (static_cast<size_t>(key.vcpu) < views.size()) {
            auto& view = views[static_cast<size_t>(key.vcpu)];
            if (!view) view = layout.values(*m.vcpus()[static_cast<size_t>(key.vcpu)]);
            for (size_t k = 0; k < layout.names().size(); ++k)
                if (layout.names()[k] == key.name) value = (*view)[k];
        }
        out.push_back(value);
    }
    return out;
}

std::string page_hash(const uint8_t* page) {
    uint64_t a = 0x6a09e667f3bcc908ULL, b = 0xbb67ae8584caa73bULL;
    for (size_t i = 0; i < memory::kPageSize; i += 8) {
        uint64_t w = 0;
        for (int k = 7; k >= 0; --k) w = w << 8 | page[i + static_cast<size_t>(k)];
        // Two independent chains: they run side by side in the pipeline.
        a = splitmix64(a ^ w);
        b = splitmix64(b ^ std::rotl(w, 29));
    }
    return fmt::format("{:016x}{:016x}", a, b);
}

std::string page_hash(const machine::SpaprMachine& m, uint64_t page) {
    return page_hash(m.memory().data() + (page << memory::kPageShift));
}

nlohmann::json view_json(const ViewLayout& layout, const machine::SpaprMachine& m) {
    nlohmann::json vcpus = nlohmann::json::array();
    for (const auto& v : m.vcpus()) vcpus.push_back(layout.values(*v));
    nlohmann::json machine = nlohmann::json::array();
    for (const auto& [name, value] : ViewLayout::machine_values(m)) machine.push_back({name, value});
    return nlohmann::json{{"family", std::string(cpu::to_string(layout.family()))},
                          {"names", layout.names()},
                          {"vcpus", std::move(vcpus)},
                          {"machine", std::move(machine)},
                          {"state_digest", state_digest(layout, m)},
                          {"now", m.now()},
                          {"powered_off", m.powered_off()}};
}

std::string state_digest(const ViewLayout& layout, const machine::SpaprMachine& m) {
    Fnv h;
    for (const auto& v : m.vcpus())
        for (uint64_t x : layout.values(*v)) h.u64(x);
    for (const auto& [name, value] : ViewLayout::machine_values(m)) h.u64(value);
    auto& mem = m.memory();
    for (uint64_t p : mem.touched_pages()) {
        if (migration::page_is_zero(mem.data() + (p << memory::kPageShift))) continue;  // as if never touched
        h.u64(p);
        h.bytes(mem.data() + (p << memory::kPageShift), memory::kPageSize);
    }
    return fmt::format("{:016x}", h.h);
}

// ------------------------------------------------------------------ traces
const std::vector<uint8_t>* ChunkTrace::page_at(uint64_t page, size_t index) const {
    const auto it = pages.find(page);
    if (it == pages.end()) return nullptr;
    const std::vector<uint8_t>* out = &it->second.initial;
    for (const auto& [at, bytes] : it->second.writes) {
        if (at > index) break;
        out = &bytes;
    }
    return out;
}

const std::vector<uint8_t>* ChunkTrace::page_at_end(uint64_t page) const {
    const auto it = pages.find(page);
    if (it == pages.end()) return nullptr;
    return it->second.writes.empty() ? &it->second.initial : &it->second.writes.back().second;
}

const std::vector<uint8_t>* ChunkTrace::page_written_by(uint64_t page, size_t index) const {
    const auto it = pages.find(page);
    if (it == pages.end()) return nullptr;
    for (const auto& [at, bytes] : it->second.writes)
        if (at == index) return &bytes;
    return nullptr;
}

ChunkTrace record_chunk(machine::SpaprMachine& m, const ViewLayout& layout, uint64_t ticks) {
    ChunkTrace t;
    t.names = layout.names();
    t.machine_names = ViewLayout::machine_names();
    for (const auto& v : m.vcpus()) t.start_vcpus.push_back(layout.values(*v));
    for (const auto& [name, value] : ViewLayout::machine_values(m)) t.start_machine.push_back(value);
    auto& mem = m.memory();
    (void)mem.collect_dirty();
    // Contents before the chunk of the pages it may write: a page's first write in the chunk
    // is seen only after it happened. Untouched pages read as zero.
    std::map<uint64_t, std::vector<uint8_t>> before;
    for (uint64_t p : mem.touched_pages()) {
        const uint8_t* at = mem.data() + (p << memory::kPageShift);
        before.emplace(p, std::vector<uint8_t>(at, at + memory::kPageSize));
    }
    std::vector<std::array<uint64_t, 4096 / 0x20>> last_interrupts;
    for (const auto& v : m.vcpus()) last_interrupts.push_back(v->interrupts);
    const machine::SpaprMachine::StepObserver observer = [&](unsigned vcpu, uint64_t pc) {
        machine::Vcpu& v = *m.vcpus()[vcpu];
        StepRecord r;
        r.vcpu = vcpu;
        r.pc = pc;
        r.tick = m.now() + (v.cpu->icount() - v.round_start_icount);
        r.word = fetch_word(m, pc, v.cpu->little_endian());
        r.values = layout.values(v);
        for (const auto& [name, value] : ViewLayout::machine_values(m)) r.machine.push_back(value);
        const size_t index = t.steps.size();
        for (uint64_t p : mem.collect_dirty()) {
            r.pages.push_back(p);
            auto [it, fresh] = t.pages.try_emplace(p);
            if (fresh) {
                const auto b = before.find(p);
                it->second.initial = b != before.end() ? std::move(b->second) : std::vector<uint8_t>(memory::kPageSize, 0);
            }
            const uint8_t* at = mem.data() + (p << memory::kPageShift);
            it->second.writes.emplace_back(index, std::vector<uint8_t>(at, at + memory::kPageSize));
        }
        auto& last = last_interrupts[vcpu];
        for (size_t i = 0; i < last.size(); ++i)
            if (v.interrupts[i] != last[i]) r.interrupt = static_cast<int>(i * 0x20);
        last = v.interrupts;
        t.steps.push_back(std::move(r));
    };
    t.stop = m.run(ticks, &observer);
    return t;
}

namespace {

// Changed byte ranges of a page: [[offset, "hex"], …].
nlohmann::json page_delta(const std::vector<uint8_t>& from, const std::vector<uint8_t>& to) {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < to.size();) {
        if (from[i] == to[i]) {
            ++i;
            continue;
        }
        size_t j = i;
        // Runs separated by a few equal bytes are sent as one (fewer, longer entries).
        while (j < to.size() && (from[j] != to[j] || (j + 4 < to.size() && std::memcmp(&from[j], &to[j], 4) != 0))) ++j;
        out.push_back({i, hex_bytes(&to[i], j - i)});
        i = j;
    }
    return out;
}

const nlohmann::json& member(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) malformed(fmt::format("{}: missing \"{}\"", where, key));
    return j.at(key);
}

uint64_t u64_of(const nlohmann::json& j, const std::string& where) {
    if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<int64_t>() >= 0))
        malformed(fmt::format("{}: expected a non-negative integer", where));
    return j.get<uint64_t>();
}

std::vector<std::string> strings_of(const nlohmann::json& j, const std::string& where) {
    if (!j.is_array()) malformed(fmt::format("{}: expected an array of strings", where));
    std::vector<std::string> out;
    for (const auto& s : j) {
        if (!s.is_string()) malformed(fmt::format("{}: expected an array of strings", where));
        out.push_back(s.get<std::string>());
    }
    return out;
}

std::vector<uint64_t> u64s_of(const nlohmann::json& j, size_t n, const std::string& where) {
    if (!j.is_array() || j.size() != n) malformed(fmt::format("{}: expected {} integers", where, n));
    std::vector<uint64_t> out;
    out.reserve(n);
    for (const auto& v : j) out.push_back(u64_of(v, where));
    return out;
}

void apply_changes(std::vector<uint64_t>& values, const nlohmann::json& changes, const std::string& where) {
    if (!changes.is_array()) malformed(fmt::format("{}: expected [[index, value], …]", where));
    for (const auto& c : changes) {
        if (!c.is_array() || c.size() != 2) malformed(fmt::format("{}: expected [[index, value], …]", where));
        const uint64_t k = u64_of(c[0], where);
        if (k >= values.size()) malformed(fmt::format("{}: index {} past the {} values", where, k, values.size()));
        values[k] = u64_of(c[1], where);
    }
}

}  // namespace

std::string_view stop_name(machine::MachineStop s) {
    switch (s) {
        case machine::MachineStop::Budget: return "budget";
        case machine::MachineStop::PowerOff: return "poweroff";
        case machine::MachineStop::AllIdle: return "all_idle";
        case machine::MachineStop::Error: return "error";
    }
    return "error";
}

std::optional<machine::MachineStop> stop_named(std::string_view s) {
    for (const auto v : {machine::MachineStop::Budget, machine::MachineStop::PowerOff, machine::MachineStop::AllIdle,
                         machine::MachineStop::Error})
        if (stop_name(v) == s) return v;
    return std::nullopt;
}

nlohmann::json trace_to_json(const ChunkTrace& t) {
    using nlohmann::json;
    json steps = json::array();
    std::vector<std::vector<uint64_t>> last = t.start_vcpus;
    std::vector<uint64_t> last_machine = t.start_machine;
    std::map<uint64_t, const std::vector<uint8_t>*> contents;
    for (const auto& [p, h] : t.pages) contents[p] = &h.initial;
    std::map<uint64_t, size_t> next_write;  // per page: index into its writes
    for (size_t i = 0; i < t.steps.size(); ++i) {
        const StepRecord& r = t.steps[i];
        json values = json::array(), machine = json::array(), pages = json::array();
        auto& prev = last[r.vcpu];
        for (size_t k = 0; k < r.values.size(); ++k)
            if (r.values[k] != prev[k]) values.push_back({k, r.values[k]});
        prev = r.values;
        for (size_t k = 0; k < r.machine.size(); ++k)
            if (r.machine[k] != last_machine[k]) machine.push_back({k, r.machine[k]});
        last_machine = r.machine;
        for (uint64_t p : r.pages) {
            const auto& writes = t.pages.at(p).writes;
            const auto& after = writes.at(next_write[p]++).second;
            pages.push_back({p, page_delta(*contents[p], after)});
            contents[p] = &after;
        }
        steps.push_back({r.vcpu, r.pc, r.tick, r.word, r.interrupt, std::move(values), std::move(machine), std::move(pages)});
    }
    json initial = json::array();
    for (const auto& [p, h] : t.pages) initial.push_back({p, hex_bytes(h.initial.data(), h.initial.size())});
    return json{{"names", t.names},
                {"machine_names", t.machine_names},
                {"start", {{"vcpus", t.start_vcpus}, {"machine", t.start_machine}}},
                {"steps", std::move(steps)},
                {"initial", std::move(initial)},
                {"stop", std::string(stop_name(t.stop))}};
}

ChunkTrace trace_from_json(const nlohmann::json& j) {
    ChunkTrace t;
    t.names = strings_of(member(j, "names", "trace"), "names");
    t.machine_names = strings_of(member(j, "machine_names", "trace"), "machine_names");
    const auto& start = member(j, "start", "trace");
    const auto& sv = member(start, "vcpus", "start");
    if (!sv.is_array()) malformed("start.vcpus: expected an array");
    for (const auto& v : sv) t.start_vcpus.push_back(u64s_of(v, t.names.size(), "start.vcpus"));
    t.start_machine = u64s_of(member(start, "machine", "start"), t.machine_names.size(), "start.machine");
    const auto stop = stop_named(member(j, "stop", "trace").is_string() ? j.at("stop").get<std::string>() : "");
    if (!stop) malformed("stop: not a stop name");
    t.stop = *stop;
    const auto& initial = member(j, "initial", "trace");
    if (!initial.is_array()) malformed("initial: expected an array");
    std::map<uint64_t, std::vector<uint8_t>> current;
    for (const auto& e : initial) {
        if (!e.is_array() || e.size() != 2 || !e[1].is_string()) malformed("initial: expected [[page, hex], …]");
        const uint64_t p = u64_of(e[0], "initial");
        std::vector<uint8_t> bytes(memory::kPageSize, 0);
        const auto& text = e[1].get_ref<const std::string&>();
        if (text.size() != 2 * memory::kPageSize) malformed(fmt::format("initial: page {:#x} is not {} bytes", p, memory::kPageSize));
        unhex_into(text, bytes.data(), bytes.size(), fmt::format("initial page {:#x}", p));
        t.pages[p].initial = bytes;
        current[p] = std::move(bytes);
    }
    std::vector<std::vector<uint64_t>> last = t.start_vcpus;
    std::vector<uint64_t> last_machine = t.start_machine;
    const auto& steps = member(j, "steps", "trace");
    if (!steps.is_array()) malformed("steps: expected an array");
    for (size_t i = 0; i < steps.size(); ++i) {
        const auto& s = steps[i];
        const std::string where = fmt::format("steps[{}]", i);
        if (!s.is_array() || s.size() != 8) malformed(fmt::format("{}: expected [vcpu, pc, tick, word, interrupt, values, machine, pages]", where));
        StepRecord r;
        const uint64_t vcpu = u64_of(s[0], where + " vcpu");
        if (vcpu >= last.size()) malformed(fmt::format("{}: vCPU {} of {}", where, vcpu, last.size()));
        r.vcpu = static_cast<unsigned>(vcpu);
        r.pc = u64_of(s[1], where + " pc");
        r.tick = u64_of(s[2], where + " tick");
        r.word = static_cast<uint32_t>(u64_of(s[3], where + " word"));
        if (!s[4].is_number_integer()) malformed(where + " interrupt: expected an integer");
        r.interrupt = s[4].get<int>();
        apply_changes(last[r.vcpu], s[5], where + " values");
        r.values = last[r.vcpu];
        apply_changes(last_machine, s[6], where + " machine");
        r.machine = last_machine;
        if (!s[7].is_array()) malformed(where + " pages: expected an array");
        for (const auto& pg : s[7]) {
            if (!pg.is_array() || pg.size() != 2 || !pg[1].is_array()) malformed(where + " pages: expected [[page, [[offset, hex], …]], …]");
            const uint64_t p = u64_of(pg[0], where + " page");
            const auto it = current.find(p);
            if (it == current.end()) malformed(fmt::format("{}: page {:#x} has no initial contents", where, p));
            for (const auto& d : pg[1]) {
                if (!d.is_array() || d.size() != 2 || !d[1].is_string()) malformed(where + " page delta: expected [offset, hex]");
                const uint64_t off = u64_of(d[0], where + " page delta offset");
                if (off >= memory::kPageSize) malformed(fmt::format("{}: offset {} past the page", where, off));
                unhex_into(d[1].get<std::string>(), it->second.data() + off, memory::kPageSize - off, where + " page delta");
            }
            r.pages.push_back(p);
            t.pages[p].writes.emplace_back(i, it->second);
        }
        t.steps.push_back(std::move(r));
    }
    return t;
}

}  // namespace ppcmig::runner
