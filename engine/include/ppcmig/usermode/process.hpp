// User mode: a static Linux ppc64 executable (ELFv1 big-endian or ELFv2 little-endian) run on
// the engine with a deterministic syscall layer. Used for conformance and speed checks against
// qemu-user.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ppcmig/cpu/cpu.hpp"
#include "ppcmig/memory/elf_image.hpp"

namespace ppcmig::usermode {

struct Options {
    std::string cpu_model = "POWER9";  ///< as qemu-ppc64's default
    uint64_t max_insns = 200'000'000'000ull;  ///< stop (exit code 124) after this many
    bool echo_stdout = false;  ///< also write guest stdout/stderr to the host's as it happens
};

/// Outcome of a run.
struct Result {
    int exit_code = 0;          ///< the program's exit status; 128+signal if killed
    int signal = 0;             ///< the fatal signal number, 0 if it exited
    std::string stdout_bytes;
    std::string stderr_bytes;
    uint64_t instructions = 0;  ///< instructions retired
    std::string fault;          ///< description of a fatal fault, if any
};

/// Runs the executable at `path` with argv = {path, args...}. Throws memory::ElfError for a
/// malformed file and std::invalid_argument for an unknown CPU model.
Result run(const std::filesystem::path& path, const std::vector<std::string>& args, const Options& opt = {});

}  // namespace ppcmig::usermode
