#include "ppcmig/migration/stream.hpp"

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <ranges>

#include <fmt/format.h>

#include "ppcmig/migration/ppc_cpu.hpp"
#include "ppcmig/migration/ppc_devices.hpp"
#include "ppcmig/migration/ppc_intc.hpp"
#include "ppcmig/migration/ppc_spapr.hpp"
#include "ppcmig/migration/schema_edit.hpp"

namespace ppcmig::migration {

namespace {

enum : uint8_t {
    kEof = 0x00, kStart = 0x01, kPart = 0x02, kEnd = 0x03, kFull = 0x04, kVmdesc = 0x06,
    kConfiguration = 0x07, kFooter = 0x7E,
};
// RAM record flags (low bits of the be64 address word).
constexpr uint64_t kRamZero = 0x02, kRamMemSize = 0x04, kRamPage = 0x08, kRamEos = 0x10, kRamContinue = 0x20;
constexpr uint64_t kPage = 4096;

// An ICP with no vCPU behind it: the <= 2.9 XICS presenters of possible-but-absent vCPUs. Nothing
// can reach them (H_IPI to an absent server fails), so they hold the reset state.
class SpareIcpAccess : public StateAccess {
public:
    uint64_t get(std::string_view key, uint32_t) const override {
        if (const auto v = get_icp_field(icp_, key)) return *v;
        throw std::logic_error(fmt::format("spare icp/server has no field {}", key));
    }
    void set(std::string_view key, uint32_t, uint64_t value) override {
        if (!set_icp_field(icp_, key, value)) throw std::logic_error(fmt::format("spare icp/server has no field {}", key));
    }

private:
    machine::Icp icp_{};
};

// The dummy presenter of 46f7afa37096: same idstr and version, each real field replaced by as
// many unused bytes (4 + 1 + 1), derived from the real schema so the two cannot drift.
Vmsd dummy_icp_vmsd(const Vmsd& icp) {
    Vmsd d{icp.name, icp.version_id, icp.minimum_version_id, {}, {}};
    for (const Field& real : icp.fields) {
        Field f;
        f.name = "unused";
        f.type = FieldType::Unused;
        f.size = real.element_size() * real.count;
        d.fields.push_back(f);
    }
    return d;
}

// The device sections of a machine, in registration order.
struct Registry {
    SpaprSchema spapr_schema;
    CpuSchema cpu_schema;  // initialised from the machine's behaviour below
    Vmsd dummy_icp = dummy_icp_vmsd(cpu_schema.icp);
    IntcSchema intc_schema;
    DeviceSchema device_schema;
    std::unique_ptr<SpaprAccess> spapr;
    std::unique_ptr<VtyAccess> vty;
    std::unique_ptr<PhbAccess> phb;
    std::vector<std::unique_ptr<StateAccess>> intc;
    std::vector<std::unique_ptr<CpuAccess>> cpus;
    std::vector<std::unique_ptr<StateAccess>> spare_icps;
    struct Entry {
        std::string idstr;
        uint32_t instance;
        const Vmsd* vmsd;
        StateAccess* access;
        bool sent = true;  ///< false: accepted on load, never saved (needed() is false)
    };
    std::vector<Entry> entries;
    EditedSchemas edited;  ///< the build's user changesets applied (empty for shipped builds)
    explicit Registry(machine::SpaprMachine& m)
        : spapr_schema(m.behaviour()), cpu_schema(m.behaviour()), intc_schema(m), device_schema(m.behaviour()),
          spapr(std::make_unique<SpaprAccess>(m)), vty(std::make_unique<VtyAccess>(m)),
          phb(std::make_unique<PhbAccess>(m)) {
        for (auto& v : m.vcpus()) {
            cpus.push_back(std::make_unique<CpuAccess>(m, *v));
            entries.push_back({"cpu_common", v->index, &cpu_schema.common, cpus.back().get()});
            entries.push_back({"cpu", v->index, &cpu_schema.cpu, cpus.back().get()});
            // The VPA state of the vCPU (no VPA is modelled: the section is empty, its vpa
            // subsection never needed).
            if (m.behaviour().spapr_cpu_state && !m.config().version->pre_3_0_migration)
                entries.push_back({"spapr_cpu", v->index, &cpu_schema.spapr_cpu, cpus.back().get()});
        }
        // XICS presenters exist with XICS (every ic-mode but xive).
        const uint32_t icp_end = m.has_xics() ? m.config().max_cpus : 0;
        for (size_t i = 0; i < cpus.size() && m.has_xics(); ++i)
            entries.push_back({"icp/server", static_cast<uint32_t>(i), &cpu_schema.icp, cpus[i].get()});
        // Presenters of possible-but-absent vCPUs (servers = maxcpus; see QEMU_DEVIATIONS B4).
        const auto& beh = m.behaviour();
        const bool dummies = beh.dummy_icps && m.config().version->pre_2_10_has_unused_icps;
        for (uint32_t i = static_cast<uint32_t>(cpus.size()); i < icp_end; ++i) {
            if (beh.icps_for_all_servers) {
                spare_icps.push_back(std::make_unique<SpareIcpAccess>());
                entries.push_back({"icp/server", i, &cpu_schema.icp, spare_icps.back().get()});
            } else if (dummies) {
                spare_icps.push_back(std::make_unique<SpareIcpAccess>());
                entries.push_back({"icp/server", i, &dummy_icp, spare_icps.back().get(), false});
            }
        }
        // The interrupt controllers the machine's ic-mode instantiates: XICS sources, XIVE
        // sources/routing/queues and a thread context per vCPU (dual mode has both).
        if (m.has_xics()) {
            intc.push_back(std::make_unique<IcsAccess>(m));
            entries.push_back({"ics", 0, &intc_schema.ics, intc.back().get()});
        }
        if (m.has_xive()) {
            intc.push_back(std::make_unique<XiveAccess>(m));
            entries.push_back({"xive-source", 0, &intc_schema.xive_source, intc.back().get()});
            entries.push_back({"spapr-xive", 0, &intc_schema.spapr_xive, intc.back().get()});
            for (auto& v : m.vcpus()) {
                intc.push_back(std::make_unique<TctxAccess>(m, v->index));
                entries.push_back({"xive-tctx", v->index, &intc_schema.tctx, intc.back().get()});
            }
        }
        // Devices realized by machine init after the controllers: the console, then PHB 0
        // (a sysbus device: no bus path in its idstr); the machine's own state last.
        entries.push_back({std::string(kVtyIdstr), 0, &device_schema.vty, vty.get()});
        entries.push_back({"spapr_pci", 0, &device_schema.pci, phb.get()});
        entries.push_back({"spapr", 0, &spapr_schema.spapr, spapr.get()});
        edit_schemas(m.behaviour().schema_edits);
    }
    // User changesets (builds/CHANGESETS.md): every sent section's schema replaced by its edited
    // copy. The never-sent dummy ICPs stay: they are QEMU's own vmsd, untouched by a patch to
    // icp/server.
    void edit_schemas(std::span<const machine::SchemaEdit> edits) {
        if (edits.empty()) return;
        std::vector<EditedSchemas::Root> roots;
        for (const auto& e : entries)
            if (e.sent) roots.push_back({e.vmsd});
        edited = EditedSchemas(roots, edits, false);
        for (auto& e : entries)
            if (e.sent) e.vmsd = edited[e.vmsd];
    }
};

std::string errno_text(int err) { return std::string(std::strerror(-err)); }

LoadError failure(std::string msg, int err, size_t offset, std::string section = {}, uint32_t instance = 0) {
    std::vector<std::string> chain;
    if (!msg.empty()) chain.push_back(std::move(msg));
    LoadError e(std::move(chain), std::move(section), instance, "", offset);
    e.err = err;
    return e;
}


}  // namespace

// 64 bytes per step (the compiler vectorises the OR), leaving at the first non-zero block: the
// scan of every page is the saver's largest fixed cost.
bool page_is_zero(const uint8_t* p) {
    for (uint64_t i = 0; i < kPage; i += 64) {
        uint64_t acc = 0;
        for (uint64_t j = 0; j < 64; j += 8) {
            uint64_t v;
            std::memcpy(&v, p + i + j, sizeof v);
            acc |= v;
        }
        if (acc != 0) return false;
    }
    return true;
}

std::string ram_block_name(const machine::SpaprMachine& m) {
    // Before 5.0 the main RAM was a plain region; as a memory backend ("ppc_spapr.ram") its block
    // took the backend's QOM path on machines with hostmem's canonical-path compat property, until
    // d96c4d5f193e pinned the legacy id.
    const bool canonical = m.behaviour().ram_block_naming == machine::RamBlockNaming::BackendUnfixed &&
                           m.config().version->hostmem_canonical_ramblock_id;
    return canonical ? "/objects/ppc_spapr.ram" : "ppc_spapr.ram";
}

namespace {

// Writes a stream in the order QEMU does: header, configuration, ram START (block sizes), ram
// PART/END chunks (pages), device FULL sections, EOF, vmdesc.
class StreamSaver {
public:
    explicit StreamSaver(machine::SpaprMachine& m) : m_(m), block_(ram_block_name(m)) {
        w_.be32(kQemuVmMagic);
        w_.be32(kQemuVmVersion);
        // Configuration section: the machine name, no header, no footer.
        w_.u8(kConfiguration);
        const std::string& name = m.config().version->name;
        w_.be32(static_cast<uint32_t>(name.size()));
        w_.bytes(std::span(reinterpret_cast<const uint8_t*>(name.data()), name.size()));
        ram_id_ = section_id_++;
        w_.u8(kStart);
        w_.be32(ram_id_);
        w_.counted("ram");
        w_.be32(0);
        w_.be32(4);
        const uint64_t ram_size = m.memory().size();
        w_.be64(ram_size | kRamMemSize);
        w_.counted(block_);
        w_.be64(ram_size);
        w_.be64(kRamEos);
        footer(ram_id_);
    }

    /// One ram chunk (PART while the guest runs, END at stop-and-copy) with these pages.
    /// `pages`: page numbers, random access (a dirty list, or every page as a range).
    template <class Pages>
    void ram_chunk(bool last, const Pages& pages) {
        w_.u8(last ? kEnd : kPart);
        w_.be32(ram_id_);
        const uint8_t* ram = m_.memory().data();
        // Classify first so the chunk's size is known and the stream grows once: header word
        // per page, one fill byte per zero page, 4 KiB per other page, the block name, EOS,
        // footer, and room for the device sections and vmdesc that usually follow.
        std::vector<uint8_t> zero(pages.size());
        size_t data_pages = 0;
        const auto& mem = m_.memory();
        for (size_t i = 0; i < pages.size(); ++i) {
            // A page never written reads as zero: no need to read it (and fault it in).
            zero[i] = !mem.touched(pages[i]) || page_is_zero(ram + pages[i] * kPage);
            data_pages += !zero[i];
        }
        w_.reserve(pages.size() * 9 + data_pages * kPage + block_.size() + (size_t(1) << 20));
        bool first = true;
        for (size_t i = 0; i < pages.size(); ++i) {
            const uint64_t off = pages[i] * kPage;
            const bool zero_page = zero[i] != 0;
            w_.be64(off | (zero_page ? kRamZero : kRamPage) | (first ? 0 : kRamContinue));
            if (first) w_.counted(block_);
            first = false;
            if (zero_page) w_.u8(0);
            else w_.bytes(std::span(ram + off, kPage));
        }
        w_.be64(kRamEos);
        footer(ram_id_);
    }

    /// Device sections, EOF and the vmdesc trailer; returns the stream.
    std::vector<uint8_t> complete() {
        nlohmann::json devices = nlohmann::json::array();
        Registry reg(m_);
        for (const auto& e : reg.entries) {
            if (!e.sent) continue;
            const uint32_t id = section_id_++;
            w_.u8(kFull);
            w_.be32(id);
            w_.counted(e.idstr);
            w_.be32(e.instance);
            w_.be32(static_cast<uint32_t>(e.vmsd->version_id));
            nlohmann::json desc;
            save_vmsd(*e.vmsd, *e.access, w_, &desc);
            footer(id);
            desc["name"] = e.idstr;
            desc["instance_id"] = e.instance;
            devices.push_back(std::move(desc));
        }
        w_.u8(kEof);
        const std::string& name = m_.config().version->name;
        const nlohmann::json vmdesc{
            {"page_size", kPage},
            {"configuration",
             {{"vmsd_name", "configuration"},
              {"version", 1},
              {"fields", {{{"name", "len"}, {"type", "uint32"}, {"size", 4}}, {{"name", "name"}, {"type", "buffer"}, {"size", name.size()}}}}}},
            {"devices", devices}};
        std::string text = vmdesc.dump();
        // analyze-migration.py finds the trailer as the first '{' after the last NUL byte: a
        // length byte of 0x7b after the length's last zero byte would be taken for the JSON.
        // Trailing blanks are valid JSON and QEMU ignores the trailer.
        const auto length_has_brace = [](uint32_t len) {
            bool after_zero = true;  // the EOF marker before the trailer is a NUL
            bool brace = false;
            for (int sh = 24; sh >= 0; sh -= 8) {
                const auto b = static_cast<uint8_t>(len >> sh);
                if (b == 0) { after_zero = true; brace = false; }
                else if (b == 0x7b && after_zero) brace = true;
            }
            return brace;
        };
        while (length_has_brace(static_cast<uint32_t>(text.size()))) text += ' ';
        w_.u8(kVmdesc);
        w_.be32(static_cast<uint32_t>(text.size()));
        w_.bytes(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
        return w_.take();
    }

    [[nodiscard]] size_t size() const { return w_.size(); }

private:
    void footer(uint32_t id) {
        w_.u8(kFooter);
        w_.be32(id);
    }
    machine::SpaprMachine& m_;
    StreamWriter w_;
    std::string block_;
    uint32_t section_id_ = 0, ram_id_ = 0;
};

// Every page number, without a table of them.
auto all_pages(machine::SpaprMachine& m) { return std::views::iota(uint64_t{0}, m.memory().page_count()); }

}  // namespace

std::vector<uint8_t> save_machine(machine::SpaprMachine& m) {
    StreamSaver saver(m);
    saver.ram_chunk(true, all_pages(m));
    return saver.complete();
}

std::vector<uint8_t> save_machine_live(machine::SpaprMachine& m, const PrecopyParams& p, PrecopyStats& stats) {
    StreamSaver saver(m);
    stats = PrecopyStats{};
    constexpr uint64_t kTicksPerMs = 512'000;  // 512 MHz time base
    const uint64_t q = m.quantum();
    auto transfer_ticks = [&](uint64_t pages) {
        // Virtual time the transfer of these pages takes at the bandwidth, whole quanta.
        const uint64_t bytes = pages * kPage;
        const uint64_t ticks = (bytes * kTicksPerMs + p.bandwidth - 1) / std::max<uint64_t>(p.bandwidth, 1);
        return std::max<uint64_t>(q, (ticks + q - 1) / q * q);
    };
    m.memory().collect_dirty();  // the first pass sends everything; log what changes from now on
    saver.ram_chunk(false, all_pages(m));
    uint64_t sent = m.memory().page_count();
    std::vector<uint64_t> pages;
    while (true) {
        stats.pages_sent += sent;
        stats.dirty_per_iteration.push_back(sent);
        ++stats.iterations;
        m.run(transfer_ticks(sent));  // the guest keeps running (and dirtying) meanwhile
        if (m.powered_off()) break;
        pages = m.memory().collect_dirty();
        const uint64_t remaining_ns = pages.size() * kPage * 1'000'000 / std::max<uint64_t>(p.bandwidth, 1);
        if (remaining_ns <= p.downtime_ns || stats.iterations >= p.max_iterations) break;
        saver.ram_chunk(false, pages);
        sent = pages.size();
    }
    // Stop and copy: the last dirty pages, then the devices (the guest is paused from here).
    if (m.powered_off()) pages = m.memory().collect_dirty();
    saver.ram_chunk(true, pages);
    stats.pages_sent += pages.size();
    stats.final_pages = pages.size();
    stats.downtime_ns = pages.size() * kPage * 1'000'000 / std::max<uint64_t>(p.bandwidth, 1);
    stats.stop_time = m.now();
    return saver.complete();
}

void load_machine(machine::SpaprMachine& m, std::span<const uint8_t> stream, std::vector<std::string>& warnings) {
    StreamReader r(stream);
    try {
        const uint32_t magic = r.be32();
        if (magic != kQemuVmMagic) throw failure("Not a migration stream", -EINVAL, 0);
        const uint32_t version = r.be32();
        if (version == 2) throw failure("SaveVM v2 format is obsolete and don't work anymore", -ENOTSUP, 4);
        if (version != kQemuVmVersion) throw failure("Unsupported migration stream version", -ENOTSUP, 4);
        if (r.peek() != kConfiguration) throw failure("Configuration section missing", -EINVAL, r.offset());
        r.u8();
        const uint32_t len = r.be32();
        std::string received(len, '\0');
        r.bytes(std::span(reinterpret_cast<uint8_t*>(received.data()), received.size()));
        const std::string& local = m.config().version->name;
        // QEMU compares only the received length (a prefix compare).
        if (r.error() || local.compare(0, received.size(), received) != 0)
            throw failure(fmt::format("Machine type received is '{}' and local is '{}'", received, local), -EINVAL, 8);

        Registry reg(m);
        struct Live { std::string idstr; uint32_t instance; };
        std::map<uint32_t, Live> live;  // section id -> live section (ram)
        const std::string block = ram_block_name(m);
        auto load_ram_chunk = [&]() {
            std::string current;
            while (true) {
                const size_t at = r.offset();
                const uint64_t word = r.be64();
                if (r.error()) throw failure("", -EIO, at, "ram");
                const uint64_t flags = word & (kPage - 1), addr = word & ~(kPage - 1);
                if (flags & kRamEos) return;
                if (flags & kRamMemSize) {
                    uint64_t total = addr, seen = 0;
                    while (seen < total) {
                        std::string id;
                        r.counted(id);
                        const uint64_t used = r.be64();
                        if (r.error()) throw failure("", -EIO, r.offset(), "ram");
                        if (id != block) throw failure(fmt::format("Unknown ramblock \"{}\", cannot accept migration", id), -EINVAL, at, "ram");
                        if (used != m.memory().size())
                            throw failure(fmt::format("Length mismatch: {}: 0x{:x} in != 0x{:x}: Invalid argument", id, used, m.memory().size()),
                                          -EINVAL, at, "ram");
                        seen += used;
                    }
                    continue;
                }
                if (!(flags & kRamContinue)) {
                    r.counted(current);
                    if (current != block) throw failure(fmt::format("Unknown ramblock \"{}\", cannot accept migration", current), -EINVAL, at, "ram");
                } else if (current.empty()) {
                    throw failure("Ack, bad migration stream!", -EINVAL, at, "ram");
                }
                if (!m.memory().contains(addr, kPage)) throw failure(fmt::format("Illegal RAM offset {:x}", addr), -EINVAL, at, "ram");
                uint8_t* host = m.memory().data() + addr;
                if (flags & kRamZero) {
                    // As QEMU: a page that already reads as zero is left alone (not rewritten,
                    // so a fresh destination allocates no host page for it).
                    const uint8_t fill = r.u8();
                    const bool zero_now = !m.memory().touched(addr / kPage) || page_is_zero(host);
                    if (fill != 0 || !zero_now) {
                        std::memset(host, fill, kPage);
                        m.memory().mark_dirty(addr, kPage);
                    }
                } else if (flags & kRamPage) {
                    r.bytes(std::span(host, kPage));  // straight into guest RAM
                    m.memory().mark_dirty(addr, kPage);
                } else {
                    throw failure(fmt::format("Unknown combination of migration flags: 0x{:x}", flags), -EINVAL, at, "ram");
                }
                if (r.error()) throw failure("", -EIO, at, "ram");
            }
        };
        auto check_footer = [&](uint32_t id, const std::string& idstr) {
            const size_t at = r.offset();
            const uint8_t b = r.u8();
            if (r.error()) throw failure(fmt::format("{}: Read section footer failed: {}", idstr, -EIO), -EINVAL, at, idstr);
            if (b != kFooter) throw failure(fmt::format("Missing section footer for {}", idstr), -EINVAL, at, idstr);
            const uint32_t got = r.be32();
            if (got != id)
                throw failure(fmt::format("Mismatched section id in footer for {} - read 0x{:x} expected 0x{:x}", idstr, got, id), -EINVAL, at, idstr);
        };
        while (true) {
            const size_t at = r.offset();
            const uint8_t type = r.u8();
            if (r.error()) throw failure("", -EIO, at);
            if (type == kEof) break;
            if (type == kStart || type == kFull) {
                const uint32_t id = r.be32();
                std::string idstr;
                if (!r.counted(idstr)) throw failure(fmt::format("Unable to read ID string for section {}", id), -EINVAL, at);
                const uint32_t instance = r.be32(), ver = r.be32();
                if (idstr == "ram") {
                    if (ver != 4) throw failure(fmt::format("savevm: unsupported version {} for '{}' v4", ver, idstr), -EINVAL, at, idstr, instance);
                    live[id] = {idstr, instance};
                    try {
                        load_ram_chunk();
                    } catch (LoadError& le) {
                        le.instance = instance;
                        le.wrap(fmt::format("error while loading state for instance 0x{:x} of device '{}'", instance, idstr));
                        throw;
                    }
                    check_footer(id, idstr);
                    continue;
                }
                const Registry::Entry* e = nullptr;
                for (const auto& cand : reg.entries)
                    if (cand.idstr == idstr && cand.instance == instance) e = &cand;
                if (!e)
                    throw failure(fmt::format("Unknown savevm section or instance '{}' {}. Make sure that your current VM setup "
                                              "matches your saved VM setup, including any hotplugged devices",
                                              idstr, instance),
                                  -EINVAL, at, idstr, instance);
                if (static_cast<int>(ver) > e->vmsd->version_id)
                    throw failure(fmt::format("savevm: unsupported version {} for '{}' v{}", ver, idstr, e->vmsd->version_id), -EINVAL, at, idstr, instance);
                try {
                    load_vmsd(*e->vmsd, *e->access, r, static_cast<int>(ver));
                } catch (LoadError& le) {
                    le.section = idstr;
                    le.instance = instance;
                    le.wrap(fmt::format("error while loading state for instance 0x{:x} of device '{}'", instance, idstr));
                    throw;
                }
                check_footer(id, idstr);
            } else if (type == kPart || type == kEnd) {
                const uint32_t id = r.be32();
                auto it = live.find(id);
                if (it == live.end()) throw failure(fmt::format("Unknown savevm section {}", id), -EINVAL, at);
                try {
                    load_ram_chunk();
                } catch (LoadError& le) {
                    le.wrap(fmt::format("error while loading state section id {}({})", id, it->second.idstr));
                    throw;
                }
                check_footer(id, it->second.idstr);
            } else {
                throw failure(fmt::format("Unknown savevm section type {}", type), -EINVAL, at);
            }
        }
        m.post_migration();
        // The vmdesc trailer is read and discarded, as QEMU does.
        warnings.insert(warnings.end(), reg.spapr->warnings().begin(), reg.spapr->warnings().end());
    } catch (LoadError& e) {
        e.wrap(fmt::format("load of migration failed: {}", errno_text(e.err)));
        throw;
    }
}

}  // namespace ppcmig::migration

namespace ppcmig::migration {

nlohmann::json describe_machine(machine::SpaprMachine& m) {
    const auto& cfg = m.config();
    Registry reg(m);
    nlohmann::json sections = nlohmann::json::array();
    for (const auto& e : reg.entries) {
        nlohmann::json d = describe(*e.vmsd, *e.access);
        d["idstr"] = e.idstr;
        d["instance"] = e.instance;
        d["sent"] = e.sent;
        sections.push_back(std::move(d));
    }
    // The caps and the subsections that carry them (the schema's caps are in cap-table order).
    nlohmann::json caps = nlohmann::json::array();
    const machine::CapValues def = cfg.default_caps();
    const machine::CapValues& eff = m.effective_caps();
    for (const auto& ci : machine::cap_table()) {
        if (!m.behaviour().spapr_caps) break;  // before 2.12: no caps at all
        const size_t i = static_cast<size_t>(ci.id);
        nlohmann::json c{{"name", std::string(ci.name)},
                         {"subsection", reg.spapr_schema.caps.at(i).name},
                         {"default", def[i]},
                         {"default_text", machine::cap_value_text(ci.id, def[i])},
                         {"effective", eff[i]},
                         {"effective_text", machine::cap_value_text(ci.id, eff[i])},
                         {"cmdline", nullptr}};
        if (cfg.cap_cmdline[i]) c["cmdline"] = *cfg.cap_cmdline[i];
        caps.push_back(std::move(c));
    }
    return nlohmann::json{
        {"format", std::string(kVmstateDumpFormat)},
        {"format_version", kVmstateDumpFormatVersion},
        {"machine", {{"options", cfg.to_args()}}},
        {"configuration", {{"machine_type", cfg.version->name}}},
        {"ram",
         {{"idstr", "ram"},
          {"instance", 0},
          {"version_id", 4},
          {"blocks", nlohmann::json::array({{{"name", ram_block_name(m)}, {"used_length", m.memory().size()}}})}}},
        {"sections", std::move(sections)},
        {"caps", std::move(caps)}};
}

}  // namespace ppcmig::migration
