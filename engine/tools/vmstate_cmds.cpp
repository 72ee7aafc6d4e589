#include "vmstate_cmds.hpp"

#include "atomic_file.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/stream.hpp"
#include "ppcmig/migration/vmstate_diff.hpp"

namespace ppcmig::tools {

namespace {

int bad_usage(const std::string& cmd, const std::string& msg, const char* usage) {
    fmt::print(stderr, "ppcmig-engine: {}: {}\nusage: ppcmig-engine {}\n", cmd, msg, usage);
    return 2;
}

constexpr const char* kDumpUsage =
    "vmstate-dump [--build B] --machine M [--cpu C] [--smp S] [-m SIZE] [--accel tcg|kvm-hv] [--host-cpu C] [--output PATH]";
constexpr const char* kDiffUsage = "vmstate-diff [--json] SOURCE.json DESTINATION.json";

}  // namespace

int cmd_vmstate_dump(const std::vector<std::string>& a) {
    std::vector<std::string> qemu_args;
    std::string build = "head", output;
    bool have_machine = false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto value = [&](const char* qemu_opt) -> bool {
            if (i + 1 >= a.size()) return false;
            if (qemu_opt) {
                qemu_args.push_back(qemu_opt);
                qemu_args.push_back(a[++i]);
            }
            return true;
        };
        const std::string& o = a[i];
        bool ok = true;
        if (o == "--machine" || o == "-machine" || o == "-M") ok = have_machine = value("-machine");
        else if (o == "--cpu" || o == "-cpu") ok = value("-cpu");
        else if (o == "--smp" || o == "-smp") ok = value("-smp");
        else if (o == "-m" || o == "--memory") ok = value("-m");
        else if (o == "--accel" || o == "-accel") ok = value("-accel");
        else if (o == "--host-cpu") ok = value("-host-cpu");
        else if (o == "--build") { ok = value(nullptr); if (ok) build = a[++i]; }
        else if (o == "--output" || o == "-o") { ok = value(nullptr); if (ok) output = a[++i]; }
        else return bad_usage("vmstate-dump", fmt::format("unknown option {}", o), kDumpUsage);
        if (!ok) return bad_usage("vmstate-dump", fmt::format("{} needs a value", o), kDumpUsage);
    }
    if (!have_machine) return bad_usage("vmstate-dump", "--machine is required", kDumpUsage);
    builds::Profile profile;
    try {
        profile = builds::profile(build);
    } catch (const builds::UnknownBuild& e) {
        return bad_usage("vmstate-dump", e.what(), kDumpUsage);
    }
    std::unique_ptr<machine::SpaprMachine> m;
    try {
        // Parsed with the build's knowledge: its machine versions and what "pseries" means.
        auto cfg = builds::parse_config(profile, qemu_args);
        m = std::make_unique<machine::SpaprMachine>(std::move(cfg), profile.behaviour);
    } catch (const machine::ConfigError& e) {
        fmt::print(stderr, "ppcmig-engine: vmstate-dump (build {}): {}\n", profile.name, e.what());
        if (!e.hint.empty()) fmt::print(stderr, "{}\n", e.hint);
        return 1;
    }
    for (const auto& w : m->warnings()) fmt::print(stderr, "ppcmig-engine: warning: {}\n", w);
    // The machine as QEMU has it after machine reset (compat modes from max-cpu-compat), before
    // any guest code: needed() of guest-dependent subsections is reported as evaluated here.
    m->reset();
    nlohmann::json dump = migration::describe_machine(*m);
    dump["build"] = profile.name;
    const std::string text = dump.dump(1) + "\n";
    if (output.empty()) {
        std::cout << text;
        std::cout.flush();
    } else {
        write_file_atomically(output, text);
    }
    return 0;
}

int cmd_vmstate_diff(const std::vector<std::string>& a) {
    bool json = false;
    std::vector<std::string> files;
    for (const auto& o : a) {
        if (o == "--json") json = true;
        else if (o.size() > 1 && o[0] == '-') return bad_usage("vmstate-diff", fmt::format("unknown option {}", o), kDiffUsage);
        else files.push_back(o);
    }
    if (files.size() != 2)
        return bad_usage("vmstate-diff", fmt::format("expected two dump files, got {}", files.size()), kDiffUsage);
    migration::VmstateDump src, dst;
    try {
        src = migration::read_vmstate_dump(files[0]);
        dst = migration::read_vmstate_dump(files[1]);
    } catch (const migration::DumpError& e) {
        fmt::print(stderr, "ppcmig-engine: vmstate-diff: {}\n", e.what());
        return 2;
    }
    const auto findings = migration::diff_vmstate(src, dst);
    if (json) std::cout << migration::diff_report_json(src, dst, findings).dump(1) << "\n";
    else std::cout << migration::diff_report_text(src, dst, findings);
    std::cout.flush();
    return migration::has_errors(findings) ? 1 : 0;
}

}  // namespace ppcmig::tools
