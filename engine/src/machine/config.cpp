#include "ppcmig/machine/config.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ppcmig/machine/compat.hpp"

namespace ppcmig::machine {

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        const size_t p = s.find(sep, start);
        out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
        if (p == std::string_view::npos) break;
        start = p + 1;
    }
    return out;
}


// QEMU's -m syntax: a number of MiB, or a number with a K/M/G/T suffix.
std::optional<uint64_t> parse_ram(std::string_view t) {
    if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0]))) return std::nullopt;
    uint64_t v = 0;
    size_t i = 0;
    for (; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i) {
        if (v > (uint64_t(1) << 40)) return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(t[i] - '0');
    }
    unsigned shift = 20;
    if (i < t.size()) {
        if (i + 1 != t.size() && !(i + 2 == t.size() && (t[i + 1] == 'B' || t[i + 1] == 'b'))) return std::nullopt;
        switch (std::toupper(static_cast<unsigned char>(t[i]))) {
            case 'K': shift = 10; break;
            case 'M': shift = 20; break;
            case 'G': shift = 30; break;
            case 'T': shift = 40; break;
            default: return std::nullopt;
        }
    }
    return v << shift;
}

std::optional<unsigned> parse_uint(std::string_view t) {
    if (t.empty() || t.size() > 9) return std::nullopt;
    unsigned v = 0;
    for (char c : t) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

std::string machine_type_name(const MachineVersion& v) { return v.name + "-machine"; }

constexpr std::string_view kKvmHostKeys = "cfpc, sbbc, ibs, ail-mode-3, rpt-invalidate, nested-hv, large-decr-bits";

// `-kvm-host-caps large-decr-bits=N`: the width the host advertises (0: none). `option` is the
// whole option for the error.
unsigned parse_large_decr_bits(const std::string& option, std::string_view val, bool given) {
    constexpr std::string_view range = "0: no large decrementer, or 33 to 64";
    if (!given) throw ConfigError(option, fmt::format("large-decr-bits needs a value ({})", range));
    const bool digits = !val.empty() && std::all_of(val.begin(), val.end(), [](char ch) {
        return std::isdigit(static_cast<unsigned char>(ch)) != 0;
    });
    if (!digits) throw ConfigError(option, fmt::format("large-decr-bits expects a number of bits, not \"{}\" ({})", val, range));
    const auto n = parse_uint(val);
    if (!n || (*n != 0 && (*n < kMinLargeDecrBits || *n > kMaxLargeDecrBits)))
        throw ConfigError(option, fmt::format("large-decr-bits {} is not a large decrementer width ({})", val, range));
    return *n;
}

// What the modelled host's KVM supports when -kvm-host-caps says nothing: KvmHost's defaults with
// the large decrementer of the -host-cpu model (nullopt: no such model).
std::optional<KvmHost> default_kvm_host(std::string_view host_cpu) {
    const auto host = cpu::find_model(host_cpu);
    if (!host) return std::nullopt;
    KvmHost h;
    h.large_decr_bits = host_large_decr_bits(*host);
    return h;
}

uint32_t parse_compat_name(const std::string& option, std::string_view name, const CompatRules& rules) {
    if (name.empty()) return 0;
    const CompatMode* m = find_compat_by_name(name);
    if (m == nullptr) throw ConfigError(option, fmt::format("Invalid compatibility mode \"{}\"", name));
    if (!compat_known(m->pvr, rules)) throw ConfigError(option, fmt::format("Invalid compatibility mode \"{}\"", name)).unknown();
    return m->pvr;
}

}  // namespace

std::string_view to_string(IcMode m) {
    switch (m) {
        case IcMode::Legacy: return "legacy";
        case IcMode::Xics: return "xics";
        case IcMode::Xive: return "xive";
        case IcMode::Dual: return "dual";
    }
    return "?";
}

std::vector<std::string> split_options(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    bool in_token = false;
    char quote = 0;
    for (char c : s) {
        if (quote) {
            if (c == quote) quote = 0;
            else cur += c;
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
            in_token = true;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_token) out.push_back(std::move(cur));
            cur.clear();
            in_token = false;
        } else {
            cur += c;
            in_token = true;
        }
    }
    if (in_token) out.push_back(std::move(cur));
    return out;
}

ConfigError::ConfigError(std::string opt, std::string msg, std::string h)
    : std::runtime_error(opt.empty() ? msg : fmt::format("{}: {}", opt, msg)),
      option(std::move(opt)),
      message(std::move(msg)),
      hint(std::move(h)) {}

MachineConfig MachineConfig::parse(std::string_view options, const MachineVersion* newest) {
    const auto tokens = split_options(options);
    return parse_args(tokens, newest);
}

MachineConfig MachineConfig::parse(std::string_view options, const ReleaseLimits& limits) {
    const auto tokens = split_options(options);
    return parse_args(tokens, limits);
}

MachineConfig MachineConfig::parse_args(std::span<const std::string> argv, const MachineVersion* newest) {
    ReleaseLimits limits;
    limits.newest = newest;
    return parse_args(argv, limits);
}

MachineConfig MachineConfig::parse_args(std::span<const std::string> argv, const ReleaseLimits& limits) {
    const MachineVersion* newest = limits.newest;
    MachineConfig c;
    std::string machine_opt, cpu_opt;
    std::vector<std::string> machine_props;
    std::string machine_name = "pseries";
    std::string cpu_name;
    std::string cpu_compat;
    std::string cpu_option_text;
    std::optional<unsigned> large_decr_bits;  // -kvm-host-caps large-decr-bits=N

    for (size_t i = 0; i < argv.size(); ++i) {
        std::string opt = argv[i];
        if (opt.rfind("--", 0) == 0) opt = opt.substr(1);  // QEMU accepts --machine too
        auto value = [&]() -> const std::string& {
            if (i + 1 >= argv.size()) throw ConfigError(argv[i], "requires an argument");
            return argv[++i];
        };
        if (opt == "-machine" || opt == "-M") {
            const std::string& v = value();
            machine_opt = fmt::format("{} {}", opt, v);
            auto parts = split(v, ',');
            size_t first_prop = 0;
            if (!parts.empty() && parts[0].find('=') == std::string::npos) {
                machine_name = parts[0];
                first_prop = 1;
            }
            for (size_t k = first_prop; k < parts.size(); ++k) {
                if (parts[k].rfind("type=", 0) == 0) machine_name = parts[k].substr(5);
                else if (!parts[k].empty()) machine_props.push_back(parts[k]);
            }
        } else if (opt == "-cpu") {
            const std::string& v = value();
            cpu_option_text = fmt::format("-cpu {}", v);
            auto parts = split(v, ',');
            cpu_name = parts[0];
            for (size_t k = 1; k < parts.size(); ++k) {
                const auto eq = parts[k].find('=');
                const std::string key = parts[k].substr(0, eq);
                const std::string val = eq == std::string::npos ? "" : parts[k].substr(eq + 1);
                if (key == "compat") cpu_compat = val.empty() ? std::string("\x01") : val;
                else throw ConfigError(cpu_option_text, fmt::format("Property '{}-powerpc64-cpu.{}' not found", cpu_name, key));
            }
        } else if (opt == "-smp") {
            const std::string& v = value();
            const std::string text = fmt::format("-smp {}", v);
            c.max_cpus = 0;
            for (const auto& part : split(v, ',')) {
                const auto eq = part.find('=');
                const std::string key = eq == std::string::npos ? "cpus" : part.substr(0, eq);
                const std::string val = eq == std::string::npos ? part : part.substr(eq + 1);
                const auto n = parse_uint(val);
                if (!n) throw ConfigError(text, fmt::format("Parameter '{}' expects a number", key));
                if (key == "cpus") c.smp = *n;
                else if (key == "threads") c.threads = *n;
                else if (key == "maxcpus") c.max_cpus = *n;
                else if (key != "cores" && key != "sockets")
                    throw ConfigError(text, fmt::format("Invalid parameter '{}'", key));
            }
            if (c.smp == 0 || c.smp > 1024) throw ConfigError(text, fmt::format("Invalid CPU count {} (1 to 1024)", c.smp));
            if (c.threads == 0 || c.threads > 8) throw ConfigError(text, fmt::format("Invalid threads count {} (1 to 8)", c.threads));
            if (c.max_cpus == 0) c.max_cpus = c.smp;
            if (c.max_cpus < c.smp) throw ConfigError(text, "maxcpus must be equal to or greater than smp");
            if (c.max_cpus > 1024) throw ConfigError(text, fmt::format("Invalid maxcpus {} (at most 1024)", c.max_cpus));
        } else if (opt == "-m") {
            const std::string& v = value();
            const auto r = parse_ram(v);
            if (!r) throw ConfigError(fmt::format("-m {}", v), "Parameter 'size' expects a non-negative number below 2^64");
            if (*r == 0 || (*r & ((uint64_t(1) << 20) - 1)) != 0)
                throw ConfigError(fmt::format("-m {}", v), "RAM size must be a non-zero multiple of 1 MiB");
            c.ram_bytes = *r;
        } else if (opt == "-accel") {
            const std::string& v = value();
            const std::string name = split(v, ',')[0];
            if (name == "tcg") c.accel = Accel::Tcg;
            else if (name == "kvm" || name == "kvm-hv") c.accel = Accel::KvmHv;
            else throw ConfigError(fmt::format("-accel {}", v), fmt::format("invalid accelerator {}", name));
        } else if (opt == "-enable-kvm") {
            c.accel = Accel::KvmHv;
        } else if (opt == "-host-cpu") {  // ppcmig: the modelled KVM host's CPU for "-cpu host"
            c.host_cpu = value();
        } else if (opt == "-kvm-host-caps") {  // ppcmig: what the modelled host kernel's KVM supports
            const std::string& v = value();
            const std::string text = fmt::format("-kvm-host-caps {}", v);
            for (const auto& item : split(v, ',')) {
                const auto eq = item.find('=');
                const std::string key = item.substr(0, eq), val = eq == std::string::npos ? "on" : item.substr(eq + 1);
                if (key == "large-decr-bits") {
                    large_decr_bits = parse_large_decr_bits(text, val, eq != std::string::npos);
                    continue;
                }
                const CapInfo* cap = find_cap(key);
                const bool known = cap != nullptr && (cap->id == CapId::Cfpc || cap->id == CapId::Sbbc || cap->id == CapId::Ibs ||
                                                      cap->id == CapId::AilMode3 || cap->id == CapId::RptInvalidate ||
                                                      cap->id == CapId::NestedKvmHv);
                if (!known) throw ConfigError(text, fmt::format("unknown KVM host capability \"{}\" ({})", key, kKvmHostKeys));
                uint8_t level = 0;
                try {
                    level = parse_cap_value(*cap, val);
                } catch (const CapError& e) {
                    throw ConfigError(text, e.what());
                }
                switch (cap->id) {
                    case CapId::Cfpc: c.kvm_host.max_cfpc = level; break;
                    case CapId::Sbbc: c.kvm_host.max_sbbc = level; break;
                    case CapId::Ibs: c.kvm_host.max_ibs = level; break;
                    case CapId::AilMode3: c.kvm_host.ail_mode_3 = level != 0; break;
                    case CapId::RptInvalidate: c.kvm_host.rpt_invalidate = level != 0; break;
                    default: c.kvm_host.nested_hv = level != 0; break;
                }
            }
        } else {
            throw ConfigError(argv[i], "invalid option");
        }
    }

    // Machine version.
    if (limits.versions) {
        c.version = limits.versions->find(machine_name);
        c.version_table = limits.versions;
    } else {
        c.version = newest != nullptr ? find_machine_version(machine_name, *newest) : find_machine_version(machine_name);
    }
    if (c.version == nullptr)
        throw ConfigError(machine_opt.empty() ? "-machine" : machine_opt, fmt::format("unsupported machine type: \"{}\"", machine_name),
                          "Use -machine help to list supported machines").unknown();

    // Machine properties (accel may also come as a machine property).
    for (const auto& p : machine_props) {
        const auto eq = p.find('=');
        const std::string key = p.substr(0, eq);
        const std::string val = eq == std::string::npos ? "on" : p.substr(eq + 1);
        if (key == "max-cpu-compat") {
            c.max_compat_pvr = parse_compat_name(machine_opt, val, limits.compat);
        } else if (key.rfind("cap-", 0) == 0 && limits.caps) {
            const CapInfo* cap = find_cap(std::string_view(key).substr(4));
            if (cap == nullptr)
                throw ConfigError(machine_opt, fmt::format("Property '{}.{}' not found", machine_type_name(*c.version), key));
            try {
                c.cap_cmdline[static_cast<size_t>(cap->id)] = parse_cap_value(*cap, val);
            } catch (const CapError& e) {
                throw ConfigError(machine_opt, e.what(), e.hint());
            }
        } else if (key == "ic-mode") {
            if (c.version->legacy_irq_allocation)
                throw ConfigError(machine_opt, "This machine only uses the legacy XICS backend, don't pass ic-mode");
            if (val == "xics") c.ic_mode_cmdline = IcMode::Xics;
            else if (val == "xive") c.ic_mode_cmdline = IcMode::Xive;
            else if (val == "dual") c.ic_mode_cmdline = IcMode::Dual;
            else throw ConfigError(machine_opt, "Bad value for \"ic-mode\" property");
        } else if (key == "accel") {
            if (val == "tcg") c.accel = Accel::Tcg;
            else if (val == "kvm" || val == "kvm-hv") c.accel = Accel::KvmHv;
            else throw ConfigError(machine_opt, fmt::format("invalid accelerator {}", val));
        } else {
            throw ConfigError(machine_opt, fmt::format("Property '{}.{}' not found", machine_type_name(*c.version), key));
        }
    }

    // CPU model.
    if (cpu_name.empty()) cpu_name = std::string(c.version->default_cpu);
    if (cpu_name == "host") {
        if (c.accel != Accel::KvmHv) throw ConfigError(cpu_option_text, "CPU model 'host' requires KVM");
        c.cpu_is_host = true;
        cpu_name = c.host_cpu;
    }
    const auto model = cpu::find_model(cpu_name);
    if (!model || model->family > limits.newest_family) {
        ConfigError e(cpu_option_text.empty() ? "-cpu" : cpu_option_text, fmt::format("unable to find CPU model '{}'", cpu_name));
        if (model) e.unknown();  // a real model of a family this release predates
        throw e;
    }
    c.cpu = *model;

    // The modelled host's large decrementer: large-decr-bits when given, else the -host-cpu's.
    // Under TCG the host is not consulted, so an unknown -host-cpu only matters under KVM.
    if (large_decr_bits) {
        c.kvm_host.large_decr_bits = *large_decr_bits;
    } else if (const auto host = default_kvm_host(c.host_cpu)) {
        c.kvm_host.large_decr_bits = host->large_decr_bits;
    } else if (c.accel == Accel::KvmHv) {
        throw ConfigError(fmt::format("-host-cpu {}", c.host_cpu), fmt::format("unable to find CPU model '{}'", c.host_cpu));
    }

    // Legacy "-cpu X,compat=Y": forwarded to max-cpu-compat (newest behaviour) with a warning.
    if (!cpu_compat.empty()) {
        const std::string name = cpu_compat == "\x01" ? "" : cpu_compat;
        const uint32_t pvr = parse_compat_name(cpu_option_text, name, limits.compat);
        c.warnings.push_back("CPU 'compat' property is deprecated; use max-cpu-compat machine property instead");
        if (c.max_compat_pvr == 0) {
            c.max_compat_pvr = pvr;
            c.compat_from_cpu_property = true;
        }
    }
    if (c.max_compat_pvr != 0 && !compat_valid(c.cpu, c.max_compat_pvr, 0, 0, limits.compat))
        throw ConfigError(machine_opt.empty() ? cpu_option_text : machine_opt,
                          fmt::format("Compatibility PVR 0x{:08x} not valid for CPU", c.max_compat_pvr));
    if (c.smp % c.threads != 0)
        throw ConfigError(fmt::format("-smp {}", c.smp), fmt::format("cpus ({}) must be a multiple of threads ({})", c.smp, c.threads));
    return c;
}

CapValues MachineConfig::default_caps() const {
    CapValues d = default_caps_with_cpu(version->default_caps, cpu, max_compat_pvr);
    auto& hpt = d[static_cast<size_t>(CapId::HptMaxPageSize)];
    if (hpt == 0) hpt = static_cast<uint8_t>(accel == Accel::KvmHv ? kvm_host.host_page_shift : 34);
    return d;
}

CapValues MachineConfig::effective_caps() const {
    CapValues e = default_caps();
    for (size_t i = 0; i < kCapCount; ++i)
        if (cap_cmdline[i]) e[i] = *cap_cmdline[i];
    return e;
}

IcMode MachineConfig::ic_mode() const {
    if (ic_mode_cmdline) return *ic_mode_cmdline;
    switch (version->irq) {
        case IrqBackend::XicsLegacy: return IcMode::Legacy;
        case IrqBackend::Xics: return IcMode::Xics;
        case IrqBackend::Dual: return IcMode::Dual;
    }
    return IcMode::Dual;
}

void MachineConfig::apply_caps(std::vector<std::string>& warns) const {
    try {
        machine::apply_caps(effective_caps(), cpu, max_compat_pvr, accel, threads, kvm_host, warns);
    } catch (const CapError& e) {
        throw ConfigError("-machine " + version->name, e.what(), e.hint());
    }
}

std::string MachineConfig::to_args() const {
    std::string m = version->name;
    if (max_compat_pvr != 0) m += fmt::format(",max-cpu-compat={}", find_compat_by_pvr(max_compat_pvr)->name);
    for (size_t i = 0; i < kCapCount; ++i)
        if (cap_cmdline[i]) m += fmt::format(",cap-{}={}", cap_table()[i].name, cap_value_text(cap_table()[i].id, *cap_cmdline[i]));
    if (ic_mode_cmdline) m += fmt::format(",ic-mode={}", to_string(*ic_mode_cmdline));
    std::string out = fmt::format("-machine {} -cpu {} -smp {}", m, cpu_is_host ? "host" : std::string(cpu.name), smp);
    if (threads != 1) out += fmt::format(",threads={}", threads);
    if (max_cpus != smp) out += fmt::format(",maxcpus={}", max_cpus);
    out += fmt::format(" -m {}M -accel {}", ram_bytes >> 20, to_string(accel));
    if (accel != Accel::KvmHv) return out;  // TCG consults no host
    if (cpu_is_host || host_cpu != kDefaultHostCpu) out += fmt::format(" -host-cpu {}", host_cpu);
    // Only what departs from the host's defaults, so that the text parses back to this host.
    const KvmHost d = default_kvm_host(host_cpu).value_or(KvmHost{});
    std::vector<std::string> caps;
    auto level = [&](CapId id, uint8_t have, uint8_t dflt) {
        if (have != dflt) caps.push_back(fmt::format("{}={}", cap_info(id).name, cap_value_text(id, have)));
    };
    level(CapId::Cfpc, kvm_host.max_cfpc, d.max_cfpc);
    level(CapId::Sbbc, kvm_host.max_sbbc, d.max_sbbc);
    level(CapId::Ibs, kvm_host.max_ibs, d.max_ibs);
    level(CapId::AilMode3, kvm_host.ail_mode_3, d.ail_mode_3);
    level(CapId::RptInvalidate, kvm_host.rpt_invalidate, d.rpt_invalidate);
    level(CapId::NestedKvmHv, kvm_host.nested_hv, d.nested_hv);
    if (kvm_host.large_decr_bits != d.large_decr_bits) caps.push_back(fmt::format("large-decr-bits={}", kvm_host.large_decr_bits));
    if (!caps.empty()) out += fmt::format(" -kvm-host-caps {}", fmt::join(caps, ","));
    return out;
}

}  // namespace ppcmig::machine
