// vmstate-diff rules on hand-made schemas (described through the real describe()), the dump
// reader's error messages, and dumps of real machines from engine builds.
#include <gtest/gtest.h>

#include <map>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/stream.hpp"
#include "ppcmig/migration/vmstate.hpp"
#include "map_state.hpp"
#include "ppcmig/migration/vmstate_diff.hpp"

using namespace ppcmig::migration;
using nlohmann::json;

namespace {

using test_support::MapState;

Field field(std::string name, FieldType t, uint32_t count = 1) {
    Field f;
    f.name = std::move(name);
    f.type = t;
    f.count = count;
    return f;
}
Field unused(uint32_t bytes) {
    Field f = field("unused", FieldType::Unused);
    f.size = bytes;
    return f;
}

struct Sec {
    std::string idstr;
    uint32_t instance;
    const Vmsd* vmsd;
    MapState* state;
    bool sent = true;
};

json caps_json(std::initializer_list<std::tuple<std::string, int, int, std::optional<int>>> caps) {
    json out = json::array();
    for (const auto& [name, def, eff, cmd] : caps)
        out.push_back({{"name", name},
                       {"subsection", "spapr/cap/" + name},
                       {"default", def},
                       {"default_text", std::to_string(def)},
                       {"effective", eff},
                       {"effective_text", std::to_string(eff)},
                       {"cmdline", cmd ? json(*cmd) : json(nullptr)}});
    return out;
}

json make_dump(const std::string& machine, const std::vector<Sec>& secs, json caps = json::array(),
               uint64_t ram = uint64_t(512) << 20, const std::string& block = "ppc_spapr.ram") {
    json sections = json::array();
    for (const auto& s : secs) {
        json d = describe(*s.vmsd, *s.state);
        d["idstr"] = s.idstr;
        d["instance"] = s.instance;
        d["sent"] = s.sent;
        sections.push_back(std::move(d));
    }
    return json{{"format", "ppcmig-vmstate-dump"},
                {"format_version", 1},
                {"machine", {{"options", "-machine " + machine}}},
                {"configuration", {{"machine_type", machine}}},
                {"ram", {{"idstr", "ram"}, {"instance", 0}, {"version_id", 4},
                         {"blocks", json::array({{{"name", block}, {"used_length", ram}}})}}},
                {"sections", sections},
                {"caps", caps}};
}

std::vector<DiffFinding> diff(const json& a, const json& b) {
    return diff_vmstate(parse_vmstate_dump(a, "a.json"), parse_vmstate_dump(b, "b.json"));
}

std::vector<const DiffFinding*> of_kind(const std::vector<DiffFinding>& fs, std::string_view kind) {
    std::vector<const DiffFinding*> out;
    for (const auto& f : fs)
        if (f.kind == kind) out.push_back(&f);
    return out;
}

size_t count(const std::vector<DiffFinding>& fs, Severity s) {
    return static_cast<size_t>(std::count_if(fs.begin(), fs.end(), [&](const DiffFinding& f) { return f.severity == s; }));
}

std::string dump_all(const std::vector<DiffFinding>& fs) {
    std::string out;
    for (const auto& f : fs) out += std::string(to_string(f.severity)) + " " + f.kind + " " + f.path + ": " + f.message + "\n";
    return out;
}

// A small device: version 2, a subsection per kind of needed() rule.
struct Dev {
    Vmsd fpu{"dev/fpu", 1, 1, {field("fpr", FieldType::U64, 2)}, {}};
    Vmsd tm{"dev/tm", 1, 1, {field("tm_gpr", FieldType::U64, 4)}, {}};
    Vmsd old{"dev/old", 1, 1, {field("legacy", FieldType::U32)}, {}};
    Vmsd dev{"dev", 2, 1, {field("gpr", FieldType::U64, 4), field("cr", FieldType::U32), field("flags", FieldType::U16)}, {}};
    Dev() { link(); }
    Dev(const Dev& o) : fpu(o.fpu), tm(o.tm), old(o.old), dev(o.dev) { link(); }
    void link() {
        dev.subsections = {Subsection{&fpu, Pred::HasFloat, ""}, Subsection{&tm, Pred::TmActive, ""},
                           Subsection{&old, Pred::Pre28Migration, ""}};
    }
};

MapState state() {
    MapState s;
    s.preds = {{Pred::HasFloat, true}};
    return s;
}

}  // namespace

TEST(VmstateDiff, IdenticalDumpsHaveNoFindings) {
    Dev d;
    MapState s = state();
    const json a = make_dump("pseries-9.0", {{"dev", 0, &d.dev, &s}, {"dev", 1, &d.dev, &s}});
    const auto fs = diff(a, a);
    EXPECT_TRUE(fs.empty()) << dump_all(fs);
}

TEST(VmstateDiff, SectionUnknownOnTheDestinationIsAnErrorWithQemusText) {
    Dev d;
    MapState s = state();
    const auto fs = diff(make_dump("pseries-9.0", {{"dev", 0, &d.dev, &s}, {"dev", 1, &d.dev, &s}}),
                         make_dump("pseries-9.0", {{"dev", 0, &d.dev, &s}}));
    const auto miss = of_kind(fs, "section_missing");
    ASSERT_EQ(miss.size(), 1u) << dump_all(fs);
    EXPECT_EQ(miss[0]->severity, Severity::Error);
    EXPECT_EQ(miss[0]->instance, 1u);
    EXPECT_EQ(miss[0]->message,
              "Unknown savevm section or instance 'dev' 1. Make sure that your current VM setup matches your saved VM setup, "
              "including any hotplugged devices");
    // The reverse is silent in QEMU: a warning that the section keeps its reset state.
    const auto rev = diff(make_dump("pseries-9.0", {{"dev", 0, &d.dev, &s}}),
                          make_dump("pseries-9.0", {{"dev", 0, &d.dev, &s}, {"dev", 1, &d.dev, &s}}));
    ASSERT_EQ(of_kind(rev, "section_not_sent").size(), 1u);
    EXPECT_EQ(of_kind(rev, "section_not_sent")[0]->severity, Severity::Warning);
    EXPECT_EQ(count(rev, Severity::Error), 0u);
}

TEST(VmstateDiff, VersionWindow) {
    Dev a, b;
    MapState s = state();
    b.dev.version_id = 1;
    auto fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &b.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "version_too_new").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "version_too_new")[0]->message, "savevm: unsupported version 2 for 'dev' v1");
    b.dev.version_id = 4;
    b.dev.minimum_version_id = 3;
    fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &b.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "version_too_old").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "version_too_old")[0]->message, "dev: incoming version_id 2 is too old for local minimum version_id  3");
    EXPECT_EQ(count(fs, Severity::Error), 1u) << "a version error stops the comparison of that section";
}

TEST(VmstateDiff, AVersionGatedNewFieldAcceptsTheOlderStream) {
    Dev a, b;
    MapState s = state();
    b.dev.version_id = 3;
    Field extra = field("extra", FieldType::U32);
    extra.version_id = 3;
    b.dev.fields.push_back(extra);
    const auto fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &b.dev, &s}}));
    EXPECT_EQ(count(fs, Severity::Error), 0u) << dump_all(fs);
    EXPECT_EQ(count(fs, Severity::Warning), 0u) << dump_all(fs);
    // Without the gate the destination reads 4 bytes the source never sends.
    b.dev.fields.back().version_id = 0;
    const auto bad = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &b.dev, &s}}));
    const auto added = of_kind(bad, "field_added");
    ASSERT_EQ(added.size(), 1u) << dump_all(bad);
    EXPECT_EQ(added[0]->severity, Severity::Error);
    EXPECT_EQ(added[0]->path, "dev:extra");
    EXPECT_NE(added[0]->message.find("source has no such field"), std::string::npos) << added[0]->message;
}

TEST(VmstateDiff, FieldRemovedResizedAndRetyped) {
    Dev a;
    MapState s = state();
    Dev removed = a;
    removed.dev.fields.erase(removed.dev.fields.begin() + 1);  // cr
    auto fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &removed.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "field_removed").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "field_removed")[0]->path, "dev:cr");
    EXPECT_NE(of_kind(fs, "field_removed")[0]->message.find("read 4 bytes early"), std::string::npos);

    Dev resized = a;
    resized.dev.fields[0].count = 8;
    fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &resized.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "field_resized").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "field_resized")[0]->severity, Severity::Error);

    Dev widened = a;
    widened.dev.fields[1].type = FieldType::U64;
    fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &widened.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "field_resized").size(), 1u) << dump_all(fs);
    EXPECT_NE(of_kind(fs, "field_resized")[0]->message.find("size mismatch"), std::string::npos);

    Dev signed_ = a;
    signed_.dev.fields[1].type = FieldType::I32;
    fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &signed_.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "field_retyped").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "field_retyped")[0]->severity, Severity::Warning);
    EXPECT_EQ(count(fs, Severity::Error), 0u);
}

TEST(VmstateDiff, RenamesAndUnusedPadding) {
    Dev a;
    MapState s = state();
    Dev renamed = a;
    renamed.dev.fields[1].name = "cr_all";
    auto fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &renamed.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "field_renamed").size(), 1u) << dump_all(fs);
    EXPECT_EQ(count(fs, Severity::Error) + count(fs, Severity::Warning), 0u);

    // Real fields dropped in favour of padding of the same size (QEMU's dummy ICPs): info.
    Dev padded = a;
    padded.dev.fields[1] = unused(4);
    padded.dev.fields[2] = unused(2);
    fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &padded.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "unused_padding").size(), 1u) << dump_all(fs);
    EXPECT_NE(of_kind(fs, "unused_padding")[0]->message.find("cr, flags (6 bytes)"), std::string::npos);
    EXPECT_EQ(count(fs, Severity::Error) + count(fs, Severity::Warning), 0u);
    // The other way the destination reads zeros into real fields: a warning.
    fs = diff(make_dump("m", {{"dev", 0, &padded.dev, &s}}), make_dump("m", {{"dev", 0, &a.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "padding_reused").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "padding_reused")[0]->severity, Severity::Warning);
    // Padding that changes size shifts the stream.
    Dev wider = padded;
    wider.dev.fields[1].size = 8;
    fs = diff(make_dump("m", {{"dev", 0, &padded.dev, &s}}), make_dump("m", {{"dev", 0, &wider.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "unused_resized").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "unused_resized")[0]->message,
              "unused size mismatch: the source sends 4 bytes of padding, the destination skips 8");
    EXPECT_EQ(of_kind(fs, "unused_resized")[0]->severity, Severity::Error);
}

TEST(VmstateDiff, FieldExistsGates) {
    Dev a;
    Field mig = field("mig_nb", FieldType::U32);
    mig.exists = Pred::Pre28Migration;
    a.dev.fields.push_back(mig);
    MapState pre28 = state(), post28 = state();
    pre28.preds[Pred::Pre28Migration] = true;
    // Same schema, machines that disagree on the predicate: the stream carries 4 bytes more.
    auto fs = diff(make_dump("m", {{"dev", 0, &a.dev, &pre28}}), make_dump("m", {{"dev", 0, &a.dev, &post28}}));
    ASSERT_EQ(of_kind(fs, "field_removed").size(), 1u) << dump_all(fs);
    EXPECT_NE(of_kind(fs, "field_removed")[0]->message.find("destination: field_exists pre_2_8_migration is false"), std::string::npos)
        << of_kind(fs, "field_removed")[0]->message;
    // Agreeing now with different predicates: a warning about other configurations.
    Dev b = a;
    b.dev.fields.back().exists = Pred::Pre210Migration;
    MapState both = pre28;
    both.preds[Pred::Pre210Migration] = true;
    fs = diff(make_dump("m", {{"dev", 0, &a.dev, &pre28}}), make_dump("m", {{"dev", 0, &b.dev, &both}}));
    ASSERT_EQ(of_kind(fs, "gate_changed").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "gate_changed")[0]->severity, Severity::Warning);
    EXPECT_EQ(count(fs, Severity::Error), 0u);
}

TEST(VmstateDiff, EqualFieldsCompareTheDestinationsValue) {
    Dev a;
    a.dev.fields[1].check = FieldCheck::Equal;  // cr
    MapState sa = state(), sb = state();
    sa.values["cr"] = {0x4E};
    sb.values["cr"] = {0x4E};
    auto fs = diff(make_dump("m", {{"dev", 0, &a.dev, &sa}}), make_dump("m", {{"dev", 0, &a.dev, &sb}}));
    EXPECT_TRUE(fs.empty()) << dump_all(fs);
    sb.values["cr"] = {0x4F};
    fs = diff(make_dump("m", {{"dev", 0, &a.dev, &sa}}), make_dump("m", {{"dev", 0, &a.dev, &sb}}));
    ASSERT_EQ(of_kind(fs, "equal_mismatch").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "equal_mismatch")[0]->severity, Severity::Error);
    EXPECT_NE(of_kind(fs, "equal_mismatch")[0]->message.find("'4f != 4e' (Failed to load dev:cr)"), std::string::npos)
        << of_kind(fs, "equal_mismatch")[0]->message;
    // EQUAL only on the destination: the guest value decides.
    Dev plain;
    fs = diff(make_dump("m", {{"dev", 0, &plain.dev, &sa}}), make_dump("m", {{"dev", 0, &a.dev, &sb}}));
    ASSERT_EQ(of_kind(fs, "equal_added").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "equal_added")[0]->severity, Severity::Warning);
}

TEST(VmstateDiff, PositiveLeFields) {
    Dev a;
    a.dev.fields[1].type = FieldType::I32;
    a.dev.fields[1].check = FieldCheck::PositiveLe;
    MapState sa = state(), sb = state();
    sa.values["cr"] = {8};
    sb.values["cr"] = {4};
    const auto fs = diff(make_dump("m", {{"dev", 0, &a.dev, &sa}}), make_dump("m", {{"dev", 0, &a.dev, &sb}}));
    ASSERT_EQ(of_kind(fs, "le_violation").size(), 1u) << dump_all(fs);
    EXPECT_NE(of_kind(fs, "le_violation")[0]->message.find("'Invalid value 8 expecting positive value <= 4'"), std::string::npos);
}

TEST(VmstateDiff, SubsectionsUnknownOnTheDestinationBySendingRule) {
    Dev a;
    MapState s = state();
    s.preds[Pred::Pre28Migration] = false;
    Dev b = a;
    b.dev.subsections.clear();
    const auto fs = diff(make_dump("m", {{"dev", 3, &a.dev, &s}}), make_dump("m", {{"dev", 3, &b.dev, &s}}));
    const auto unknown = of_kind(fs, "subsection_unknown");
    ASSERT_EQ(unknown.size(), 3u) << dump_all(fs);
    // dev/fpu is needed now: the load fails (-ENOENT).
    EXPECT_EQ(unknown[0]->path, "dev/fpu");
    EXPECT_EQ(unknown[0]->severity, Severity::Error);
    EXPECT_NE(unknown[0]->message.find("error while loading state for instance 0x3 of device 'dev'"), std::string::npos);
    // dev/tm depends on guest state (MSR[TS]).
    EXPECT_EQ(unknown[1]->path, "dev/tm");
    EXPECT_EQ(unknown[1]->severity, Severity::Warning);
    // dev/old cannot be sent on this configuration.
    EXPECT_EQ(unknown[2]->path, "dev/old");
    EXPECT_EQ(unknown[2]->severity, Severity::Info);
    EXPECT_NE(unknown[2]->message.find("not sent on this configuration: pre_2_8_migration is false"), std::string::npos);
}

TEST(VmstateDiff, SubsectionContentAndRules) {
    Dev a;
    MapState s = state();
    // A layout change inside a subsection that is sent is an error; inside one sent only with
    // some guest state, a warning.
    Dev b = a;
    b.fpu.fields[0].count = 4;
    b.tm.fields[0].count = 8;
    auto fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &b.dev, &s}}));
    const auto resized = of_kind(fs, "field_resized");
    ASSERT_EQ(resized.size(), 2u) << dump_all(fs);
    EXPECT_EQ(resized[0]->path, "dev/fpu:fpr");
    EXPECT_EQ(resized[0]->severity, Severity::Error);
    EXPECT_EQ(resized[1]->path, "dev/tm:tm_gpr");
    EXPECT_EQ(resized[1]->severity, Severity::Warning);
    // needed() that changes: info when both agree now, a warning when they do not.
    Dev c = a;
    c.dev.subsections[0].needed = Pred::HasVsx;
    fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &c.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "needed_changed").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "needed_changed")[0]->severity, Severity::Warning);
    MapState vsx = s;
    vsx.preds[Pred::HasVsx] = true;
    fs = diff(make_dump("m", {{"dev", 0, &a.dev, &s}}), make_dump("m", {{"dev", 0, &c.dev, &vsx}}));
    ASSERT_EQ(of_kind(fs, "needed_changed").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "needed_changed")[0]->severity, Severity::Info);
    // A subsection version the destination does not know yet.
    Dev newer = a;
    newer.fpu.version_id = 2;
    fs = diff(make_dump("m", {{"dev", 0, &newer.dev, &s}}), make_dump("m", {{"dev", 0, &a.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "version_too_new").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "version_too_new")[0]->message, "dev/fpu: incoming version_id 2 is too new for local version_id 1");
}

TEST(VmstateDiff, MachineTypeAndRamBlocks) {
    Dev d;
    MapState s = state();
    auto fs = diff(make_dump("pseries-4.2", {{"dev", 0, &d.dev, &s}}), make_dump("pseries-4.1", {{"dev", 0, &d.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "machine_type").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "machine_type")[0]->message, "Machine type received is 'pseries-4.2' and local is 'pseries-4.1'");
    // QEMU's prefix compare lets pseries-2.1 in as pseries-2.12.
    fs = diff(make_dump("pseries-2.1", {{"dev", 0, &d.dev, &s}}), make_dump("pseries-2.12", {{"dev", 0, &d.dev, &s}}));
    EXPECT_EQ(of_kind(fs, "machine_type").size(), 0u);
    ASSERT_EQ(of_kind(fs, "machine_type_prefix").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "machine_type_prefix")[0]->severity, Severity::Warning);

    fs = diff(make_dump("m", {{"dev", 0, &d.dev, &s}}, json::array(), 1 << 30), make_dump("m", {{"dev", 0, &d.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "ram_block_length").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "ram_block_length")[0]->message, "Length mismatch: ppc_spapr.ram: 0x40000000 in != 0x20000000: Invalid argument");
    fs = diff(make_dump("m", {{"dev", 0, &d.dev, &s}}, json::array(), 512 << 20, "other.ram"), make_dump("m", {{"dev", 0, &d.dev, &s}}));
    ASSERT_EQ(of_kind(fs, "ram_block_unknown").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "ram_block_unknown")[0]->message, "Unknown ramblock \"other.ram\", cannot accept migration");
}

TEST(VmstateDiff, CapsFollowTheDestinationsPostMigrationCheck) {
    // The cap subsection travels only when its needed() holds on the source.
    Vmsd cap{"spapr/cap/ibs", 1, 1, {field("cap", FieldType::U8)}, {}};
    Vmsd spapr{"spapr", 3, 1, {}, {Subsection{&cap, Pred::CapSetOnCmdlineAndDiffers, "ibs"}}};
    MapState sent = state(), not_sent = state();
    sent.preds[Pred::CapSetOnCmdlineAndDiffers] = true;
    // Source runs ibs=2 (set on its command line), destination defaults to 1 and runs 1.
    auto fs = diff(make_dump("m", {{"spapr", 0, &spapr, &sent}}, caps_json({{"ibs", 1, 2, 2}})),
                   make_dump("m", {{"spapr", 0, &spapr, &not_sent}}, caps_json({{"ibs", 1, 1, std::nullopt}})));
    ASSERT_EQ(of_kind(fs, "cap_level").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "cap_level")[0]->severity, Severity::Error);
    EXPECT_EQ(of_kind(fs, "cap_level")[0]->message, "cap-ibs higher level (2) in incoming stream than on destination (1)");
    EXPECT_TRUE(of_kind(fs, "needed_changed").empty()) << "the same rule, evaluated on two configurations";
    // The other way round the stream does not carry the cap: the destination assumes its
    // default (2) and runs 2: QEMU is content, yet the guest moved from 1 to 2.
    fs = diff(make_dump("m", {{"spapr", 0, &spapr, &not_sent}}, caps_json({{"ibs", 1, 1, std::nullopt}})),
              make_dump("m", {{"spapr", 0, &spapr, &not_sent}}, caps_json({{"ibs", 2, 2, std::nullopt}})));
    EXPECT_EQ(of_kind(fs, "cap_level").size(), 0u) << dump_all(fs);
    ASSERT_EQ(of_kind(fs, "cap_not_carried").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "cap_not_carried")[0]->severity, Severity::Warning);
    ASSERT_EQ(of_kind(fs, "cap_default").size(), 1u);
    // The destination lowered on its command line below the incoming default.
    fs = diff(make_dump("m", {{"spapr", 0, &spapr, &not_sent}}, caps_json({{"ibs", 1, 1, std::nullopt}})),
              make_dump("m", {{"spapr", 0, &spapr, &sent}}, caps_json({{"ibs", 1, 0, 0}})));
    ASSERT_EQ(of_kind(fs, "cap_level").size(), 1u) << dump_all(fs);
    EXPECT_EQ(of_kind(fs, "cap_level")[0]->message, "cap-ibs higher level (1) in incoming stream than on destination (0)");
}

TEST(VmstateDiff, TextReportMergesInstances) {
    Dev a, b;
    MapState s = state();
    b.dev.fields[0].count = 2;
    const auto src = parse_vmstate_dump(make_dump("m", {{"dev", 0, &a.dev, &s}, {"dev", 1, &a.dev, &s}, {"dev", 2, &a.dev, &s}}), "a.json");
    const auto dst = parse_vmstate_dump(make_dump("m", {{"dev", 0, &b.dev, &s}, {"dev", 1, &b.dev, &s}, {"dev", 2, &b.dev, &s}}), "b.json");
    const auto fs = diff_vmstate(src, dst);
    EXPECT_EQ(fs.size(), 3u);
    const std::string text = diff_report_text(src, dst, fs);
    EXPECT_NE(text.find("error   dev 0-2: dev:gpr: array of 4 elements on the source, 2 on the destination"), std::string::npos) << text;
    EXPECT_NE(text.find("3 errors, 0 warnings, 0 infos"), std::string::npos) << text;
    const json j = diff_report_json(src, dst, fs);
    EXPECT_EQ(j["summary"]["errors"], 3);
    EXPECT_EQ(j["compatible"], false);
    EXPECT_EQ(j["findings"][2]["instance"], 2);
}

// ---- the reader ----

TEST(VmstateDumpReader, ErrorsNameFilePointerAndReason) {
    Dev d;
    MapState s = state();
    json j = make_dump("m", {{"dev", 0, &d.dev, &s}});
    j["sections"][0]["Fields"][1].erase("size");
    try {
        parse_vmstate_dump(j, "x.json");
        FAIL() << "accepted a field without size";
    } catch (const DumpError& e) {
        EXPECT_EQ(e.file, "x.json");
        EXPECT_EQ(e.pointer, "/sections/0/Fields/1");
        EXPECT_EQ(e.reason, "missing key \"size\"");
        EXPECT_STREQ(e.what(), "x.json: /sections/0/Fields/1: missing key \"size\"");
    }
    j = make_dump("m", {{"dev", 0, &d.dev, &s}});
    j["sections"][0]["Subsections"][0]["version_id"] = "1";
    try {
        parse_vmstate_dump(j, "x.json");
        FAIL();
    } catch (const DumpError& e) {
        EXPECT_EQ(e.pointer, "/sections/0/Subsections/0/version_id");
        EXPECT_EQ(e.reason, "expected an integer, got string");
    }
    j = make_dump("m", {{"dev", 0, &d.dev, &s}});
    j["format_version"] = 99;
    EXPECT_THROW(parse_vmstate_dump(j, "x.json"), DumpError);
    try {
        parse_vmstate_dump_text("{\"format\": \"ppcmig-vmstate-dump\",\n  \"sections\": [1, 2,]}", "y.json");
        FAIL();
    } catch (const DumpError& e) {
        EXPECT_EQ(e.pointer, "");
        EXPECT_NE(e.reason.find("invalid JSON: parse error at line 2"), std::string::npos) << e.reason;
    }
    try {
        parse_vmstate_dump_text("[]", "z.json");
        FAIL();
    } catch (const DumpError& e) {
        EXPECT_STREQ(e.what(), "z.json: expected a vmstate dump object, got array");
    }
}

// ---- dumps of real machines ----

namespace {

json dump_machine(const std::string& build, const std::string& options) {
    const auto p = ppcmig::builds::profile(build);
    ppcmig::machine::SpaprMachine m(ppcmig::machine::MachineConfig::parse(options, p.limits()), p.behaviour);
    m.reset();
    json j = describe_machine(m);
    j["build"] = build;
    return j;
}

}  // namespace

TEST(VmstateDiffMachines, DumpIsDeterministicAndRoundTripsThroughTheReader) {
    const json a = dump_machine("head", "-machine pseries -cpu POWER9 -smp 2");
    EXPECT_EQ(a.dump(), dump_machine("head", "-machine pseries -cpu POWER9 -smp 2").dump());
    const auto d = parse_vmstate_dump(a, "head.json");
    EXPECT_EQ(d.machine_type, "pseries-10.1");
    // (cpu_common, cpu, spapr_cpu) x2, icp/server x2, ics, xive-source, spapr-xive, xive-tctx x2,
    // the console, the PHB, spapr
    ASSERT_EQ(d.sections.size(), 16u);
    EXPECT_EQ(d.sections.back().idstr, "spapr");
    EXPECT_EQ(d.ram_blocks.at(0).name, "ppc_spapr.ram");
    EXPECT_TRUE(diff_vmstate(d, d).empty());
}

TEST(VmstateDiffMachines, IcpsUnderCoresWithoutDummiesLoseThePossibleVcpus) {
    const std::string opts = "-machine pseries-2.9 -accel kvm-hv -cpu host -host-cpu POWER8 -smp 2,maxcpus=4";
    const auto src = parse_vmstate_dump(dump_machine("2.9", opts), "2.9.json");
    const auto unfixed = diff_vmstate(src, parse_vmstate_dump(dump_machine("2.10-icps-unfixed", opts), "b.json"));
    const auto missing = of_kind(unfixed, "section_missing");
    ASSERT_EQ(missing.size(), 2u) << dump_all(unfixed);
    EXPECT_EQ(missing[0]->section, "icp/server");
    EXPECT_EQ(missing[0]->instance, 2u);
    EXPECT_EQ(missing[1]->instance, 3u);
    EXPECT_EQ(count(unfixed, Severity::Error), 2u) << dump_all(unfixed);
    // 2.10 with 46f7afa37096: the dummies swallow them (fields become padding of equal size).
    const auto fixed = diff_vmstate(src, parse_vmstate_dump(dump_machine("2.10", opts), "c.json"));
    EXPECT_EQ(count(fixed, Severity::Error), 0u) << dump_all(fixed);
    EXPECT_EQ(of_kind(fixed, "unused_padding").size(), 2u) << dump_all(fixed);
}

TEST(VmstateDiffMachines, HptMaxPageSizeSentUnconditionallyIsUnknownOn40) {
    const std::string opts = "-machine pseries-4.0 -cpu POWER9";
    const auto dst = parse_vmstate_dump(dump_machine("4.0", opts), "4.0.json");
    const auto fs = diff_vmstate(parse_vmstate_dump(dump_machine("4.1-hpt-mps-unconditional", opts), "a.json"), dst);
    const auto unknown = of_kind(fs, "subsection_unknown");
    ASSERT_EQ(unknown.size(), 1u) << dump_all(fs);
    EXPECT_EQ(unknown[0]->path, "spapr/cap/hpt_maxpagesize");
    EXPECT_EQ(unknown[0]->severity, Severity::Error);
    EXPECT_EQ(count(fs, Severity::Error), 1u) << dump_all(fs);
    // 4.1 as released does not send it for pseries-4.0: the destination never sees it.
    const auto fixed = diff_vmstate(parse_vmstate_dump(dump_machine("4.1", opts), "b.json"), dst);
    EXPECT_EQ(count(fixed, Severity::Error), 0u) << dump_all(fixed);
    ASSERT_EQ(of_kind(fixed, "subsection_unknown").size(), 1u) << dump_all(fixed);
    EXPECT_EQ(of_kind(fixed, "subsection_unknown")[0]->severity, Severity::Info);
}
