// User changesets: every error names FILE:LINE:COL and the problem; every op changes the schema,
// the machine versions or the behaviour as documented; edited builds save and load through the
// machine's sections (engine/src/builds/CHANGESETS.md).
#include <gtest/gtest.h>

#include <cerrno>
#include <map>

#include <fmt/format.h>

#include "ppcmig/builds/changeset.hpp"
#include "ppcmig/migration/schema_edit.hpp"
#include "ppcmig/migration/stream.hpp"

using namespace ppcmig;
using builds::ChangesetError;
using migration::Field;
using migration::FieldType;
using migration::Pred;
using migration::Vmsd;

namespace {

builds::UserChangeset parse(const std::string& body, const std::string& base = "head") {
    return builds::parse_changeset(fmt::format("base = \"{}\"\n{}", base, body), "t.toml");
}

builds::Profile apply(const std::string& body, const std::string& base = "head") {
    return builds::apply_changeset(builds::profile(base), parse(body, base));
}

// The what() of the ChangesetError parsing (and applying) `text` throws, "" if none.
std::string error_of(const std::string& text) {
    try {
        const auto cs = builds::parse_changeset(text, "t.toml");
        builds::apply_changeset(builds::profile(cs.base), cs);
    } catch (const ChangesetError& e) {
        return e.what();
    }
    return "";
}

// A catalogue of a profile's edited schemas, searchable by name.
struct Schemas {
    explicit Schemas(const builds::Profile& p) : cat(p.behaviour) {}
    const Vmsd& operator[](std::string_view name) const {
        for (const Vmsd* v : cat.edited.reachable())
            if (v->name == name) return *v;
        throw std::out_of_range(std::string(name));
    }
    bool has(std::string_view name) const {
        for (const Vmsd* v : cat.edited.reachable())
            if (v->name == name) return true;
        return false;
    }
    migration::SchemaCatalogue cat;
};

std::vector<std::string> field_names(const Vmsd& v) {
    std::vector<std::string> out;
    for (const auto& f : v.fields) out.push_back(f.name);
    return out;
}

std::vector<std::string> subsection_names(const Vmsd& v) {
    std::vector<std::string> out;
    for (const auto& s : v.subsections) out.push_back(s.vmsd->name);
    return out;
}

const Field& field(const Vmsd& v, std::string_view name) {
    for (const auto& f : v.fields)
        if (f.name == name) return f;
    throw std::out_of_range(std::string(name));
}

// State in a map (key[index] -> value), remembering what load set.
class MapState : public migration::StateAccess {
public:
    std::map<std::string, std::vector<uint64_t>, std::less<>> values;
    std::vector<std::string> sets;
    uint64_t get(std::string_view key, uint32_t i) const override {
        const auto it = values.find(key);
        if (it == values.end() || i >= it->second.size()) throw std::out_of_range(fmt::format("{}[{}]", key, i));
        return it->second[i];
    }
    void set(std::string_view key, uint32_t i, uint64_t v) override {
        sets.push_back(fmt::format("{}[{}]", key, i));
        auto& vec = values[std::string(key)];
        if (vec.size() <= i) vec.resize(i + 1);
        vec[i] = v;
    }
};

std::vector<uint8_t> save(const Vmsd& v, MapState& s) {
    migration::StreamWriter w;
    save_vmsd(v, s, w);
    return w.take();
}

std::unique_ptr<machine::SpaprMachine> machine_of(const builds::Profile& p, std::vector<std::string> args = {"-m", "64M"}) {
    auto m = std::make_unique<machine::SpaprMachine>(builds::parse_config(p, args), p.behaviour);
    m->vcpus()[0]->running = true;  // as after boot (no guest is loaded here)
    return m;
}

}  // namespace

// ---- errors: FILE:LINE:COL: problem ----

TEST(ChangesetErrors, ParseErrorsNameTheLineAndColumn) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"base = \"head\"\nname = \n", "t.toml:2:8: Error while parsing key-value pair: expected value, saw '\\n'"},
        {"name = \"x\"\n[[change]]\nop = \"remove_field\"\n",
         "t.toml:1:1: missing key \"base\" (the build the changes were written against, e.g. base = \"head\")"},
        {"base = \"9.9\"\n[[change]]\n", "t.toml:1:8: unknown build \"9.9\" (known: 2.6, 2.7, 2.7.1, 2.8-compat-rfc, 2.8-phb-unfixed, 2.8, 2.9, "
                                         "2.10-icps-unfixed, 2.10, 2.11, 2.12, 3.0, 3.1, 4.0, 4.1-hpt-mps-unconditional, 4.1, "
                                         "4.2, 4.2-capxics, 5.0-ramblock-unfixed, 5.0, 7.2, 8.1, 8.2, 9.0, 9.1, 10.0, 10.1, head)"},
        {"base = \"head\"\nbogus = 1\n", "t.toml:2:1: unknown key \"bogus\" in the changeset (keys: base, name, note, change)"},
        {"base = \"head\"\n", "t.toml:1:1: no changes: add [[change]] tables"},
        {"base = \"head\"\n[change]\nop = \"x\"\n", "t.toml:2:1: \"change\" must be an array of tables: write [[change]], not [change]"},
        {"base = \"head\"\nname = \"a b\"\n[[change]]\n", "t.toml:2:8: name \"a b\" may hold only letters, digits, '.', '_' and '-'"},
        {"base = \"head\"\n[[change]]\nsection = \"cpu\"\n", "t.toml:2:1: missing key \"op\""},
        {"base = \"head\"\n[[change]]\nop = \"frob\"\n",
         "t.toml:3:6: unknown op \"frob\" (ops: add_field, remove_field, rename_field, resize_field, retype_field, "
         "set_field_exists, remove_subsection, add_subsection, set_needed, set_version, set_cap_default, add_machine, "
         "set_behaviour)"},
        {"base = \"head\"\n[[change]]\nop = \"remove_field\"\nsection = \"cpu\"\nfield = \"msr\"\nto = \"x\"\n",
         "t.toml:6:1: unknown key \"to\" in a remove_field change (keys: op, section, field)"},
        {"base = \"head\"\n[[change]]\nop = \"remove_field\"\nsection = \"cpu\"\n", "t.toml:2:1: missing key \"field\""},
        {"base = \"head\"\n[[change]]\nop = \"remove_field\"\nsection = 3\nfield = \"msr\"\n",
         "t.toml:4:11: \"section\" must be a string, not an integer"},
        {"base = \"head\"\n[[change]]\nop = \"resize_field\"\nsection = \"cpu\"\nfield = \"gpr\"\ncount = \"40\"\n",
         "t.toml:6:9: \"count\" must be an integer, not a string"},
        {"base = \"head\"\n[[change]]\nop = \"resize_field\"\nsection = \"cpu\"\nfield = \"gpr\"\ncount = 0\n",
         "t.toml:6:9: \"count\" = 0 is out of range (1 to 1048576)"},
        {"base = \"head\"\n[[change]]\nop = \"add_field\"\nsection = \"cpu\"\nname = \"x\"\ntype = \"uint8\"\nequal = 1\n",
         "t.toml:7:9: \"equal\" must be true or false, not an integer"},
        {"base = \"head\"\n[[change]]\nop = \"add_subsection\"\nsection = \"cpu\"\nname = \"cpu/x\"\nfields = [{name = \"a\", "
         "type = \"uint8\", colour = 1}]\n",
         "t.toml:6:40: unknown key \"colour\" in a field of add_subsection (keys: name, type, count, size, value, equal, "
         "version_id, exists)"},
        {"base = \"head\"\n[[change]]\nop = \"set_cap_default\"\nmachine = \"pseries-9.0\"\ncap = \"bogus\"\nvalue = \"on\"\n",
         "t.toml:5:7: unknown cap \"bogus\" (caps: htm, vsx, dfp, cfpc, sbbc, ibs, hpt-max-page-size, nested-hv, "
         "large-decr, ccf-assist, fwnmi, rpt-invalidate, ail-mode-3, nested-papr, dawr1)"},
        {"base = \"head\"\n[[change]]\nop = \"set_cap_default\"\nmachine = \"pseries-9.0\"\ncap = \"cfpc\"\nvalue = \"maybe\"\n",
         "t.toml:6:9: Invalid capability mode \"maybe\" for cap-cfpc"},
        {"base = \"head\"\n[[change]]\nop = \"set_cap_default\"\nmachine = \"pseries-9.0\"\ncap = \"large-decr\"\nvalue = 1.5\n",
         "t.toml:6:9: \"value\" must be a string or a boolean, not a float"},
        {"base = \"head\"\n[[change]]\nop = \"set_behaviour\"\nkey = \"warp_drive\"\nvalue = true\n",
         "t.toml:4:7: unknown behaviour \"warp_drive\" (behaviours: cas_prefers_compat, cas_reboot_on_ic_change, "
         "dec_migrated, icps_for_all_servers, dummy_icps, hpt_mps_sending, cpu_sanity, insns_flags_release, forge_tlbie, "
         "compat_migration, rfc_compat_pcr_complement, newest_family, newest_compat, compat_logical_pvr_bound, "
         "ram_block_naming, ail_mode_3_migrated, ic_caps, cas_update_unconditional, tb_while_paused, spapr_cpu_state, spapr_caps, phb_migration)"},
        {"base = \"head\"\n[[change]]\nop = \"set_behaviour\"\nkey = \"dec_migrated\"\nvalue = \"no\"\n",
         "t.toml:5:9: dec_migrated takes false or true"},
        {"base = \"head\"\n[[change]]\nop = \"set_behaviour\"\nkey = \"compat_migration\"\nvalue = \"sometimes\"\n",
         "t.toml:5:9: compat_migration takes \"none\", \"always\" or \"not_pre_2_10\""},
        {"base = \"head\"\n[[change]]\nop = \"set_behaviour\"\nkey = \"insns_flags_release\"\nvalue = 28\n",
         "t.toml:5:9: insns_flags_release takes 26 or 27"},
    };
    for (const auto& [text, expected] : cases) EXPECT_EQ(error_of(text), expected) << text;
}

TEST(ChangesetErrors, ChecksAgainstTheBuildNameTheLine) {
    const std::string head = "base = \"head\"\n[[change]]\n";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {head + "op = \"remove_field\"\nsection = \"cpux\"\nfield = \"msr\"\n", "t.toml:4:11: unknown section \"cpux\" (sections: cpu_common, cpu, cpu/fpu,"},
        {head + "op = \"remove_field\"\nsection = \"cpu\"\nfield = \"msrr\"\n", "t.toml:5:9: section cpu has no field \"msrr\" (fields: unused, gpr, crf, nip, spr, spe_acc, reserve_addr, msr, hflags_nmsr, mig_msr_mask, mig_insns_flags, mig_insns_flags2, mig_nb_BATs)"},
        {head + "op = \"remove_subsection\"\nsection = \"cpu\"\nsubsection = \"cpu/vsxx\"\n",
         "t.toml:5:14: section cpu has no subsection \"cpu/vsxx\" (subsections: cpu/fpu, cpu/altivec, cpu/vsx, cpu/slb, cpu/compat, cpu/rtas_stopped)"},
        {head + "op = \"set_needed\"\nsection = \"cpu\"\nsubsection = \"cpu/vsx\"\npredicate = \"hasvsx\"\n",
         "t.toml:6:13: unknown predicate \"hasvsx\" (valid for cpu: always, never, compat_pvr_nonzero, compat_pvr_set, has_float, has_altivec, has_vsx, mmu_32bit, tm_active, mmu_64bit, pre_2_8_migration, pre_2_10_migration, pre_3_0_migration, not_pre_2_10_migration, rtas_stopped)"},
        {head + "op = \"set_needed\"\nsection = \"spapr\"\nsubsection = \"spapr/cap/htm\"\npredicate = \"has_vsx\"\n",
         "t.toml:6:13: predicate has_vsx is not evaluated for section spapr (valid there: always, never, pre_2_8_migration, pre_2_10_migration, pre_3_0_migration, not_pre_2_10_migration, cap_set_on_cmdline_and_differs, not_pre_4_1_migration, not_pre_2_8_ov5)"},
        {head + "op = \"set_field_exists\"\nsection = \"ics\"\nfield = \"nr_irqs\"\npredicate = \"pre_2_8_migration\"\n",
         "t.toml:6:13: predicate pre_2_8_migration is not evaluated for section ics (valid there: always, never)"},
        {head + "op = \"add_field\"\nsection = \"cpu\"\nname = \"x\"\ntype = \"uint9\"\n",
         "t.toml:6:8: unknown field type \"uint9\" (valid: uint8, uint16, uint32, uint64, int8, int16, int32, int64, bool, buffer)"},
        {head + "op = \"add_field\"\nsection = \"cpu\"\nname = \"x\"\ntype = \"uint8\"\nvalue = 256\n",
         "t.toml:7:9: value 256 does not fit uint8 (0 to 255)"},
        {head + "op = \"add_field\"\nsection = \"cpu\"\nname = \"x\"\ntype = \"int8\"\nvalue = -129\n",
         "t.toml:7:9: value -129 does not fit int8 (-128 to 127)"},
        {head + "op = \"add_field\"\nsection = \"cpu\"\nname = \"x\"\ntype = \"buffer\"\n",
         "t.toml:2:1: a buffer needs size = BYTES (at least 1)"},
        {head + "op = \"add_field\"\nsection = \"cpu\"\nname = \"msr\"\ntype = \"uint8\"\n",
         "t.toml:5:8: section cpu already has a field named msr"},
        {head + "op = \"add_field\"\nsection = \"cpu\"\nname = \"x\"\ntype = \"uint8\"\nafter = \"nope\"\n",
         "t.toml:7:9: section cpu has no field \"nope\" (fields:"},
        {head + "op = \"add_field\"\nsection = \"cpu_common\"\nname = \"x\"\ntype = \"uint8\"\nposition = 3\n",
         "t.toml:7:12: position 3 is past the end of section cpu_common (2 fields)"},
        {head + "op = \"add_field\"\nsection = \"cpu\"\nname = \"x\"\ntype = \"bool\"\nequal = true\n",
         "t.toml:7:9: equal applies to integer fields, not bool"},
        {head + "op = \"add_field\"\nsection = \"cpu\"\nname = \"x\"\ntype = \"uint8\"\nversion_id = 6\n",
         "t.toml:7:14: version_id 6 is newer than section cpu's version_id 5: the field would never travel (set_version first)"},
        {head + "op = \"resize_field\"\nsection = \"ics\"\nfield = \"irqs\"\ncount = 2\n",
         "t.toml:6:9: ics.irqs is an array of ics/irq structs: its length follows the machine"},
        {head + "op = \"resize_field\"\nsection = \"cpu\"\nfield = \"gpr\"\nsize = 2\n",
         "t.toml:6:8: size applies to buffers; cpu.gpr is uint64"},
        {head + "op = \"retype_field\"\nsection = \"xive-tctx\"\nfield = \"regs\"\ntype = \"uint8\"\n",
         "t.toml:5:9: xive-tctx.regs is buffer: only integer and bool fields change type"},
        {head + "op = \"rename_field\"\nsection = \"cpu\"\nfield = \"gpr\"\nto = \"msr\"\n",
         "t.toml:6:6: section cpu already has a field named msr"},
        {head + "op = \"add_subsection\"\nsection = \"cpu\"\nname = \"extra\"\n",
         "t.toml:5:8: a subsection of cpu is named cpu… (QEMU only loads subsections whose name starts with their parent's)"},
        {head + "op = \"add_subsection\"\nsection = \"cpu\"\nname = \"cpu/vsx\"\n", "t.toml:5:8: section cpu/vsx already exists"},
        {head + "op = \"add_subsection\"\nsection = \"cpu\"\nname = \"cpu/x\"\n[[change.fields]]\nname = \"a\"\ntype = \"uint8\"\nvalue = -1\n",
         "t.toml:9:9: value -1 does not fit uint8 (0 to 255)"},
        {head + "op = \"set_version\"\nsection = \"cpu\"\nminimum_version_id = 6\n",
         "t.toml:5:22: section cpu: minimum_version_id 6 must be 0 to version_id 5"},
        {head + "op = \"set_cap_default\"\nmachine = \"pseries-99.0\"\ncap = \"htm\"\nvalue = \"on\"\n",
         "t.toml:4:11: unknown machine version \"pseries-99.0\" (this build has pseries-2.1 … pseries-10.1)"},
        {head + "op = \"set_cap_default\"\nmachine = \"pseries\"\ncap = \"htm\"\nvalue = \"on\"\n",
         "t.toml:4:11: name the machine version (\"pseries\" is only an alias)"},
        {head + "op = \"add_machine\"\nname = \"pseries-10.1\"\nbased_on = \"pseries-10.0\"\n", "t.toml:4:8: pseries-10.1 already exists in this build"},
        {head + "op = \"add_machine\"\nname = \"pseries-11\"\nbased_on = \"pseries-10.0\"\n",
         "t.toml:4:8: \"pseries-11\" is not a machine version name (pseries-MAJOR.MINOR)"},
        {head + "op = \"add_machine\"\nname = \"pseries-11.0\"\nbased_on = \"pseries-12.0\"\n",
         "t.toml:5:12: unknown machine version \"pseries-12.0\" (this build has pseries-2.1 … pseries-10.1)"},
        {head + "op = \"add_machine\"\nname = \"pseries-11.0\"\nbased_on = \"pseries-10.1\"\nalias_pseries = true\n[[change]]\n"
                "op = \"add_machine\"\nname = \"pseries-11.1\"\nbased_on = \"pseries-11.0\"\nalias_pseries = true\n",
         "t.toml:11:17: \"pseries\" already means pseries-11.0"},
        // Edits apply in file order: a removed subsection is gone for the changes after it.
        {head + "op = \"remove_subsection\"\nsection = \"cpu\"\nsubsection = \"cpu/vsx\"\n[[change]]\nop = \"remove_field\"\n"
                "section = \"cpu/vsx\"\nfield = \"vsr\"\n",
         "t.toml:8:11: unknown section \"cpu/vsx\""},
    };
    for (const auto& [text, expected] : cases) {
        const std::string got = error_of(text);
        EXPECT_TRUE(got.starts_with(expected)) << text << "\ngot:      " << got << "\nexpected: " << expected;
    }
}

TEST(ChangesetErrors, TheBuildDecidesWhatExists) {
    // cpu/compat exists from 2.10; pseries-9.0 from 9.0.
    EXPECT_EQ(error_of("base = \"2.9\"\n[[change]]\nop = \"set_needed\"\nsection = \"cpu\"\nsubsection = \"cpu/compat\"\npredicate = \"always\"\n"),
              "t.toml:5:14: section cpu has no subsection \"cpu/compat\" (subsections: cpu/fpu, cpu/altivec, cpu/vsx, cpu/slb, cpu/rtas_stopped)");
    EXPECT_EQ(error_of("base = \"8.2\"\n[[change]]\nop = \"set_cap_default\"\nmachine = \"pseries-9.0\"\ncap = \"htm\"\nvalue = \"on\"\n"),
              "t.toml:4:11: machine version pseries-9.0 is newer than this build's newest, pseries-8.2");
    // The same file applied to another build than its base is checked against that build.
    const auto cs = parse("[[change]]\nop = \"set_needed\"\nsection = \"cpu\"\nsubsection = \"cpu/compat\"\npredicate = \"always\"\n");
    EXPECT_NO_THROW(builds::profile_with_changeset("", cs));
    EXPECT_THROW(builds::profile_with_changeset("2.9", cs), ChangesetError);
    EXPECT_THROW(builds::profile_with_changeset("9.9", cs), builds::UnknownBuild);
    // Behaviour changes come first: the schemas they give are what the edits apply to.
    EXPECT_NO_THROW(apply("[[change]]\nop = \"remove_field\"\nsection = \"cpu\"\nfield = \"msr_mask\"\n[[change]]\nop = \"set_behaviour\"\n"
                          "key = \"cpu_sanity\"\nvalue = \"equal\"\n"));
}

TEST(ChangesetErrors, AnUnreadableFileIsNamed) {
    try {
        builds::read_changeset("/nonexistent/dir/x.toml");
        FAIL();
    } catch (const ChangesetError& e) {
        EXPECT_EQ(std::string(e.what()), "/nonexistent/dir/x.toml: cannot read: No such file or directory");
    }
}

// ---- what each op does ----

TEST(ChangesetOps, ProfileRecordsTheChangeset) {
    const auto p = apply("name = \"drop-vsx\"\nnote = \"one line\"\n[[change]]\nop = \"remove_subsection\"\nsection = \"cpu\"\nsubsection = \"cpu/vsx\"\n");
    EXPECT_EQ(p.name, "head+drop-vsx");
    ASSERT_EQ(p.user_changesets.size(), 1u);
    EXPECT_EQ(p.user_changesets[0].note, "one line");
    EXPECT_EQ(p.user_changesets[0].changes, std::vector<std::string>{"t.toml:4:1: remove_subsection cpu/vsx from cpu"});
    EXPECT_EQ(builds::profile("head").behaviour.schema_edits.size(), 0u);
    // The default name is the file's.
    EXPECT_EQ(builds::parse_changeset("base = \"head\"\n[[change]]\nop = \"remove_field\"\nsection = \"cpu\"\nfield = \"msr\"\n",
                                      "dir/my-patch.toml").name, "my-patch");
}

TEST(ChangesetOps, AddFieldHoldsItsConstant) {
    const auto p = apply("[[change]]\nop = \"add_field\"\nsection = \"cpu_common\"\nafter = \"halted\"\nname = \"x\"\n"
                         "type = \"uint16\"\nvalue = 0xBEEF\n[[change]]\nop = \"add_field\"\nsection = \"cpu_common\"\n"
                         "position = 0\nname = \"first\"\ntype = \"int8\"\nvalue = -2\n[[change]]\nop = \"add_field\"\n"
                         "section = \"cpu_common\"\nname = \"last\"\ntype = \"buffer\"\nsize = 3\nvalue = 0xAA\n");
    const Schemas s(p);
    const Vmsd& common = s["cpu_common"];
    EXPECT_EQ(field_names(common), (std::vector<std::string>{"first", "halted", "x", "interrupt_request", "last"}));
    MapState st;
    st.values["halted"] = {1};
    st.values["interrupt_request"] = {2};
    EXPECT_EQ(save(common, st), (std::vector<uint8_t>{0xFE, 0, 0, 0, 1, 0xBE, 0xEF, 0, 0, 0, 2, 0xAA, 0xAA, 0xAA}));
    // Loaded and dropped: the adapter sees only its own fields.
    const auto bytes = save(common, st);
    migration::StreamReader r(bytes);
    MapState dst;
    load_vmsd(common, dst, r, 1);
    EXPECT_EQ(dst.sets, (std::vector<std::string>{"halted[0]", "interrupt_request[0]"}));
}

TEST(ChangesetOps, AnEqualFieldFailsTheLoadWithQemusMessage) {
    const auto src = apply("[[change]]\nop = \"add_field\"\nsection = \"cpu_common\"\nname = \"magic\"\ntype = \"uint32\"\nvalue = 0x1234\n");
    const auto dst = apply("[[change]]\nop = \"add_field\"\nsection = \"cpu_common\"\nname = \"magic\"\ntype = \"uint32\"\nvalue = 0x1235\nequal = true\n");
    MapState st;
    st.values["halted"] = {0};
    st.values["interrupt_request"] = {0};
    const auto bytes = save(Schemas(src)["cpu_common"], st);
    migration::StreamReader r(bytes);
    MapState out;
    try {
        load_vmsd(Schemas(dst)["cpu_common"], out, r, 1);
        FAIL();
    } catch (const migration::LoadError& e) {
        EXPECT_EQ(e.chain, (std::vector<std::string>{"1235 != 1234", "Failed to load cpu_common:magic"}));
    }
    migration::StreamReader same(bytes);
    EXPECT_NO_THROW(load_vmsd(Schemas(src)["cpu_common"], out, same, 1));
}

TEST(ChangesetOps, RemoveRenameRetype) {
    const auto p = apply("[[change]]\nop = \"remove_field\"\nsection = \"cpu\"\nfield = \"spe_acc\"\n"
                         "[[change]]\nop = \"rename_field\"\nsection = \"cpu_common\"\nfield = \"halted\"\nto = \"stopped\"\n"
                         "[[change]]\nop = \"retype_field\"\nsection = \"cpu_common\"\nfield = \"interrupt_request\"\ntype = \"uint8\"\n");
    const Schemas s(p);
    const auto cpu_fields = field_names(s["cpu"]);
    EXPECT_EQ(std::count(cpu_fields.begin(), cpu_fields.end(), "spe_acc"), 0);
    const Field& stopped = field(s["cpu_common"], "stopped");
    EXPECT_EQ(stopped.key(), "halted");  // still bound to the state it was
    EXPECT_EQ(field(s["cpu_common"], "interrupt_request").type, FieldType::U8);
    MapState st;
    st.values["halted"] = {7};
    st.values["interrupt_request"] = {0x102};
    EXPECT_EQ(save(s["cpu_common"], st), (std::vector<uint8_t>{0, 0, 0, 7, 0x02}));
}

TEST(ChangesetOps, ResizedFieldsBindOnlyWhatTheAdapterHas) {
    const auto p = apply("[[change]]\nop = \"resize_field\"\nsection = \"cpu_common\"\nfield = \"halted\"\ncount = 3\n"
                         "[[change]]\nop = \"resize_field\"\nsection = \"cpu\"\nfield = \"gpr\"\ncount = 16\n"
                         "[[change]]\nop = \"resize_field\"\nsection = \"xive-tctx\"\nfield = \"regs\"\nsize = 4\n");
    const Schemas s(p);
    const Field& halted = field(s["cpu_common"], "halted");
    EXPECT_EQ(halted.count, 3u);
    EXPECT_EQ(halted.bound, 1u);
    EXPECT_EQ(field(s["cpu"], "gpr").count, 16u);
    EXPECT_EQ(field(s["cpu"], "gpr").bound, 32u);
    EXPECT_EQ(field(s["xive-tctx"], "regs").size, 4u);
    MapState st;
    st.values["halted"] = {5};  // one element only: reading halted[1] would throw
    st.values["interrupt_request"] = {0};
    const auto bytes = save(s["cpu_common"], st);
    EXPECT_EQ(bytes, (std::vector<uint8_t>{0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    migration::StreamReader r(bytes);
    MapState dst;
    load_vmsd(s["cpu_common"], dst, r, 1);
    EXPECT_EQ(dst.sets, (std::vector<std::string>{"halted[0]", "interrupt_request[0]"}));
}

TEST(ChangesetOps, SubsectionsAndPredicates) {
    const auto p = apply("[[change]]\nop = \"remove_subsection\"\nsection = \"cpu\"\nsubsection = \"cpu/vsx\"\n"
                         "[[change]]\nop = \"set_needed\"\nsection = \"cpu\"\nsubsection = \"cpu/compat\"\npredicate = \"always\"\n"
                         "[[change]]\nop = \"set_field_exists\"\nsection = \"cpu\"\nfield = \"spe_acc\"\npredicate = \"pre_3_0_migration\"\n"
                         "[[change]]\nop = \"add_subsection\"\nsection = \"cpu\"\nname = \"cpu/pmu\"\nneeded = \"has_vsx\"\nversion_id = 2\n"
                         "[[change.fields]]\nname = \"mmcr\"\ntype = \"uint64\"\ncount = 3\nvalue = 9\n"
                         "[[change.fields]]\nname = \"since2\"\ntype = \"uint32\"\nversion_id = 2\n"
                         "[[change]]\nop = \"add_field\"\nsection = \"cpu/pmu\"\nname = \"later\"\ntype = \"bool\"\nvalue = true\n");
    const Schemas s(p);
    EXPECT_EQ(subsection_names(s["cpu"]),
              (std::vector<std::string>{"cpu/fpu", "cpu/altivec", "cpu/slb", "cpu/compat", "cpu/rtas_stopped", "cpu/pmu"}));
    EXPECT_FALSE(s.has("cpu/vsx"));
    EXPECT_EQ(s["cpu"].subsections[3].needed, Pred::Always);
    EXPECT_EQ(s["cpu"].subsections[5].needed, Pred::HasVsx);
    EXPECT_EQ(field(s["cpu"], "spe_acc").exists, Pred::Pre30Migration);
    const Vmsd& pmu = s["cpu/pmu"];
    EXPECT_EQ(pmu.version_id, 2);
    EXPECT_EQ(field_names(pmu), (std::vector<std::string>{"mmcr", "since2", "later"}));
    EXPECT_EQ(field(pmu, "mmcr").count, 3u);
    EXPECT_EQ(field(pmu, "since2").version_id, 2);
    EXPECT_EQ(field(pmu, "later").constant, 1u);
}

TEST(ChangesetOps, SetVersion) {
    const auto p = apply("[[change]]\nop = \"set_version\"\nsection = \"cpu\"\nversion_id = 6\n"
                         "[[change]]\nop = \"set_version\"\nsection = \"spapr\"\nminimum_version_id = 3\n");
    const Schemas s(p);
    EXPECT_EQ(s["cpu"].version_id, 6);
    EXPECT_EQ(s["cpu"].minimum_version_id, 5);
    EXPECT_EQ(s["spapr"].version_id, 3);
    EXPECT_EQ(s["spapr"].minimum_version_id, 3);
}

TEST(ChangesetOps, CapDefaultsFollowTheClassOptionsChain) {
    const auto p = apply("[[change]]\nop = \"set_cap_default\"\nmachine = \"pseries-9.0\"\ncap = \"cap-large-decr\"\nvalue = false\n"
                         "[[change]]\nop = \"set_cap_default\"\nmachine = \"pseries-8.1\"\ncap = \"ccf-assist\"\nvalue = \"off\"\n"
                         "inherit = false\n"
                         "[[change]]\nop = \"set_cap_default\"\nmachine = \"pseries-2.12\"\ncap = \"ibs\"\nvalue = \"fixed-ibs\"\n");
    using machine::CapId;
    const auto caps = [&](const char* name) { return p.versions->find(name)->default_caps; };
    const auto cap = [&](const char* name, CapId id) { return caps(name)[static_cast<size_t>(id)]; };
    // pseries-9.0 and older inherit the new line, until an older delta sets the cap again.
    EXPECT_EQ(cap("pseries-9.1", CapId::LargeDecr), machine::capval::ON);
    EXPECT_EQ(cap("pseries-9.0", CapId::LargeDecr), machine::capval::OFF);
    EXPECT_EQ(cap("pseries-4.0", CapId::LargeDecr), machine::capval::OFF);
    // inherit = false: that version alone.
    EXPECT_EQ(cap("pseries-8.2", CapId::CcfAssist), machine::capval::ON);
    EXPECT_EQ(cap("pseries-8.1", CapId::CcfAssist), machine::capval::OFF);
    EXPECT_EQ(cap("pseries-8.0", CapId::CcfAssist), machine::capval::ON);
    // The -sxxm variant sets ibs itself after 2.12's options; older versions inherit 2.12's line.
    EXPECT_EQ(cap("pseries-2.12", CapId::Ibs), machine::capval::FIXED_IBS);
    EXPECT_EQ(cap("pseries-2.12-sxxm", CapId::Ibs), machine::capval::FIXED_CCD);
    EXPECT_EQ(cap("pseries-2.11", CapId::Ibs), machine::capval::FIXED_IBS);
    // The shipped table is untouched, and a configuration sees the edited defaults.
    EXPECT_EQ(machine::find_machine_version("pseries-9.0")->default_caps[static_cast<size_t>(CapId::LargeDecr)], machine::capval::ON);
    const auto cfg = builds::parse_config(p, std::vector<std::string>{"-machine", "pseries-9.0"});
    EXPECT_EQ(cfg.default_caps()[static_cast<size_t>(CapId::LargeDecr)], machine::capval::OFF);
}

TEST(ChangesetOps, AddedMachineVersions) {
    machine::MachineConfig cfg;
    {
        const auto p = apply("[[change]]\nop = \"add_machine\"\nname = \"pseries-11.0\"\nbased_on = \"pseries-10.1\"\nalias_pseries = true\n"
                             "[[change]]\nop = \"set_cap_default\"\nmachine = \"pseries-11.0\"\ncap = \"dawr1\"\nvalue = \"off\"\n");
        EXPECT_EQ(p.pseries().name, "pseries-11.0");
        EXPECT_EQ(p.machine_versions().back()->name, "pseries-11.0");
        cfg = builds::parse_config(p, std::vector<std::string>{"-machine", "pseries"});
        EXPECT_EQ(builds::parse_config(p, std::vector<std::string>{"-machine", "pseries-10.1"}).version->name, "pseries-10.1");
    }
    // The configuration keeps the added version alive after its profile is gone.
    EXPECT_EQ(cfg.version->name, "pseries-11.0");
    EXPECT_EQ(cfg.version->major, 11u);
    EXPECT_EQ(std::string(cfg.version->default_cpu), "POWER10");
    EXPECT_EQ(cfg.default_caps()[static_cast<size_t>(machine::CapId::Dawr1)], machine::capval::OFF);
    EXPECT_EQ(machine::find_machine_version("pseries-10.1")->default_caps[static_cast<size_t>(machine::CapId::Dawr1)], machine::capval::ON);

    // Not aliased: plain "pseries" stays the build's newest.
    const auto q = apply("[[change]]\nop = \"add_machine\"\nname = \"pseries-11.0\"\nbased_on = \"pseries-10.1\"\n");
    EXPECT_EQ(builds::parse_config(q, std::vector<std::string>{"-machine", "pseries"}).version->name, "pseries-10.1");
    EXPECT_EQ(builds::parse_config(q, std::vector<std::string>{"-machine", "pseries-11.0"}).version->name, "pseries-11.0");
    // A build without it refuses it as QEMU does.
    try {
        builds::parse_config(builds::profile("head"), std::vector<std::string>{"-machine", "pseries-11.0"});
        FAIL();
    } catch (const machine::ConfigError& e) {
        EXPECT_EQ(e.message, "unsupported machine type: \"pseries-11.0\"");
    }
}

TEST(ChangesetOps, SetBehaviour) {
    const auto p = apply("[[change]]\nop = \"set_behaviour\"\nkey = \"dec_migrated\"\nvalue = false\n"
                         "[[change]]\nop = \"set_behaviour\"\nkey = \"cpu_sanity\"\nvalue = \"equal\"\n"
                         "[[change]]\nop = \"set_behaviour\"\nkey = \"newest_compat\"\nvalue = \"power10\"\n");
    EXPECT_FALSE(p.behaviour.dec_migrated);
    EXPECT_EQ(p.behaviour.cpu_sanity, machine::CpuSanity::Equal);
    EXPECT_EQ(p.behaviour.compat.newest_pvr, machine::logical_pvr::V3_10);
    EXPECT_EQ(field(Schemas(p)["cpu"], "insns_flags").check, migration::FieldCheck::Equal);
    const auto effects = builds::changeset_effects(builds::profile("head"), p);
    EXPECT_EQ(effects["behaviour"][0], (nlohmann::json{{"key", "dec_migrated"}, {"before", "true"}, {"after", "false"}}));
    EXPECT_EQ(effects["behaviour"].size(), 3u);
}

TEST(ChangesetOps, ChangesetsStack) {
    const auto a = parse("name = \"a\"\n[[change]]\nop = \"add_subsection\"\nsection = \"cpu\"\nname = \"cpu/x\"\n");
    const auto b = parse("name = \"b\"\n[[change]]\nop = \"add_field\"\nsection = \"cpu/x\"\nname = \"v\"\ntype = \"uint8\"\n");
    const auto p = builds::apply_changeset(builds::apply_changeset(builds::profile("head"), a), b);
    EXPECT_EQ(p.name, "head+a+b");
    EXPECT_EQ(field_names(Schemas(p)["cpu/x"]), std::vector<std::string>{"v"});
    EXPECT_EQ(p.user_changesets[1].first_schema_edit, 1u);
    // b alone does not find cpu/x.
    EXPECT_THROW(builds::apply_changeset(builds::profile("head"), b), ChangesetError);
}

TEST(ChangesetOps, EffectsListWhatChanged) {
    const auto p = apply("[[change]]\nop = \"remove_subsection\"\nsection = \"cpu\"\nsubsection = \"cpu/vsx\"\n"
                         "[[change]]\nop = \"set_cap_default\"\nmachine = \"pseries-9.0\"\ncap = \"large-decr\"\nvalue = \"off\"\n"
                         "[[change]]\nop = \"add_machine\"\nname = \"pseries-11.0\"\nbased_on = \"pseries-10.1\"\nalias_pseries = true\n");
    const auto e = builds::changeset_effects(builds::profile("head"), p);
    ASSERT_EQ(e["sections"].size(), 2u);
    EXPECT_EQ(e["sections"][0]["name"], "cpu");
    EXPECT_EQ(e["sections"][0]["subsections_removed"], nlohmann::json::array({"cpu/vsx [has_vsx]"}));
    EXPECT_EQ(e["sections"][1], (nlohmann::json{{"name", "cpu/vsx"}, {"status", "removed"}}));
    // 9.0 back to 4.0 (3.1 and older already had it off), and the added version.
    ASSERT_EQ(e["machines"].size(), 17u);
    EXPECT_EQ(e["machines"][0]["name"], "pseries-4.0");
    EXPECT_EQ(e["machines"][15]["name"], "pseries-9.0");
    EXPECT_EQ(e["machines"][15]["caps"], nlohmann::json::parse(R"([{"cap":"large-decr","before":"on","after":"off"}])"));
    EXPECT_EQ(e["machines"][16], (nlohmann::json{{"name", "pseries-11.0"}, {"status", "added"}}));
    EXPECT_EQ(e["pseries"], (nlohmann::json{{"before", "pseries-10.1"}, {"after", "pseries-11.0"}}));
}

// ---- edited builds save and load whole machines ----

TEST(ChangesetMachines, TheStreamFollowsTheEditedSchemas) {
    const auto head = builds::profile("head");
    const auto drop = apply("name = \"drop-vsx\"\n[[change]]\nop = \"remove_subsection\"\nsection = \"cpu\"\nsubsection = \"cpu/vsx\"\n");
    std::vector<std::string> warnings;
    // Without cpu/vsx on the source the destination loads (keeping its own VSX halves) …
    auto src = machine_of(drop);
    const auto no_vsx = migration::save_machine(*src);
    EXPECT_EQ(std::string(no_vsx.begin(), no_vsx.end()).find("cpu/vsx"), std::string::npos);
    EXPECT_NO_THROW(migration::load_machine(*machine_of(head), no_vsx, warnings));
    // … and a destination without it refuses a stream that has it (-ENOENT, as QEMU).
    const auto with_vsx = migration::save_machine(*machine_of(head));
    try {
        migration::load_machine(*machine_of(drop), with_vsx, warnings);
        FAIL();
    } catch (const migration::LoadError& e) {
        EXPECT_EQ(e.err, -ENOENT);
        EXPECT_EQ(e.chain, (std::vector<std::string>{"error while loading state for instance 0x0 of device 'cpu'",
                                                     "load of migration failed: No such file or directory"}));
    }
}

TEST(ChangesetMachines, AddedFieldsTravelAndAppearInTheVmdesc) {
    const auto head = builds::profile("head");
    const auto added = apply("[[change]]\nop = \"add_field\"\nsection = \"cpu\"\nafter = \"msr\"\nname = \"new_reg\"\ntype = \"uint32\"\nvalue = 0x1234\n");
    const auto bytes = migration::save_machine(*machine_of(added));
    EXPECT_NE(std::string(bytes.begin(), bytes.end()).find("\"name\":\"new_reg\""), std::string::npos);
    std::vector<std::string> warnings;
    EXPECT_NO_THROW(migration::load_machine(*machine_of(added), bytes, warnings));
    EXPECT_THROW(migration::load_machine(*machine_of(head), bytes, warnings), migration::LoadError);
}

TEST(ChangesetMachines, AVersionBumpIsRefusedByOlderDestinations) {
    const auto v6 = apply("[[change]]\nop = \"set_version\"\nsection = \"cpu\"\nversion_id = 6\n");
    const auto bytes = migration::save_machine(*machine_of(v6));
    std::vector<std::string> warnings;
    try {
        migration::load_machine(*machine_of(builds::profile("head")), bytes, warnings);
        FAIL();
    } catch (const migration::LoadError& e) {
        EXPECT_EQ(e.chain, (std::vector<std::string>{"savevm: unsupported version 6 for 'cpu' v5",
                                                     "load of migration failed: Invalid argument"}));
    }
    EXPECT_NO_THROW(migration::load_machine(*machine_of(v6), bytes, warnings));
}
