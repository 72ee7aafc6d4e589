// The serve requests a differential runner needs to compare a machine in this process with one
// elsewhere (SERVE_PROTOCOL.md, "Observation"): pause/resume_in_place around a migration, the
// compared view, page hashes and contents, runs in chunks with a digest after each, and one
// chunk stepped instruction by instruction. The observations themselves are the runner's
// (ppcmig/runner/observe.hpp), so a machine reports here exactly what the oracle reads in process.
#include <climits>
#include <set>

#include <fmt/format.h>

#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/runner/observe.hpp"
#include "serve.hpp"
#include "serve_request.hpp"

namespace ppcmig::tools {

using nlohmann::json;

namespace {

constexpr size_t kMaxChunks = 4096;          ///< entries of one chunks request
constexpr uint64_t kMaxStepTicks = 1'000'000;  ///< one stepped run (its reply grows with it)

/// The layout a request asks for ("family", default the machine's own CPU family): a runner
/// compares two machines under one layout, the reference's, as it does in process.
runner::ViewLayout layout_for(const Request& r, const machine::SpaprMachine& m) {
    if (const auto f = r.string("family")) {
        const auto family = runner::family_named(*f);
        if (!family) r.wrong("family", "a CPU family: POWER7, POWER8, POWER9 or POWER10");
        return runner::ViewLayout(*family);
    }
    return runner::ViewLayout(m.config().cpu.family);
}

/// "exclude": [[vcpu or null, name], …].
std::vector<runner::ViewKey> parse_keys(const Request& r, std::string_view key) {
    std::vector<runner::ViewKey> out;
    if (!r.has(key)) return out;
    const json& v = r.raw(key);
    if (!v.is_array()) r.wrong(key, "an array of [vcpu or null, name] pairs");
    for (size_t i = 0; i < v.size(); ++i) {
        const json& e = v[i];
        if (!e.is_array() || e.size() != 2 || !(e[0].is_null() || e[0].is_number_unsigned()) || !e[1].is_string() ||
            (e[0].is_number_unsigned() && e[0].get<uint64_t>() > INT_MAX))
            throw ServeError("bad_request",
                             fmt::format("{}: \"{}\"[{}] must be [vcpu or null, name], got {}", r.where(), key, i, shown(e)),
                             {{"key", key}});
        out.push_back({e[0].is_null() ? -1 : static_cast<int>(e[0].get<uint64_t>()), e[1].get<std::string>()});
    }
    return out;
}

json page_entry(const machine::SpaprMachine& m, uint64_t page, bool contents) {
    json e = json::array({page, runner::page_hash(m, page)});
    if (contents) {
        static constexpr char kDigits[] = "0123456789abcdef";
        const uint8_t* p = m.memory().data() + (page << memory::kPageShift);
        std::string hex(2 * memory::kPageSize, '0');
        for (size_t i = 0; i < memory::kPageSize; ++i) {
            hex[2 * i] = kDigits[p[i] >> 4];
            hex[2 * i + 1] = kDigits[p[i] & 15];
        }
        e.push_back(std::move(hex));
    }
    return e;
}

bool alive(machine::MachineStop s) { return s == machine::MachineStop::Budget || s == machine::MachineStop::AllIdle; }

}  // namespace

json ServeSession::cmd_pause(const json& request) {
    const Request r(request, "pause", {"ticks"});
    const auto ticks = r.u64("ticks");
    if (!ticks) r.missing("ticks", "how long the VM stays stopped before what follows, in ticks");
    auto& m = usable_machine(r.where());
    m.pause(*ticks);
    return json{{"now", m.now()}, {"saved_timebase", m.saved_timebase()}};
}

json ServeSession::cmd_resume_in_place(const json& request) {
    const Request r(request, "resume_in_place", {});
    auto& m = usable_machine(r.where());
    m.resume_in_place();
    return json{{"now", m.now()}};
}

json ServeSession::cmd_view(const json& request) {
    const Request r(request, "view", {"family"});
    auto& m = usable_machine(r.where());
    return runner::view_json(layout_for(r, m), m);
}

json ServeSession::cmd_pages(const json& request) {
    const Request r(request, "pages", {"which", "pages", "contents", "clear_dirty"});
    const std::string which = r.string("which").value_or(r.has("pages") ? "list" : "");
    if (which != "touched" && which != "dirty" && which != "list") {
        if (r.has("which")) r.wrong("which", "\"touched\", \"dirty\" or \"list\"");
        r.missing("which", "\"touched\", \"dirty\" or \"list\" (with \"pages\")");
    }
    if ((which == "list") != r.has("pages"))
        throw ServeError("bad_request", "pages: \"pages\" goes with \"which\": \"list\" (and only with it)", {{"key", "pages"}});
    bool contents = false;
    if (r.has("contents")) {
        if (!r.raw("contents").is_boolean()) r.wrong("contents", "a boolean");
        contents = r.raw("contents").get<bool>();
    }
    bool clear = false;
    if (r.has("clear_dirty")) {
        if (!r.raw("clear_dirty").is_boolean()) r.wrong("clear_dirty", "a boolean");
        clear = r.raw("clear_dirty").get<bool>();
    }
    auto& m = usable_machine(r.where());
    const uint64_t count = m.memory().page_count();
    std::vector<uint64_t> pages;
    if (which == "list") {
        const json& list = r.raw("pages");
        if (!list.is_array()) r.wrong("pages", "an array of page numbers");
        for (size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_number_unsigned() || list[i].get<uint64_t>() >= count)
                throw ServeError("bad_request",
                                 fmt::format("pages: \"pages\"[{}] must be a page number below {} (the RAM's pages), got {}",
                                             i, count, shown(list[i])),
                                 {{"key", "pages"}, {"page_count", count}});
            pages.push_back(list[i].get<uint64_t>());
        }
    } else if (which == "touched") {
        pages = m.memory().touched_pages();
    } else {
        pages = m.memory().collect_dirty();
    }
    json out = json::array();
    for (uint64_t p : pages) out.push_back(page_entry(m, p, contents));
    if (clear) (void)m.memory().collect_dirty();
    return json{{"pages", std::move(out)}, {"page_count", count}};
}

json ServeSession::cmd_chunks(const json& request) {
    const Request r(request, "chunks", {"ticks", "exclude", "observe", "family"});
    if (!r.has("ticks")) r.missing("ticks", "an array of per-chunk budgets in ticks");
    const json& ticks = r.raw("ticks");
    if (!ticks.is_array() || ticks.empty() || ticks.size() > kMaxChunks)
        r.wrong("ticks", fmt::format("an array of 1 to {} non-negative integers", kMaxChunks));
    std::vector<uint64_t> budgets;
    for (const auto& t : ticks) {
        if (!t.is_number_unsigned()) r.wrong("ticks", "an array of non-negative integers");
        budgets.push_back(t.get<uint64_t>());
    }
    bool observe = true;
    if (r.has("observe")) {
        if (!r.raw("observe").is_boolean()) r.wrong("observe", "a boolean");
        observe = r.raw("observe").get<bool>();
    }
    const std::vector<runner::ViewKey> keys = parse_keys(r, "exclude");
    auto& m = usable_machine(r.where());
    const runner::ViewLayout layout = layout_for(r, m);
    const std::set<runner::ViewKey> exclude(keys.begin(), keys.end());
    runner::MachineValues machine_values;
    json chunks = json::array();
    for (const uint64_t budget : budgets) {
        const size_t console_before = m.console().size();
        const auto stop = m.run(budget);
        json c{{"stop", std::string(runner::stop_name(stop))}, {"now", m.now()}};
        if (observe) {
            c["digest"] = fmt::format("{:016x}", runner::view_digest(layout, m, exclude, machine_values));
            json excluded = json::array();
            for (const auto& v : runner::view_values(layout, m, keys, machine_values)) excluded.push_back(v ? json(*v) : json(nullptr));
            c["excluded"] = std::move(excluded);
            json dirty = json::array();
            for (uint64_t p : m.memory().collect_dirty()) dirty.push_back(page_entry(m, p, false));
            c["dirty"] = std::move(dirty);
            c["console"] = m.console().substr(console_before);
        }
        chunks.push_back(std::move(c));
        // A machine that powered off (or failed) runs no more, as in the oracle's lockstep.
        if (!alive(stop)) break;
    }
    mark_ran();
    return json{{"chunks", std::move(chunks)}, {"now", m.now()}};
}

json ServeSession::cmd_step(const json& request) {
    const Request r(request, "step", {"ticks", "family"});
    const auto ticks = r.u64("ticks");
    if (!ticks) r.missing("ticks", "the chunk's length in ticks");
    if (*ticks > kMaxStepTicks) r.wrong("ticks", fmt::format("at most {}", kMaxStepTicks));
    auto& m = usable_machine(r.where());
    const runner::ViewLayout layout = layout_for(r, m);
    const runner::ChunkTrace trace = runner::record_chunk(m, layout, *ticks);
    mark_ran();
    return json{{"trace", runner::trace_to_json(trace)}, {"now", m.now()}, {"stop", std::string(runner::stop_name(trace.stop))}};
}

}  // namespace ppcmig::tools
