#include "trace_compare.hpp"

#include <cstring>
#include <tuple>

#include <fmt/format.h>

#include "ppcmig/cpu/cpu.hpp"
#include "ppcmig/cpu/spr.hpp"
#include "ppcmig/isa/decoder.hpp"
#include "ppcmig/isa/disasm.hpp"
#include "ppcmig/memory/guest_memory.hpp"

namespace ppcmig::runner::detail {

using nlohmann::json;

std::string disasm(uint32_t word, uint64_t pc) { return isa::disassemble_one(word, false, pc); }

std::string isa_level(uint32_t word) {
    const auto row = isa::Decoder::get().find(word);
    return row ? std::string(isa::to_string(isa::instruction_table()[*row].level)) : "none (illegal)";
}

namespace {

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

std::string program_reason(uint64_t srr1) {
    namespace r = cpu::srr1;
    if (srr1 & r::ILLEGAL) return "illegal instruction";
    if (srr1 & r::PRIVILEGED) return "privileged instruction";
    if (srr1 & r::TRAP) return "trap";
    if (srr1 & r::FP_ENABLED) return "floating-point enabled exception";
    if (srr1 & r::TM_BAD_THING) return "TM bad thing";
    return "unknown";
}

/// For each of `to`'s names, where `from` has it (two engines of different revisions may name
/// or order the view differently; the same engine: the identity).
std::vector<std::optional<size_t>> name_map(const std::vector<std::string>& to, const std::vector<std::string>& from) {
    std::vector<std::optional<size_t>> out(to.size());
    if (to == from) {
        for (size_t k = 0; k < to.size(); ++k) out[k] = k;
        return out;
    }
    std::map<std::string_view, size_t> at;
    for (size_t k = 0; k < from.size(); ++k) at.emplace(from[k], k);
    for (size_t k = 0; k < to.size(); ++k)
        if (const auto it = at.find(to[k]); it != at.end()) out[k] = it->second;
    return out;
}

std::optional<size_t> index_of(const std::vector<std::string>& names, std::string_view name) {
    for (size_t k = 0; k < names.size(); ++k)
        if (names[k] == name) return k;
    return std::nullopt;
}

}  // namespace

FirstDivergence compare_traces(const ChunkTrace& ref, const ChunkTrace& mig, const std::vector<Difference>& baseline,
                               const std::set<uint64_t>& baseline_pages, bool exact, const PageFetch& ref_now,
                               const PageFetch& mig_now) {
    std::set<std::tuple<int, std::string, uint64_t, uint64_t>> known;
    for (const auto& x : baseline) known.insert({x.vcpu, x.name, x.reference, x.migrated});
    const auto values_map = name_map(ref.names, mig.names);
    const auto machine_map = name_map(ref.machine_names, mig.machine_names);

    // Pages one run wrote and the other did not: the other's copy, as it holds it now. The
    // reference ran its whole chunk, so that is its copy at the chunk's end; the migrated run's
    // untouched pages are the same at every step.
    std::set<uint64_t> ref_missing, mig_missing;
    for (const auto& [p, h] : mig.pages)
        if (!ref.pages.contains(p)) ref_missing.insert(p);
    for (const auto& [p, h] : ref.pages)
        if (!mig.pages.contains(p)) mig_missing.insert(p);
    std::map<uint64_t, std::vector<uint8_t>> ref_current = ref_missing.empty() ? decltype(ref_current){} : ref_now(ref_missing);
    std::map<uint64_t, std::vector<uint8_t>> mig_current = mig_missing.empty() ? decltype(mig_current){} : mig_now(mig_missing);
    // The migrated run's copy of a page right after its step `index`.
    auto mine = [&](uint64_t pg, size_t index) -> const uint8_t* {
        if (const auto* b = mig.page_at(pg, index)) return b->data();
        if (!mig_current.contains(pg)) {
            auto more = mig_now({pg});
            mig_current.insert(more.begin(), more.end());
        }
        const auto it = mig_current.find(pg);
        return it == mig_current.end() ? nullptr : it->second.data();
    };
    // The reference's copy for a comparison with its step `index`: as that step left it if it
    // wrote the page, else its copy at the end of the chunk.
    auto theirs = [&](uint64_t pg, size_t index) -> const uint8_t* {
        if (const auto* b = ref.page_written_by(pg, index)) return b->data();
        if (const auto* b = ref.page_at_end(pg)) return b->data();
        const auto it = ref_current.find(pg);
        return it == ref_current.end() ? nullptr : it->second.data();
    };

    FirstDivergence out;
    auto last_insns = [&](size_t upto) {
        const size_t from = upto > 16 ? upto - 16 : 0;
        for (size_t i = from; i < upto; ++i) out.last_insns.push_back(fmt::format("{:#x}: {}", mig.steps[i].pc, disasm(mig.steps[i].word, mig.steps[i].pc)));
    };
    for (size_t index = 0; index < mig.steps.size(); ++index) {
        const StepRecord& m = mig.steps[index];
        json first{{"vcpu", m.vcpu}, {"tick", m.tick}, {"pc", hex(m.pc)}, {"insn", disasm(m.word, m.pc)},
                   {"word", fmt::format("{:08x}", m.word)}, {"isa", isa_level(m.word)}};
        auto finish = [&](json registers, json pages, int ref_interrupt) {
            first["registers"] = std::move(registers);
            first["pages"] = std::move(pages);
            first["interrupt"] = {{"reference", ref_interrupt < 0 ? json(nullptr) : json(hex(ref_interrupt))},
                                  {"migrated", m.interrupt < 0 ? json(nullptr) : json(hex(m.interrupt))}};
            out.first = std::move(first);
            if (m.interrupt == 0x700 && ref_interrupt != 0x700) {
                auto value = [&](std::string_view name) -> uint64_t {
                    const auto k = index_of(mig.names, name);
                    return k ? m.values[*k] : 0;
                };
                const uint64_t srr0 = value("SRR0"), srr1 = value("SRR1");
                // The instruction at SRR0 in the migrated run's memory as it was at that step.
                uint32_t word = 0;
                if ((srr0 & 3) == 0) {
                    if (const uint8_t* page = mine(srr0 >> memory::kPageShift, index)) {
                        const uint8_t* b = page + (srr0 & (memory::kPageSize - 1));
                        word = (srr1 & cpu::msr::LE) != 0
                                   ? (uint32_t(b[3]) << 24 | uint32_t(b[2]) << 16 | uint32_t(b[1]) << 8 | b[0])
                                   : (uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3]);
                    }
                }
                out.program = json{{"vcpu", m.vcpu}, {"tick", m.tick}, {"vector", "0x700"}, {"srr0", hex(srr0)},
                                   {"srr1", hex(srr1)}, {"reason", program_reason(srr1)}, {"insn", disasm(word, srr0)},
                                   {"word", fmt::format("{:08x}", word)}, {"isa", isa_level(word)},
                                   {"pcr", hex(value("PCR"))}, {"compat_pvr", hex(value("compat_pvr"))}};
            }
            last_insns(index);
            return out;
        };
        if (index >= ref.steps.size()) {
            first["note"] = "the reference's vCPUs did not execute this instruction (idle or stopped)";
            return finish(json::array(), json::array(), -1);
        }
        const StepRecord& r = ref.steps[index];
        if (r.vcpu != m.vcpu || r.pc != m.pc) {
            first["note"] = fmt::format("control flow differs: the reference executed {:#x} on vCPU {} ({})", r.pc, r.vcpu,
                                        disasm(r.word, r.pc));
            return finish(json::array(), json::array(), r.interrupt);
        }
        std::vector<Difference> fresh;
        for (size_t k = 0; k < r.values.size(); ++k) {
            if (!values_map[k]) continue;  // a field the other engine does not have
            const uint64_t mv = m.values[*values_map[k]];
            if (mv != r.values[k] && !known.contains({static_cast<int>(m.vcpu), ref.names[k], r.values[k], mv}))
                fresh.push_back({static_cast<int>(m.vcpu), ref.names[k], r.values[k], mv});
        }
        for (size_t k = 0; k < r.machine.size(); ++k) {
            if (!machine_map[k]) continue;
            const uint64_t mv = m.machine[*machine_map[k]];
            if (mv != r.machine[k] && !known.contains({-1, ref.machine_names[k], r.machine[k], mv}))
                fresh.push_back({-1, ref.machine_names[k], r.machine[k], mv});
        }
        // Pages written in this step on either side, compared as they are after it.
        std::set<uint64_t> written(m.pages.begin(), m.pages.end());
        written.insert(r.pages.begin(), r.pages.end());
        std::set<uint64_t> pages;
        for (uint64_t pg : written) {
            if (baseline_pages.contains(pg)) continue;
            const uint8_t* a = theirs(pg, index);
            const uint8_t* b = mine(pg, index);
            if (a != nullptr && b != nullptr && std::memcmp(a, b, memory::kPageSize) != 0) pages.insert(pg);
        }
        if (fresh.empty() && pages.empty() && r.interrupt == m.interrupt) continue;
        json pj = json::array();
        for (uint64_t pg : pages) pj.push_back(page_difference_json(pg, theirs(pg, index), mine(pg, index), exact));
        return finish(differences_json(fresh), std::move(pj), r.interrupt);
    }
    if (mig.steps.size() < ref.steps.size()) {
        const StepRecord& r = ref.steps[mig.steps.size()];
        out.first = json{{"vcpu", r.vcpu}, {"tick", r.tick}, {"pc", hex(r.pc)}, {"insn", disasm(r.word, r.pc)},
                         {"word", fmt::format("{:08x}", r.word)}, {"isa", isa_level(r.word)},
                         {"note", "the migrated run's vCPUs did not execute this instruction (idle or stopped)"},
                         {"registers", json::array()}, {"pages", json::array()},
                         {"interrupt", {{"reference", r.interrupt < 0 ? json(nullptr) : json(hex(r.interrupt))}, {"migrated", nullptr}}}};
        last_insns(mig.steps.size());
    }
    return out;
}

}  // namespace ppcmig::runner::detail
