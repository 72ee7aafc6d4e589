#include "prepare.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>

#include "ppcmig/builds/changeset.hpp"
#include "ppcmig/memory/guest_params.hpp"

namespace ppcmig::runner::detail {

TempDir::TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "ppcmig-runner-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr)
        throw std::runtime_error(fmt::format("cannot create a temporary directory {}: {}", templ, std::strerror(errno)));
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::log_for(const std::string& label) {
    std::string name;
    for (char c : label) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    return path_ / fmt::format("{}-{}.log", name, logs_++);
}

namespace {

using nlohmann::json;

builds::Profile resolve_profile(const BuildRef& b, const std::string& ptr) {
    try {
        if (!b.changeset.empty()) return builds::profile_with_changeset(b.build, builds::read_changeset(b.changeset));
        return builds::profile(b.build.empty() ? "head" : b.build);
    } catch (const builds::ChangesetError& e) {
        throw SpecError(ptr + "/changeset", e.what());
    } catch (const std::exception& e) {
        throw SpecError(ptr + "/build", e.what());
    }
}

SideSpec make_side(std::string label, const BuildRef& b, const std::string& options, const std::string& ptr) {
    SideSpec s{std::move(label), ptr, b.build.empty() ? "head" : b.build, options, {}, {}, {}, {}};
    if (!b.engine.empty()) {
        // The external binary's builds are its own: they are checked when it is configured.
        const std::filesystem::path engine = std::filesystem::absolute(b.engine);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(engine, ec) || ::access(engine.c_str(), X_OK) != 0)
            throw SpecError(ptr + "/engine", fmt::format("{}: not an executable file", b.engine));
        s.external = ExternalSpec{engine, s.build,
                                          b.changeset.empty() ? std::string() : std::filesystem::absolute(b.changeset).string(),
                                          machine::split_options(options), {}, {}};
        return s;
    }
    s.profile = resolve_profile(b, ptr);
    s.build = s.profile->name;
    try {
        s.cfg = machine::MachineConfig::parse(options, s.profile->limits());
    } catch (const machine::ConfigError& e) {
        s.error = e;
    }
    return s;
}

Outcome config_verdict(const SideSpec& side, const machine::ConfigError& e, std::optional<int> hop) {
    const Verdict v = e.unknown_to_build ? Verdict::Unsupported : Verdict::StartFail;
    const std::string where = hop ? "destination" : "source";
    json d{{"side", where}, {"build", side.build}, {"message", e.what()}};
    if (!e.hint.empty()) d["hint"] = e.hint;
    const std::string summary =
        v == Verdict::Unsupported
            ? fmt::format("build {} cannot run this {}: {}", side.build, where, e.what())
            : fmt::format("the {} (build {}) refuses to start: {}", where, side.build, e.what());
    return {v, hop, summary, std::move(d)};
}

}  // namespace

Prepared prepare(const Scenario& sc) {
    memory::ElfImage elf = [&] {
        try {
            return memory::with_guest_params(memory::ElfImage::read(sc.elf), sc.params);
        } catch (const memory::ElfError& e) {
            throw SpecError("/guest", e.what());
        }
    }();
    SideSpec source = make_side("source", sc.source, sc.source_options, "/source");
    std::vector<SideSpec> hops;
    std::string previous = sc.source_options;
    for (size_t i = 0; i < sc.hops.size(); ++i) {
        const Hop& h = sc.hops[i];
        const std::string options = h.options.value_or(previous);
        hops.push_back(make_side(fmt::format("hop {}", i), h.build, options, fmt::format("/hops/{}", i)));
        previous = options;
    }
    Prepared p{std::move(elf), std::move(source), std::move(hops), nullptr};
    bool external = p.source.external.has_value();
    for (const auto& h : p.hops) external = external || h.external.has_value();
    if (external) {
        // An external engine loads the guest from a file: the image with the parameters patched in.
        p.tmp = std::make_unique<TempDir>();
        const auto guest = p.tmp->path() / "guest.elf";
        std::ofstream out(guest, std::ios::binary);
        out.write(reinterpret_cast<const char*>(p.elf.bytes.data()), static_cast<std::streamsize>(p.elf.bytes.size()));
        if (!out) throw std::runtime_error(fmt::format("cannot write {}", guest.string()));
        if (p.source.external) p.source.external->guest = guest;
        for (auto& h : p.hops)
            if (h.external) h.external->guest = guest;
    }
    return p;
}

std::unique_ptr<Side> start(const SideSpec& side, const Prepared& p, std::optional<int> hop) {
    if (side.external) {
        ExternalSpec spec = *side.external;
        spec.log = p.tmp->log_for(side.label);
        try {
            return make_remote_side(side.label, spec);
        } catch (const machine::ConfigError& e) {
            throw config_verdict(side, e, hop);
        } catch (const ExternalSpecError& e) {
            throw SpecError(fmt::format("{}/{}", side.pointer, e.key), e.what());
        }
    }
    if (side.error) throw config_verdict(side, *side.error, hop);
    try {
        return make_local_side(side.label, *side.cfg, *side.profile, p.elf);
    } catch (const machine::ConfigError& e) {
        throw config_verdict(side, e, hop);
    }
}

}  // namespace ppcmig::runner::detail
