// The vmstate DSL on a toy device: wire bytes, round trips, QEMU's load rules and messages.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "ppcmig/migration/vmstate.hpp"
#include "map_state.hpp"

using namespace ppcmig::migration;

namespace {

using test_support::MapState;

Vmsd fpu_sub() { return Vmsd{"dev/fpu", 1, 1, {Field{"fpr", "", FieldType::U64, 2}}, {}}; }

struct Schemas {
    Vmsd fpu = fpu_sub();
    Vmsd extra{"dev/extra", 1, 1, {Field{"x", "", FieldType::U32}}, {}};
    Vmsd dev{"dev", 5, 5,
             {Field{"unused", "", FieldType::Unused, 1, 8},
              Field{"gpr", "", FieldType::U64, 4},
              Field{"cr", "", FieldType::U32, 2},
              Field{"flags", "", FieldType::U64, 1, 0, FieldCheck::Equal},
              Field{"newer", "", FieldType::U16, 1, 0, FieldCheck::None, 6},  // version 6 only
              Field{"mig", "", FieldType::U32, 1, 0, FieldCheck::None, 0, Pred::Pre28Migration}},
             {Subsection{&fpu, Pred::HasFloat, ""}}};
};

std::vector<uint8_t> save(const Vmsd& v, StateAccess& s, nlohmann::json* desc = nullptr) {
    StreamWriter w;
    save_vmsd(v, s, w, desc);
    return w.take();
}

MapState sample() {
    MapState s;
    s.values = {{"gpr", {1, 2, 3, 0xFFFFFFFFFFFFFFFF}}, {"cr", {0xA, 0xB}}, {"flags", {0x42}}, {"fpr", {7, 8}}};
    s.preds = {{Pred::HasFloat, true}};
    return s;
}

}  // namespace

TEST(Vmstate, WireBytesFollowTheSchema) {
    Schemas sc;
    MapState s = sample();
    nlohmann::json desc;
    const auto bytes = save(sc.dev, s, &desc);
    // 8 unused + 4*8 gpr + 2*4 cr + 8 flags; subsection: 05, len, name, be32 version, 2*8
    ASSERT_EQ(bytes.size(), 8u + 32 + 8 + 8 + 1 + 1 + 7 + 4 + 16);
    EXPECT_EQ(bytes[8 + 7], 1);   // gpr[0] big-endian
    EXPECT_EQ(bytes[56], 0x05);   // subsection marker
    EXPECT_EQ(bytes[57], 7);      // "dev/fpu"
    EXPECT_EQ(desc["fields"][1]["name"], "gpr");
    EXPECT_EQ(desc["fields"][1]["size"], 8);
    EXPECT_EQ(desc["fields"][1]["array_len"], 4);
    EXPECT_EQ(desc["fields"][0]["type"], "unused_buffer");
    EXPECT_EQ(desc["fields"][3]["type"], "uint64 equal");
    EXPECT_EQ(desc["subsections"][0]["vmsd_name"], "dev/fpu");
}

TEST(Vmstate, EqualMismatchFailsWithQemusText) {
    Schemas sc;
    MapState src = sample();
    const auto bytes = save(sc.dev, src);
    MapState dst = sample();
    dst.values["flags"] = {0x43};
    StreamReader r(bytes);
    try {
        load_vmsd(sc.dev, dst, r, 5);
        FAIL();
    } catch (const LoadError& e) {
        ASSERT_EQ(e.chain.size(), 2u);
        EXPECT_EQ(e.chain[0], "43 != 42");  // local value first
        EXPECT_EQ(e.chain[1], "Failed to load dev:flags");
        EXPECT_EQ(e.field, "flags");
        EXPECT_EQ(e.offset, 48u);
    }
}

TEST(Vmstate, VersionWindowAndGatedFields) {
    Schemas sc;
    MapState src = sample();
    const auto bytes = save(sc.dev, src);
    MapState dst = sample();
    StreamReader r(bytes);
    try {
        load_vmsd(sc.dev, dst, r, 7);
        FAIL();
    } catch (const LoadError& e) {
        EXPECT_EQ(e.chain[0], "dev: incoming version_id 7 is too new for local version_id 5");
    }
    StreamReader r2(bytes);
    try {
        load_vmsd(sc.dev, dst, r2, 4);
        FAIL();
    } catch (const LoadError& e) {
        EXPECT_EQ(e.chain[0], "dev: incoming version_id 4 is too old for local minimum version_id  5");
    }
}

TEST(Vmstate, SubsectionRulesAreAsymmetric) {
    Schemas sc;
    // Sender does not need dev/fpu: the destination keeps its own values silently.
    MapState src = sample();
    src.preds[Pred::HasFloat] = false;
    const auto no_fpu = save(sc.dev, src);
    MapState dst = sample();
    dst.values["fpr"] = {99, 98};
    StreamReader r(no_fpu);
    load_vmsd(sc.dev, dst, r, 5);
    EXPECT_EQ(dst.values["fpr"], (std::vector<uint64_t>{99, 98}));
    // A subsection the destination does not know: -ENOENT.
    Vmsd with_extra = sc.dev;
    with_extra.subsections.push_back(Subsection{&sc.extra, Pred::Always, ""});
    MapState src2 = sample();
    const auto extra = save(with_extra, src2);
    StreamReader r2(extra);
    try {
        load_vmsd(sc.dev, dst, r2, 5);
        FAIL();
    } catch (const LoadError& e) {
        EXPECT_EQ(e.err, -ENOENT);
        EXPECT_EQ(e.field, "dev/extra");
    }
}

TEST(Vmstate, TruncationAndPostLoadFailures) {
    Schemas sc;
    MapState src = sample();
    const auto bytes = save(sc.dev, src);
    for (size_t cut : {size_t(0), bytes.size() / 2, bytes.size() - 2}) {
        MapState dst = sample();
        StreamReader r(std::span<const uint8_t>(bytes).first(cut));
        EXPECT_THROW(load_vmsd(sc.dev, dst, r, 5), LoadError) << cut;
    }
    Vmsd v = sc.dev;
    v.post_load = Hook::CpuPostLoad;
    MapState dst = sample();
    dst.post_load_error = "Compatibility PVR 0x0f000005 not valid for CPU";
    StreamReader r(bytes);
    try {
        load_vmsd(v, dst, r, 5);
        FAIL();
    } catch (const LoadError& e) {
        EXPECT_EQ(e.chain[0], "Compatibility PVR 0x0f000005 not valid for CPU");
    }
}

namespace {

// A device with a variable array of structs (QEMU's STRUCT_VARRAY_INT32 with _ALLOC): the count
// travels first, the elements grow as they are loaded.
class ListState : public StateAccess {
public:
    std::vector<MapState> items;
    std::optional<int32_t> loaded;
    uint64_t get(std::string_view key, uint32_t) const override {
        EXPECT_EQ(key, "n");
        return static_cast<uint64_t>(static_cast<int64_t>(loaded ? *loaded : static_cast<int32_t>(items.size())));
    }
    void set(std::string_view key, uint32_t, uint64_t v) override {
        EXPECT_EQ(key, "n");
        loaded = static_cast<int32_t>(v);
        items.clear();
    }
    StateAccess& nested(std::string_view key) override {
        const size_t i = std::stoul(std::string(key.substr(key.find('[') + 1)));
        EXPECT_TRUE(key.starts_with("items["));
        if (items.size() <= i) items.resize(i + 1);
        return items[i];
    }
};

struct ListSchema {
    Vmsd item{"dev/item", 1, 1, {make_field("a", FieldType::U32), make_field("b", FieldType::U16)}, {}};
    Vmsd dev{"dev", 1, 1, {make_field("n", FieldType::I32), struct_varray("items", &item, "n")}, {}};
};

ListState list_of(std::initializer_list<std::pair<uint64_t, uint64_t>> elems) {
    ListState s;
    for (const auto& [a, b] : elems) {
        MapState m;
        m.values = {{"a", {a}}, {"b", {b}}};
        s.items.push_back(m);
    }
    return s;
}

}  // namespace

TEST(Vmstate, VariableArraysCarryTheirCountAndGrowOnLoad) {
    ListSchema sc;
    ListState src = list_of({{1, 2}, {3, 4}, {0xDEADBEEF, 0xFFFF}});
    nlohmann::json desc;
    const auto bytes = save(sc.dev, src, &desc);
    ASSERT_EQ(bytes.size(), 4u + 3 * 6);
    EXPECT_EQ(bytes[3], 3);
    EXPECT_EQ(desc["fields"][1]["array_len"], 3);
    ListState dst = list_of({{9, 9}});
    StreamReader r(bytes);
    load_vmsd(sc.dev, dst, r, 1);
    ASSERT_EQ(dst.items.size(), 3u);
    EXPECT_EQ(dst.items[2].get("a", 0), 0xDEADBEEFu);
    EXPECT_EQ(dst.items[2].get("b", 0), 0xFFFFu);
    EXPECT_EQ(describe(sc.dev, src)["Fields"][1]["count"], 3);
    EXPECT_EQ(describe(sc.dev)["Fields"][1]["count_field"], "n");

    // An empty list writes no element and no vmdesc entry.
    ListState none;
    nlohmann::json empty_desc;
    EXPECT_EQ(save(sc.dev, none, &empty_desc).size(), 4u);
    EXPECT_EQ(empty_desc["fields"].size(), 1u);
}

TEST(Vmstate, VariableArrayCountsFromTheWireAreNotTrusted) {
    ListSchema sc;
    // A negative count loads no element.
    StreamWriter w;
    w.be32(0xFFFFFFFB);
    const auto negative = w.take();
    ListState dst = list_of({{1, 1}});
    StreamReader r(negative);
    load_vmsd(sc.dev, dst, r, 1);
    EXPECT_TRUE(dst.items.empty());
    // A count far beyond the stream fails at its end, having allocated only what arrived.
    ListState two = list_of({{1, 2}, {3, 4}});
    auto bytes = save(sc.dev, two);
    bytes[0] = 0x7F;  // count 0x7F000002
    ListState big;
    StreamReader r2(bytes);
    EXPECT_THROW(load_vmsd(sc.dev, big, r2, 1), LoadError);
    EXPECT_LE(big.items.size(), 3u);
}

RC_GTEST_PROP(Vmstate, SaveLoadSaveIsByteIdentical, (std::vector<uint64_t> gpr, uint32_t cr0, uint32_t cr1, bool fpu)) {
    Schemas sc;
    gpr.resize(4);
    MapState src;
    src.values = {{"gpr", gpr}, {"cr", {cr0, cr1}}, {"flags", {5}}, {"fpr", {gpr[0], gpr[1]}}};
    src.preds = {{Pred::HasFloat, fpu}};
    const auto first = save(sc.dev, src);
    MapState dst;
    dst.values = {{"flags", {5}}};
    dst.preds = src.preds;
    StreamReader r(first);
    load_vmsd(sc.dev, dst, r, 5);
    RC_ASSERT(r.remaining() == 0u);
    const auto second = save(sc.dev, dst);
    RC_ASSERT(first == second);
}

namespace {

// A state whose nested struct elements are MapStates of their own ("irqs[0]", "irqs[1]" ...).
class TreeState : public MapState {
public:
    std::map<std::string, MapState, std::less<>> children;
    StateAccess& nested(std::string_view key) override { return children[std::string(key)]; }
};

}  // namespace

TEST(Vmstate, VmdescDescribesArraysAsQemuDoes) {
    // Elements of a plain struct share one entry (array_len); a struct with subsections, or a
    // field that exists dynamically, gets one entry per element (index); repeated names are
    // numbered. The sizes are per element, so a decoder walking the description consumes
    // exactly the bytes written (analyze-migration.py reads nothing else).
    const Vmsd plain{"irq", 1, 1, {Field{"server", "", FieldType::U32}, Field{"flags", "", FieldType::U8}}, {}};
    const Vmsd extra{"irq2/extra", 1, 1, {Field{"x", "", FieldType::U16}}, {}};
    const Vmsd with_sub{"irq2", 1, 1, {Field{"server", "", FieldType::U32}}, {Subsection{&extra, Pred::HasFloat, ""}}};
    Field plain_arr{"irqs", "", FieldType::Struct, 3};
    plain_arr.vmsd = &plain;
    Field sub_arr{"irqs2", "", FieldType::Struct, 2};
    sub_arr.vmsd = &with_sub;
    Field dyn{"dyn", "", FieldType::U16, 2, 0, FieldCheck::None, 0, Pred::HasAltivec};
    const Vmsd dev{"ics", 1, 1,
                   {Field{"unused", "", FieldType::Unused, 1, 4}, plain_arr, sub_arr, dyn,
                    Field{"unused", "", FieldType::Unused, 1, 2}},
                   {}};
    TreeState s;
    s.preds = {{Pred::HasAltivec, true}};
    s.children["irqs2[1]"].preds = {{Pred::HasFloat, true}};  // only element 1 sends its subsection
    nlohmann::json desc;
    const auto bytes = save(dev, s, &desc);
    ASSERT_EQ(bytes.size(), 4u + 3 * 5 + (4 + (4 + 1 + 1 + 10 + 4 + 2)) + 2 * 2 + 2);
    const auto& f = desc["fields"];
    ASSERT_EQ(f.size(), 7u);
    EXPECT_EQ(f[0]["name"], "unused[0]");
    EXPECT_EQ(f[6]["name"], "unused[1]");
    EXPECT_EQ(f[1]["name"], "irqs");
    EXPECT_EQ(f[1]["array_len"], 3);
    EXPECT_EQ(f[1]["size"], 5);
    EXPECT_EQ(f[1]["struct"]["vmsd_name"], "irq");
    EXPECT_FALSE(f[1].contains("index"));
    EXPECT_EQ(f[2]["index"], 0);
    EXPECT_EQ(f[2]["size"], 4);
    EXPECT_FALSE(f[2]["struct"].contains("subsections"));
    EXPECT_EQ(f[3]["index"], 1);
    EXPECT_EQ(f[3]["size"], 4 + 1 + 1 + 10 + 4 + 2);
    EXPECT_EQ(f[3]["struct"]["subsections"][0]["vmsd_name"], "irq2/extra");
    EXPECT_EQ(f[4]["name"], "dyn");
    EXPECT_EQ(f[4]["index"], 0);
    EXPECT_EQ(f[5]["index"], 1);
    EXPECT_EQ(f[5]["size"], 2);
    // The described sizes add up to the payload (a struct entry's size covers its subsections).
    size_t total = 0;
    for (const auto& e : f) total += e["size"].get<size_t>() * (e.contains("array_len") ? e["array_len"].get<size_t>() : 1);
    EXPECT_EQ(total, bytes.size());
}
