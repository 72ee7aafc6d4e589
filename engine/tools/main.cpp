// ppcmig-engine: command-line front end of the engine.
//   ppcmig-engine disasm [--le] [--address A] HEXWORD...   |   --file RAW
//   ppcmig-engine user [--cpu MODEL] [--max-insns N] [--stats] ELF [args...]
//   ppcmig-engine insns   (the instruction table as JSON)
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ppcmig/cpu/model.hpp"
#include "ppcmig/isa/disasm.hpp"
#include "ppcmig/isa/insn.hpp"
#include "ppcmig/usermode/process.hpp"

namespace {

constexpr const char* kUsage =
    "usage: ppcmig-engine <command> [options]\n"
    "commands:\n"
    "  disasm [--le] [--address A] HEXWORD...   disassemble instruction words\n"
    "  disasm [--le] [--address A] --file RAW   disassemble a raw binary file\n"
    "  user [--cpu MODEL] [--max-insns N] [--stats] ELF [ARGS...]\n"
    "                                           run a static Linux ppc64 executable\n"
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
        if (cmd == "models") return cmd_models();
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
