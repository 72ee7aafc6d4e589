// ppcmig-engine: command-line front end of the engine.
//   ppcmig-engine disasm [--le] [--address A] HEXWORD...   |   --file RAW
//   ppcmig-engine user [--cpu MODEL] [--max-insns N] [--stats] ELF [args...]
//   ppcmig-engine insns   (the instruction table as JSON)
//   ppcmig-engine serve [--trace]   (JSON-lines control protocol, tools/SERVE_PROTOCOL.md)
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/builds/changeset.hpp"
#include "ppcmig/machine/machine_version.hpp"
#include "ppcmig/cpu/model.hpp"
#include "ppcmig/isa/disasm.hpp"
#include "ppcmig/isa/insn.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/stream.hpp"
#include "ppcmig/usermode/process.hpp"
#include "serve.hpp"
#include "scenario_cmd.hpp"
#include "vmstate_cmds.hpp"
#include "atomic_file.hpp"

namespace {

using ppcmig::tools::write_file_atomically;

constexpr const char* kUsage =
    "usage: ppcmig-engine <command> [options]\n"
    "commands:\n"
    "  disasm [--le] [--address A] HEXWORD...   disassemble instruction words\n"
    "  disasm [--le] [--address A] --file RAW   disassemble a raw binary file\n"
    "  user [--cpu MODEL] [--max-insns N] [--stats] ELF [ARGS...]\n"
    "                                           run a static Linux ppc64 executable\n"
    "  run --guest ELF --insns N [--machine M] [--cpu C] [--smp N] [-m SIZE] [--accel tcg|kvm-hv]\n"
    "      [--state-json PATH] [--migrate-at N [--precopy [--bandwidth B] [--downtime-ns D]\n"
    "      [--max-iterations K]]] [--save-stream PATH] [--incoming PATH]\n"
    "                                           boot (and migrate) a guest on the pseries machine\n"
    "      [--build B] [--dest-build B]         engine builds of source and destination (default head)\n"
    "      [--changeset FILE] [--dest-changeset FILE]\n"
    "                                           a user changeset (TOML) on top of that side's build\n"
    "                                           (engine/src/builds/CHANGESETS.md)\n"
    "      [--dest-options \"QEMU OPTIONS\"]     the destination's own options (default: the source's)\n"
    "      [--pause-ticks T]                    the VM is paused for T time-base ticks before migrating\n"
    "      [--host-cpu C] [--kvm-host-caps cfpc=broken,…]  the modelled KVM host (CPU, capabilities)\n"
    "                                           KEY=VALUE keys: cfpc, sbbc, ibs (highest level KVM supports),\n"
    "                                           ail-mode-3, rpt-invalidate, nested-hv (on/off),\n"
    "                                           large-decr-bits=N (0 or 33-64; default: the host CPU's,\n"
    "                                           56 for POWER9/POWER10, 0 for POWER8)\n"
    "  serve [--trace]                          JSON-lines control protocol on stdin/stdout\n"
    "                                           (engine/tools/SERVE_PROTOCOL.md)\n"
    "  run-scenario SPEC.json [--result PATH]   one scenario of the differential runner (result JSON;\n"
    "                                           engine/src/runner/README.md; exit 3: malformed spec)\n"
    "  builds                                   list engine builds and their changesets\n"
    "  vmstate-dump [--build B] --machine M [--cpu C] [--smp S] [-m SIZE] [--accel A] [--output PATH]\n"
    "                                           describe what the machine registers for migration (JSON)\n"
    "  vmstate-diff [--json] SOURCE.json DESTINATION.json\n"
    "                                           static compatibility check of two dumps (exit 1: errors)\n"
    "  builds --changeset FILE [--build B] [--json]\n"
    "                                           a user changeset's changes and effects on a build\n"
    "  insns                                    print the instruction table as JSON\n"
    "  models                                   list CPU models\n";

int usage_error(const std::string& msg) {
    fmt::print(stderr, "ppcmig-engine: {}\n{}", msg, kUsage);
    return 2;
}

uint64_t parse_number(const std::string& s, const char* what) {
    size_t pos = 0;
    uint64_t v = 0;
    try {
        v = std::stoull(s, &pos, 0);
    } catch (const std::exception&) {
        pos = 0;
    }
    if (pos != s.size() || s.empty()) throw std::invalid_argument(fmt::format("invalid {} \"{}\"", what, s));
    return v;
}

int cmd_disasm(const std::vector<std::string>& a) {
    bool le = false;
    uint64_t address = 0;
    std::string file;
    std::vector<uint8_t> bytes;
    std::vector<std::string> words;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "--le") le = true;
        else if (a[i] == "--address" && i + 1 < a.size()) address = parse_number(a[++i], "address");
        else if (a[i] == "--file" && i + 1 < a.size()) file = a[++i];
        else if (a[i].rfind("--", 0) == 0) return usage_error(fmt::format("disasm: unknown option {}", a[i]));
        else words.push_back(a[i]);
    }
    if (!file.empty()) {
        std::ifstream in(file, std::ios::binary);
        if (!in) return usage_error(fmt::format("disasm: cannot open {}", file));
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else {
        if (words.empty()) return usage_error("disasm: no instruction words given");
        for (const auto& w : words) {
            std::string h = w;
            if (h.rfind("0x", 0) == 0 || h.rfind("0X", 0) == 0) h = h.substr(2);
            if (h.empty() || h.size() > 8 || h.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
                return usage_error(fmt::format("disasm: \"{}\" is not a 32-bit hex word", w));
            const auto v = static_cast<uint32_t>(std::stoul(h, nullptr, 16));
            for (int i = 0; i < 4; ++i)
                bytes.push_back(static_cast<uint8_t>(le ? v >> (8 * i) : v >> (24 - 8 * i)));
        }
    }
    for (const auto& l : ppcmig::isa::disassemble(bytes, address, le)) {
        if (l.length == 8)
            fmt::print("{:8x}:\t{:08x} {:08x}\t{}\n", l.address, l.word, l.suffix, l.text);
        else
            fmt::print("{:8x}:\t{:08x}\t{}\n", l.address, l.word, l.text);
    }
    return 0;
}

int cmd_user(const std::vector<std::string>& a) {
    ppcmig::usermode::Options opt;
    opt.echo_stdout = true;
    bool stats = false;
    size_t i = 0;
    for (; i < a.size(); ++i) {
        if (a[i] == "--cpu" && i + 1 < a.size()) opt.cpu_model = a[++i];
        else if (a[i] == "--max-insns" && i + 1 < a.size()) opt.max_insns = parse_number(a[++i], "instruction count");
        else if (a[i] == "--stats") stats = true;
        else if (a[i] == "--") { ++i; break; }
        else if (a[i].rfind("--", 0) == 0) return usage_error(fmt::format("user: unknown option {}", a[i]));
        else break;
    }
    if (i >= a.size()) return usage_error("user: no executable given");
    const std::string elf = a[i];
    const std::vector<std::string> args(a.begin() + static_cast<long>(i) + 1, a.end());
    const auto r = ppcmig::usermode::run(elf, args, opt);
    std::fflush(stdout);
    if (!r.fault.empty()) fmt::print(stderr, "ppcmig-engine: {}: {}\n", elf, r.fault);
    if (stats) fmt::print(stderr, "ppcmig-engine: {} instructions retired\n", r.instructions);
    return r.exit_code;
}

int cmd_run(const std::vector<std::string>& a) {
    std::vector<std::string> qemu_args;
    std::string guest, state_json, save_stream, incoming;
    uint64_t insns = 0, migrate_at = 0, pause_ticks = 0;
    bool have_insns = false, migrate = false, precopy = false;
    std::string build, dest_build, dest_options, changeset, dest_changeset;
    bool have_dest_options = false;
    ppcmig::migration::PrecopyParams pre;
    for (size_t i = 0; i < a.size(); ++i) {
        auto next = [&](const char* what) -> const std::string& {
            if (i + 1 >= a.size()) throw std::invalid_argument(fmt::format("run: {} needs a value", what));
            return a[++i];
        };
        if (a[i] == "--machine" || a[i] == "-machine" || a[i] == "-M") { qemu_args.push_back("-machine"); qemu_args.push_back(next("--machine")); }
        else if (a[i] == "--cpu" || a[i] == "-cpu") { qemu_args.push_back("-cpu"); qemu_args.push_back(next("--cpu")); }
        else if (a[i] == "--smp" || a[i] == "-smp") { qemu_args.push_back("-smp"); qemu_args.push_back(next("--smp")); }
        else if (a[i] == "-m" || a[i] == "--memory") { qemu_args.push_back("-m"); qemu_args.push_back(next("-m")); }
        else if (a[i] == "--accel" || a[i] == "-accel") { qemu_args.push_back("-accel"); qemu_args.push_back(next("--accel")); }
        else if (a[i] == "--host-cpu") { qemu_args.push_back("-host-cpu"); qemu_args.push_back(next("--host-cpu")); }
        else if (a[i] == "--kvm-host-caps") { qemu_args.push_back("-kvm-host-caps"); qemu_args.push_back(next("--kvm-host-caps")); }
        else if (a[i] == "--guest") guest = next("--guest");
        else if (a[i] == "--insns") { insns = parse_number(next("--insns"), "instruction count"); have_insns = true; }
        else if (a[i] == "--state-json") state_json = next("--state-json");
        else if (a[i] == "--save-stream") save_stream = next("--save-stream");
        else if (a[i] == "--incoming") incoming = next("--incoming");
        else if (a[i] == "--migrate-at") { migrate_at = parse_number(next("--migrate-at"), "instruction count"); migrate = true; }
        else if (a[i] == "--precopy") precopy = true;
        else if (a[i] == "--pause-ticks") pause_ticks = parse_number(next("--pause-ticks"), "pause");
        else if (a[i] == "--build") build = next("--build");
        else if (a[i] == "--dest-build") dest_build = next("--dest-build");
        else if (a[i] == "--changeset") changeset = next("--changeset");
        else if (a[i] == "--dest-changeset") dest_changeset = next("--dest-changeset");
        else if (a[i] == "--dest-options") { dest_options = next("--dest-options"); have_dest_options = true; }
        else if (a[i] == "--bandwidth") pre.bandwidth = parse_number(next("--bandwidth"), "bandwidth");
        else if (a[i] == "--downtime-ns") pre.downtime_ns = parse_number(next("--downtime-ns"), "downtime");
        else if (a[i] == "--max-iterations") pre.max_iterations = static_cast<unsigned>(parse_number(next("--max-iterations"), "iteration count"));
        else return usage_error(fmt::format("run: unknown option {}", a[i]));
    }
    if (guest.empty()) return usage_error("run: --guest ELF is required");
    if (!have_insns) return usage_error("run: --insns N is required");
    // A changeset applies to its side's build, or to the build it names when the side names none;
    // a destination without a build of its own takes the source's, without the source's changeset.
    std::optional<ppcmig::builds::UserChangeset> src_cs, dst_cs;
    if (!changeset.empty()) src_cs = ppcmig::builds::read_changeset(changeset);
    if (!dest_changeset.empty()) dst_cs = ppcmig::builds::read_changeset(dest_changeset);
    if (build.empty()) build = src_cs ? src_cs->base : "head";
    const auto src_profile = src_cs ? ppcmig::builds::apply_changeset(ppcmig::builds::profile(build), *src_cs)
                                    : ppcmig::builds::profile(build);
    const auto dst_profile = dst_cs ? ppcmig::builds::profile_with_changeset(dest_build, *dst_cs)
                                    : ppcmig::builds::profile(dest_build.empty() ? build : dest_build);
    // Each side parses the same command line with its own build's knowledge, as two QEMU
    // binaries do: "-M pseries" may name different versions, a new version may not exist.
    ppcmig::machine::MachineConfig cfg, dst_cfg;
    try {
        cfg = ppcmig::builds::parse_config(src_profile, qemu_args);
    } catch (const ppcmig::machine::ConfigError& e) {
        fmt::print(stderr, "ppcmig-engine: {}\n", e.what());
        if (!e.hint.empty()) fmt::print(stderr, "{}\n", e.hint);
        return 1;
    }
    if (migrate) {
        try {
            // The destination host may differ (another -host-cpu, machine properties): its own
            // options replace the source's when given.
            dst_cfg = have_dest_options ? ppcmig::machine::MachineConfig::parse(dest_options, dst_profile.limits())
                                        : ppcmig::builds::parse_config(dst_profile, qemu_args);
        } catch (const ppcmig::machine::ConfigError& e) {
            fmt::print(stderr, "ppcmig-engine: destination (build {}): {}\n", dst_profile.name, e.what());
            if (!e.hint.empty()) fmt::print(stderr, "{}\n", e.hint);
            return 1;
        }
    }
    const auto elf = ppcmig::memory::ElfImage::read(guest);
    std::unique_ptr<ppcmig::machine::SpaprMachine> m;
    try {
        m = std::make_unique<ppcmig::machine::SpaprMachine>(cfg, src_profile.behaviour);
    } catch (const ppcmig::machine::ConfigError& e) {
        for (const auto& w : cfg.warnings) fmt::print(stderr, "ppcmig-engine: warning: {}\n", w);
        fmt::print(stderr, "ppcmig-engine: {}\n", e.what());
        if (!e.hint.empty()) fmt::print(stderr, "{}\n", e.hint);
        return 1;
    }
    for (const auto& w : m->warnings()) fmt::print(stderr, "ppcmig-engine: warning: {}\n", w);
    m->load_guest(elf);
    auto load_into = [&](ppcmig::machine::SpaprMachine& dst, const std::vector<uint8_t>& bytes) {
        std::vector<std::string> warns;
        try {
            ppcmig::migration::load_machine(dst, bytes, warns);
        } catch (const ppcmig::migration::LoadError& e) {
            for (const auto& line : e.chain) fmt::print(stderr, "ppcmig-engine: {}\n", line);
            return false;
        }
        for (const auto& wmsg : warns) fmt::print(stderr, "ppcmig-engine: warning: {}\n", wmsg);
        return true;
    };
    if (!incoming.empty()) {
        std::ifstream in(incoming, std::ios::binary);
        if (!in) return usage_error(fmt::format("run: cannot open {}", incoming));
        const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!load_into(*m, bytes)) return 4;
    }
    ppcmig::machine::MachineStop stop = ppcmig::machine::MachineStop::Budget;
    std::string console_before;
    if (migrate) {
        // Run to the migration point (aligned up to the scheduling quantum, so that vCPUs
        // interleave as in an uninterrupted run), save, load into a fresh destination, continue.
        const uint64_t q = m->quantum();
        migrate_at = (migrate_at + q - 1) / q * q;
        m->run(std::min(migrate_at, insns));
        m->pause(pause_ticks);  // the monitor's stop, held before the migration starts
        std::vector<uint8_t> bytes;
        if (precopy) {
            ppcmig::migration::PrecopyStats st;
            bytes = ppcmig::migration::save_machine_live(*m, pre, st);
            fmt::print(stderr, "ppcmig-engine: pre-copy: {} iterations, {} pages sent, {} in stop-and-copy ({} ns), stopped at tb {}\n",
                       st.iterations, st.pages_sent, st.final_pages, st.downtime_ns, st.stop_time);
        } else {
            bytes = ppcmig::migration::save_machine(*m);
        }
        if (!save_stream.empty()) write_file_atomically(save_stream, std::string(bytes.begin(), bytes.end()));
        console_before = m->console();
        std::unique_ptr<ppcmig::machine::SpaprMachine> dst;
        try {
            dst = std::make_unique<ppcmig::machine::SpaprMachine>(dst_cfg, dst_profile.behaviour);
        } catch (const ppcmig::machine::ConfigError& e) {
            // The destination refuses to start (a cap it cannot apply …); the source is untouched.
            std::fwrite(console_before.data(), 1, console_before.size(), stdout);
            fmt::print(stderr, "ppcmig-engine: destination (build {}): {}\n", dst_profile.name, e.what());
            if (!e.hint.empty()) fmt::print(stderr, "{}\n", e.hint);
            return 1;
        }
        dst->load_guest(elf);
        if (!load_into(*dst, bytes)) {
            std::fwrite(console_before.data(), 1, console_before.size(), stdout);
            return 4;
        }
        dst->inherit_counters(*m);
        const uint64_t elapsed = m->now();
        m = std::move(dst);
        stop = m->run(insns - std::min(elapsed, insns));
    } else {
        stop = m->run(insns);
        if (!save_stream.empty()) {
            const auto bytes = ppcmig::migration::save_machine(*m);
            write_file_atomically(save_stream, std::string(bytes.begin(), bytes.end()));
        }
    }
    std::fwrite(console_before.data(), 1, console_before.size(), stdout);
    std::fwrite(m->console().data(), 1, m->console().size(), stdout);
    std::fflush(stdout);
    for (const auto& e : m->errors()) fmt::print(stderr, "ppcmig-engine: {}\n", e);
    if (!state_json.empty()) write_file_atomically(state_json, m->state_json().dump(1) + "\n");
    using ppcmig::machine::MachineStop;
    return stop == MachineStop::Error ? 3 : 0;
}

// `builds --changeset FILE`: the changeset resolved on its build, its changes and their effects.
int cmd_builds_changeset(const std::string& file, const std::string& build, bool json) {
    namespace b = ppcmig::builds;
    const b::UserChangeset cs = b::read_changeset(file);
    const b::Profile base = b::profile(build.empty() ? cs.base : build);
    const b::Profile edited = b::apply_changeset(base, cs);
    const nlohmann::json effects = b::changeset_effects(base, edited);
    const auto& applied = edited.user_changesets.back();
    if (json) {
        nlohmann::json machines = nlohmann::json::array();
        for (const auto* v : edited.machine_versions()) machines.push_back(v->name);
        const nlohmann::json out{{"name", edited.name}, {"base", base.name}, {"changeset", cs.name}, {"note", cs.note},
                                 {"file", cs.file}, {"changes", applied.changes}, {"effects", effects},
                                 {"machines", machines}, {"pseries", edited.pseries().name}};
        std::cout << out.dump(1) << "\n";
        return 0;
    }
    fmt::print("{}  (changeset {} from {} on build {}; machines {} … {}, \"pseries\" = {})\n", edited.name, cs.name,
               cs.file, base.name, edited.machine_versions().front()->name, edited.machine_versions().back()->name,
               edited.pseries().name);
    if (!cs.note.empty()) fmt::print("  note: {}\n", cs.note);
    fmt::print("  changes:\n");
    for (const auto& c : applied.changes) fmt::print("    {}\n", c);
    fmt::print("  effects:\n");
    bool any = false;
    auto list = [](const nlohmann::json& items) {
        std::string out;
        for (const auto& i : items) out += (out.empty() ? "" : "; ") + i.get<std::string>();
        return out;
    };
    for (const auto& sec : effects["sections"]) {
        any = true;
        const std::string name = sec["name"], status = sec["status"];
        if (status != "changed") {
            fmt::print("    section {}: {}{}\n", name, status,
                       sec.contains("fields_added") ? fmt::format(" ({})", list(sec["fields_added"])) : "");
            continue;
        }
        if (sec.contains("version_id")) fmt::print("    section {}: version_id {} -> {}\n", name, sec["version_id"][0].dump(), sec["version_id"][1].dump());
        if (sec.contains("minimum_version_id"))
            fmt::print("    section {}: minimum_version_id {} -> {}\n", name, sec["minimum_version_id"][0].dump(),
                       sec["minimum_version_id"][1].dump());
        for (const char* k : {"fields_removed", "fields_added", "fields_order", "subsections_removed", "subsections_added"}) {
            if (!sec.contains(k) || sec[k].empty()) continue;
            std::string what = k;
            std::replace(what.begin(), what.end(), '_', ' ');
            fmt::print("    section {}: {}: {}\n", name, what, list(sec[k]));
        }
    }
    // Consecutive versions with the same change print as one range.
    const auto& machines = effects["machines"];
    for (size_t i = 0; i < machines.size();) {
        any = true;
        const auto& m = machines[i];
        if (m["status"] == "added") {
            fmt::print("    machine {}: added\n", m["name"].get<std::string>());
            ++i;
            continue;
        }
        size_t j = i + 1;
        while (j < machines.size() && machines[j]["status"] == "changed" && machines[j]["caps"] == m["caps"]) ++j;
        const std::string range = j - i == 1 ? m["name"].get<std::string>()
                                             : fmt::format("{} … {}", m["name"].get<std::string>(), machines[j - 1]["name"].get<std::string>());
        for (const auto& c : m["caps"])
            fmt::print("    machine {}: cap-{} {} -> {}\n", range, c["cap"].get<std::string>(), c["before"].get<std::string>(),
                       c["after"].get<std::string>());
        i = j;
    }
    if (!effects["pseries"].is_null()) {
        any = true;
        fmt::print("    \"pseries\": {} -> {}\n", effects["pseries"]["before"].get<std::string>(), effects["pseries"]["after"].get<std::string>());
    }
    for (const auto& bh : effects["behaviour"]) {
        any = true;
        fmt::print("    behaviour {}: {} -> {}\n", bh["key"].get<std::string>(), bh["before"].get<std::string>(), bh["after"].get<std::string>());
    }
    if (!any) fmt::print("    none\n");
    return 0;
}

int cmd_builds(const std::vector<std::string>& a) {
    std::string changeset, build;
    bool json = false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "--changeset" && i + 1 < a.size()) changeset = a[++i];
        else if (a[i] == "--build" && i + 1 < a.size()) build = a[++i];
        else if (a[i] == "--json") json = true;
        else return usage_error(fmt::format("builds: unknown option {}", a[i]));
    }
    if (!changeset.empty()) return cmd_builds_changeset(changeset, build, json);
    if (!build.empty() || json) return usage_error("builds: --build and --json go with --changeset FILE");
    for (const auto& b : ppcmig::builds::builds()) {
        const auto p = ppcmig::builds::profile(b.name);
        const auto& versions = ppcmig::machine::machine_versions();
        fmt::print("{}  (machines {} … {} = \"pseries\")\n", b.name, versions.front().name, p.newest_machine->name);
        for (const auto& c : p.changesets) {
            for (const auto& h : ppcmig::builds::history())
                if (h.name == c) fmt::print("  {:<32} {}\n", h.name, h.note);
        }
    }
    return 0;
}

int cmd_insns() {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& s : ppcmig::isa::instruction_table()) {
        rows.push_back({{"mnemonic", s.mnemonic},
                        {"match", fmt::format("{:#x}", s.match)},
                        {"mask", fmt::format("{:#x}", ppcmig::isa::derived_mask(s))},
                        {"prefixed", s.prefixed()},
                        {"level", ppcmig::isa::to_string(s.level)},
                        {"category", ppcmig::isa::to_string(s.category)}});
    }
    std::cout << rows.dump(1) << "\n";
    return 0;
}

int cmd_models() {
    for (const auto& m : ppcmig::cpu::cpu_models())
        fmt::print("{:<16} {:<10} PVR {:08x}  ISA {}  {}\n", m.name, m.alias, m.pvr, ppcmig::isa::to_string(m.level),
                   ppcmig::cpu::to_string(m.family));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage_error("no command");
    const std::string cmd = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (cmd == "disasm") return cmd_disasm(args);
        if (cmd == "user") return cmd_user(args);
        if (cmd == "insns") return cmd_insns();
        if (cmd == "run") return cmd_run(args);
        if (cmd == "builds") return cmd_builds(args);
        if (cmd == "serve") return ppcmig::tools::cmd_serve(args);
        if (cmd == "run-scenario") return ppcmig::tools::cmd_run_scenario(args);
        if (cmd == "models") return cmd_models();
        if (cmd == "vmstate-dump") return ppcmig::tools::cmd_vmstate_dump(args);
        if (cmd == "vmstate-diff") return ppcmig::tools::cmd_vmstate_diff(args);
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            fmt::print("{}", kUsage);
            return 0;
        }
        return usage_error(fmt::format("unknown command \"{}\"", cmd));
    } catch (const std::exception& e) {
        fmt::print(stderr, "ppcmig-engine: {}\n", e.what());
        return 2;
    }
}
