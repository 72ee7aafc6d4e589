// pybind11 bindings: the engine's entry points for the Python package `ppcmig`.
// Hot paths run in C++ with the GIL released.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/cpu/model.hpp"
#include "ppcmig/isa/disasm.hpp"
#include "ppcmig/isa/insn.hpp"
#include "ppcmig/runner/oracle.hpp"
#include "ppcmig/usermode/process.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_ppcmig, m) {
    m.doc() = "ppcmig engine bindings";

    m.def(
        "disassemble",
        [](py::bytes data, uint64_t address, bool little_endian) {
            const std::string buf = data;
            std::vector<ppcmig::isa::DisasmLine> lines;
            {
                py::gil_scoped_release release;
                lines = ppcmig::isa::disassemble(
                    std::span(reinterpret_cast<const uint8_t*>(buf.data()), buf.size()), address, little_endian);
            }
            py::list out;
            for (const auto& l : lines) out.append(py::make_tuple(l.address, l.length, l.text));
            return out;
        },
        py::arg("data"), py::arg("address") = 0, py::arg("little_endian") = false,
        "Disassemble bytes; returns a list of (address, length, text).");

    m.def(
        "run_user",
        [](const std::string& elf_path, const std::vector<std::string>& args, const std::string& cpu,
           uint64_t max_insns) {
            ppcmig::usermode::Result r;
            {
                py::gil_scoped_release release;
                ppcmig::usermode::Options opt;
                opt.cpu_model = cpu;
                opt.max_insns = max_insns;
                r = ppcmig::usermode::run(elf_path, args, opt);
            }
            py::dict d;
            d["exit_code"] = r.exit_code;
            d["signal"] = r.signal;
            d["stdout"] = py::bytes(r.stdout_bytes);
            d["stderr"] = py::bytes(r.stderr_bytes);
            d["instructions"] = r.instructions;
            d["fault"] = r.fault;
            return d;
        },
        py::arg("elf_path"), py::arg("args") = std::vector<std::string>{}, py::arg("cpu") = "POWER9",
        py::arg("max_insns") = uint64_t(200'000'000'000ull),
        "Run a static Linux ppc64 executable in user mode; returns a dict with exit_code, stdout, ...");

    m.def("cpu_models", [] {
        py::list out;
        for (const auto& mdl : ppcmig::cpu::cpu_models()) out.append(py::make_tuple(std::string(mdl.name), mdl.pvr));
        return out;
    });
    m.def("instruction_count", [] { return ppcmig::isa::instruction_table().size(); });

    m.def(
        "run_scenario",
        [](const std::string& spec) {
            std::string result;
            std::string spec_error;
            {
                py::gil_scoped_release release;
                try {
                    result = ppcmig::runner::run_json(spec);
                } catch (const ppcmig::runner::SpecError& e) {
                    spec_error = e.what();
                }
            }
            if (!spec_error.empty()) throw py::value_error("scenario spec " + spec_error);
            return result;
        },
        py::arg("spec_json"),
        "Run a differential scenario (engine/src/runner/README.md): spec JSON in, result JSON out. "
        "A malformed spec raises ValueError naming the JSON pointer.");
    m.def("builds", [] {
        std::vector<std::string> names;
        for (const auto& b : ppcmig::builds::builds()) names.emplace_back(b.name);
        return names;
    });
}
