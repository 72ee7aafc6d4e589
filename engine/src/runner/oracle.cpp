#include "ppcmig/runner/oracle.hpp"

#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "drive.hpp"
#include "ppcmig/util/sha256.hpp"

namespace ppcmig::runner {

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::Ok: return "ok";
        case Verdict::LoadFail: return "load_fail";
        case Verdict::StartFail: return "start_fail";
        case Verdict::ProgramInterrupt: return "program_interrupt";
        case Verdict::Divergence: return "divergence";
        case Verdict::Hang: return "hang";
        case Verdict::Crash: return "crash";
        case Verdict::Unsupported: return "unsupported";
    }
    return "?";
}

namespace {

using nlohmann::json;
using machine::MachineStop;
using machine::SpaprMachine;
using detail::Drive;
using detail::Outcome;
using detail::FirstDivergence;
using detail::Prepared;
using detail::Rewind;
using detail::Side;
using detail::View;

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

// ------------------------------------------------------------------ results
std::string result_line(const std::string& console) {
    const auto at = console.rfind("RESULT ");
    if (at == std::string::npos) return "";
    const auto end = console.find('\n', at);
    return console.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

json run_json_of(const ViewLayout& layout, Side& side, MachineStop stop, const std::string& console) {
    json digest = nullptr;
    if (SpaprMachine* m = side.machine()) digest = detail::state_digest(layout, *m);
    else if (const auto d = side.view(layout).state_digest) digest = *d;
    return json{{"stop", stop_name(stop)}, {"time_base", side.now()}, {"console", console}, {"result_line", result_line(console)},
                {"state_digest", digest}, {"errors", side.errors()}};
}

void write_artifacts(const Scenario& sc, const json& result, const Drive* d, json& listing) {
    namespace fs = std::filesystem;
    const fs::path dir(sc.artifacts);
    fs::create_directories(dir);
    json files = json::array();
    auto put = [&](const std::string& name, std::string_view data) {
        const fs::path tmp = dir / (name + ".tmp");
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(data.data(), static_cast<std::streamsize>(data.size()));
            if (!out) throw std::runtime_error(fmt::format("cannot write {}", tmp.string()));
        }
        fs::rename(tmp, dir / name);
        files.push_back(name);
    };
    // A side in a server that failed has nothing more to tell: its files are left out.
    auto side_files = [&](Side& side, const std::string& prefix, const std::string& console_prefix) {
        std::string state, console;
        try {
            state = side.state_json().dump(1) + "\n";
            console = console_prefix + side.console();
        } catch (const std::exception&) {
            if (side.machine()) throw;
            return;
        }
        put(prefix + "-state.json", state);
        put(prefix + "-console.txt", console);
    };
    Scenario spec = sc;
    put("scenario.json", to_json(spec).dump(1) + "\n");
    if (d != nullptr) {
        for (size_t i = 0; i < d->stream_bytes.size(); ++i)
            put(fmt::format("stream-{}.bin", i),
                std::string_view(reinterpret_cast<const char*>(d->stream_bytes[i].data()), d->stream_bytes[i].size()));
        if (d->ref) side_files(*d->ref, "reference", "");
        if (d->mig) side_files(*d->mig, "migrated", d->mig_console_prefix);
    }
    (void)result;  // result.json is the caller's: it holds the digest of this very text
    listing = json{{"dir", dir.string()}, {"files", files}};
}

// The verdict of a drive that ran to its end: the runs' summaries go into `out`.
Outcome judge(const Scenario& sc, const Prepared& prepared, Drive& d, json& out) {
    Verdict verdict = Verdict::Ok;
    std::string summary;
    const ViewLayout& layout = *d.layout;
    const std::string mig_console = d.mig_console_prefix + d.mig->console();
    out["reference"] = run_json_of(layout, *d.ref, d.ref_stop, d.ref->console());
    out["migrated"] = run_json_of(layout, *d.mig, d.mig_stop, mig_console);
    const bool differed = d.first_chunk || d.first_resume_hop || !d.current.empty();
    std::optional<FirstDivergence> first;
    if (d.first_chunk) first = detail::step_chunk(sc, prepared, *d.first_chunk, d.before_first_chunk);
    const bool hang = d.ref_stop == MachineStop::PowerOff && d.mig_stop != MachineStop::PowerOff;
    json details{{"at_resume", d.at_resume}, {"first", first ? first->first : json(nullptr)},
                 {"last_insns", first ? first->last_insns : json::array()},
                 {"end", {{"registers", detail::differences_json(d.current.diffs)}, {"pages", d.pages_json(d.current.pages)}}}};
    if (d.ref->console() != mig_console) {
        auto tail = [](const std::string& s) { return s.size() > 400 ? s.substr(s.size() - 400) : s; };
        details["console"] = {{"reference_tail", tail(d.ref->console())}, {"migrated_tail", tail(mig_console)}};
    }
    if (!d.observable())
        details["note"] = "an external engine that predates the observation requests was compared at each resume and "
                          "at the end through `query state` only: no RAM comparison, no first divergent instruction";
    int hop = static_cast<int>(sc.hops.size()) - 1;
    if (first && first->program) {
        verdict = Verdict::ProgramInterrupt;
        const json& pi = *first->program;
        for (const auto& [k, v] : pi.items()) details[k] = v;  // the contract's program_interrupt fields
        summary = fmt::format("after migrating, vCPU {} took a Program interrupt ({}) at {}: {} (ISA {}), PCR {}",
                              pi["vcpu"].get<unsigned>(), pi["reason"].get<std::string>(), pi["srr0"].get<std::string>(),
                              pi["insn"].get<std::string>(), pi["isa"].get<std::string>(), pi["pcr"].get<std::string>());
    } else if (hang) {
        verdict = Verdict::Hang;
        json vcpus = json::array();
        const View mv = d.mig->view(layout);
        for (size_t i = 0; i < mv.vcpus.size(); ++i) {
            const int v = static_cast<int>(i);
            vcpus.push_back({{"index", i}, {"nip", hex(mv.value(v, "nip").value_or(0))},
                             {"running", mv.value(v, "running").value_or(0) != 0}, {"ceded", mv.value(v, "ceded").value_or(0) != 0}});
        }
        details["hang"] = {{"reason", d.mig_stop == MachineStop::AllIdle ? "all vCPUs idle with no timer armed"
                                                                        : "no power-off within the budget"},
                           {"time_base", d.mig->now()}, {"reference_finished_at", d.ref->now()}, {"vcpus", vcpus}};
        summary = fmt::format("the migrated guest stops making progress ({}) where the reference powers off at {}",
                              d.mig_stop == MachineStop::AllIdle ? "idle, no timer armed" : "budget exhausted", d.ref->now());
    } else if (differed) {
        verdict = Verdict::Divergence;
        if (first && !first->first.is_null()) {
            const json& f = first->first;
            summary = fmt::format("first divergent instruction on vCPU {} at {}: {} (tick {})", f["vcpu"].get<unsigned>(),
                                  f["pc"].get<std::string>(), f["insn"].get<std::string>(), f["tick"].get<uint64_t>());
        } else if (!d.at_resume.is_null()) {
            summary = fmt::format("state differs right after the load of hop {}: {} register(s), {} page(s)",
                                  d.at_resume["hop"].get<int>(), d.at_resume["registers"].size(), d.at_resume["pages"].size());
            hop = d.at_resume["hop"].get<int>();
        } else {
            summary = "the runs end in different states";
        }
    } else {
        hop = -1;
        summary = fmt::format("the migrated run matches the reference ({}, {})", stop_name(d.ref_stop),
                              result_line(d.ref->console()).empty() ? "no RESULT line" : result_line(d.ref->console()));
    }
    return {verdict, hop >= 0 ? std::optional<int>(hop) : std::nullopt, summary, std::move(details)};
}

}  // namespace

Result run(const Scenario& sc) {
    json out{{"format", "ppcmig-result"}, {"format_version", 1}, {"name", sc.name}};
    Outcome outcome{Verdict::Ok, std::nullopt, "", json::object()};
    std::optional<Prepared> prepared;  // outlives the drive: external servers use its files
    std::unique_ptr<Drive> drive;
    try {
        prepared.emplace(detail::prepare(sc));
        drive = std::make_unique<Drive>(sc, *prepared);
        try {
            try {
                drive->execute(std::nullopt);
            } catch (const Rewind& r) {
                drive = std::make_unique<Drive>(sc, *prepared, r.chunk);
                drive->execute(std::nullopt);
            }
            outcome = judge(sc, *prepared, *drive, out);
        } catch (const Outcome& e) {
            outcome = e;
        }
    } catch (const SpecError&) {
        throw;
    } catch (const detail::EngineFailure& e) {
        outcome = Outcome{Verdict::Crash, std::nullopt, fmt::format("engine error ({}): {}", e.where, e.what()),
                          json{{"what", e.what()}, {"where", e.where}}};
    } catch (const std::exception& e) {
        outcome = Outcome{Verdict::Crash, std::nullopt, fmt::format("engine error: {}", e.what()),
                          json{{"what", e.what()}, {"where", "runner"}}};
    }
    out["verdict"] = to_string(outcome.verdict);
    out["summary"] = outcome.summary;
    out["hop"] = outcome.hop ? json(*outcome.hop) : json(nullptr);
    out["details"] = outcome.details;
    if (!out.contains("reference")) out["reference"] = nullptr;
    if (!out.contains("migrated")) out["migrated"] = nullptr;
    out["streams"] = drive ? json(drive->streams) : json::array();
    out["warnings"] = drive ? json(drive->warnings) : json::array();
    const std::string text = out.dump();
    out["digest"] = util::sha256_hex(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    json listing = nullptr;
    if (!sc.artifacts.empty()) write_artifacts(sc, out, drive.get(), listing);
    out["artifacts"] = listing;
    return Result{outcome.verdict, std::move(out)};
}

std::string run_json(const std::string& spec) {
    json j;
    try {
        j = json::parse(spec);
    } catch (const json::parse_error& e) {
        throw SpecError("", fmt::format("not JSON: {}", e.what()));
    }
    return run(scenario_from_json(j)).json.dump();
}

}  // namespace ppcmig::runner