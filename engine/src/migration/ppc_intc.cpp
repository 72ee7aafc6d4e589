#include "ppcmig/migration/ppc_intc.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace ppcmig::migration {

namespace {
using FT = FieldType;

// The element index of a nested key: "name[i]", or plain "name" for a one-element array.
uint32_t element(std::string_view key) {
    const auto open = key.find('[');
    if (open == std::string_view::npos) return 0;
    uint32_t i = 0;
    if (std::from_chars(key.data() + open + 1, key.data() + key.size() - 1, i).ec != std::errc())
        throw std::logic_error(fmt::format("not an array element key: {}", key));
    return i;
}

// XIVE structure words (bit 0 = most significant, as the XIVE specification numbers them).
constexpr uint64_t kEasValid = uint64_t(1) << 63, kEasMasked = uint64_t(1) << 31;
constexpr uint64_t kEasEndData = 0x7FFFFFFF;
constexpr unsigned kEasEndIndexShift = 32;  // EAS_END_INDEX: bits 8-31 (block 0)
constexpr uint32_t kEndW0Valid = 0x80000000, kEndW0Enqueue = 0x40000000, kEndW0Ucond = 0x20000000;
constexpr unsigned kEndW0QsizeShift = 16;  // END_W0_QSIZE: bits 12-15, log2(bytes) - 12
constexpr uint32_t kEndW1Generation = 0x80000000, kEndW1PageOff = 0x1FFFFFFF;
constexpr unsigned kEndW7PriorityShift = 24;
constexpr size_t kTctxRegs = 64;   // 4 rings x 16 bytes
constexpr size_t kTmQw1Os = 0x10;  // the OS ring: NSR, CPPR, …
constexpr uint8_t kTmNsrEoPending = 0x80;

// One ICS source.
class IcsIrqAccess final : public StateAccess {
public:
    explicit IcsIrqAccess(machine::IcsIrq& irq) : irq_(irq) {}
    uint64_t get(std::string_view key, uint32_t) const override {
        if (key == "server") return irq_.server;
        if (key == "priority") return irq_.priority;
        if (key == "saved_priority") return irq_.saved_priority;
        if (key == "status") return irq_.status;
        if (key == "flags") return irq_.flags;
        throw std::logic_error(fmt::format("ics/irq has no field {}", key));
    }
    void set(std::string_view key, uint32_t, uint64_t v) override {
        if (key == "server") irq_.server = static_cast<uint32_t>(v);
        else if (key == "priority") irq_.priority = static_cast<uint8_t>(v);
        else if (key == "saved_priority") irq_.saved_priority = static_cast<uint8_t>(v);
        else if (key == "status") irq_.status = static_cast<uint8_t>(v);
        else if (key == "flags") irq_.flags = static_cast<uint8_t>(v);
        else throw std::logic_error(fmt::format("ics/irq has no field {}", key));
    }

private:
    machine::IcsIrq& irq_;
};

// One EAS: valid, routed to the END of (target, priority), masked, with the event data.
class EasAccess final : public StateAccess {
public:
    explicit EasAccess(machine::XiveSource& s) : s_(s) {}
    uint64_t get(std::string_view, uint32_t) const override {
        // Masked sources keep their target; their priority is 0xFF (no END of their own).
        const uint32_t prio = s_.masked ? 0 : s_.priority;
        return kEasValid | (uint64_t(end_index(s_.target, prio)) << kEasEndIndexShift) | (s_.masked ? kEasMasked : 0) |
               (s_.eisn & kEasEndData);
    }
    void set(std::string_view, uint32_t, uint64_t w) override {
        const auto end = static_cast<uint32_t>((w >> kEasEndIndexShift) & 0xFFFFFF);
        s_.masked = (w & kEasMasked) != 0;
        s_.target = end / 8;
        s_.priority = s_.masked ? 0xFF : static_cast<uint8_t>(end % 8);
        s_.eisn = static_cast<uint32_t>(w & kEasEndData);
    }

private:
    machine::XiveSource& s_;
};

// One END: the event queue of (server, priority).
class EndAccess final : public StateAccess {
public:
    EndAccess(machine::XiveQueue& q, uint32_t server, uint32_t priority) : q_(q), server_(server), priority_(priority) {}
    uint64_t get(std::string_view key, uint32_t) const override {
        if (key == "w0")
            return q_.qshift == 0 ? (q_.always_notify ? kEndW0Ucond : 0)
                                  : kEndW0Valid | kEndW0Enqueue | (q_.always_notify ? kEndW0Ucond : 0) |
                                        (uint32_t(q_.qshift - 12) << kEndW0QsizeShift);
        if (key == "w1") return (q_.generation ? kEndW1Generation : 0) | (q_.index & kEndW1PageOff);
        if (key == "w2") return (q_.qpage >> 32) & 0x0FFFFFFF;
        if (key == "w3") return q_.qpage & 0xFFFFFFFF;
        if (key == "w6") return server_;
        if (key == "w7") return priority_ << kEndW7PriorityShift;
        return 0;  // w4, w5: escalation, not modelled
    }
    void set(std::string_view key, uint32_t, uint64_t v) override {
        const auto w = static_cast<uint32_t>(v);
        if (key == "w0") {
            q_.always_notify = (w & kEndW0Ucond) != 0;
            q_.qshift = (w & kEndW0Valid) ? static_cast<uint8_t>(((w >> kEndW0QsizeShift) & 0xF) + 12) : 0;
        } else if (key == "w1") {
            q_.generation = (w & kEndW1Generation) != 0;
            q_.index = w & kEndW1PageOff;
        } else if (key == "w2") {
            q_.qpage = (q_.qpage & 0xFFFFFFFF) | (uint64_t(w & 0x0FFFFFFF) << 32);
        } else if (key == "w3") {
            q_.qpage = (q_.qpage & ~uint64_t(0xFFFFFFFF)) | w;
        }
        // w6/w7 name this END's own server and priority; w4/w5 are not modelled.
    }

private:
    machine::XiveQueue& q_;
    uint32_t server_, priority_;
};

}  // namespace

IntcSchema::IntcSchema(const machine::SpaprMachine& m)
    : IntcSchema(static_cast<uint32_t>(m.ics().size()), static_cast<uint32_t>(m.xive().sources.size()),
                 static_cast<uint32_t>(m.xive().queues.size() * machine::Xive::kPriorities)) {}

IntcSchema::IntcSchema(uint32_t nr_ics, uint32_t nr_xive, uint32_t nr_ends) {
    Field flags = make_field("flags", FT::U8);
    flags.version_id = 2;
    ics_irq = Vmsd{"ics/irq", 2, 1,
                   {make_field("server", FT::U32), make_field("priority", FT::U8), make_field("saved_priority", FT::U8),
                    make_field("status", FT::U8), flags}, {}};
    ics = Vmsd{"ics", 1, 1, {equal_field("nr_irqs", FT::U32), struct_field("irqs", &ics_irq, nr_ics)}, {}};
    xive_source = Vmsd{"xive-source", 1, 1, {equal_field("nr_irqs", FT::U32), bytes_field("status", FT::Buffer, nr_xive)}, {}};
    eas = Vmsd{"spapr-xive/eas", 1, 1, {make_field("w", FT::U64)}, {}};
    std::vector<Field> words;
    for (int i = 0; i < 8; ++i) words.push_back(make_field(fmt::format("w{}", i), FT::U32));
    end = Vmsd{"spapr-xive/end", 1, 1, std::move(words), {}};
    spapr_xive = Vmsd{"spapr-xive", 1, 1,
                      {equal_field("nr_irqs", FT::U32), struct_field("eat", &eas, nr_xive), struct_field("endt", &end, nr_ends)}, {}};
    tctx = Vmsd{"xive-tctx", 1, 1, {bytes_field("regs", FT::Buffer, kTctxRegs)}, {}};
}

IcsAccess::IcsAccess(machine::SpaprMachine& m) : m_(m) {
    for (auto& irq : m.ics_state()) irqs_.push_back(std::make_unique<IcsIrqAccess>(irq));
}

uint64_t IcsAccess::get(std::string_view key, uint32_t) const {
    if (key == "nr_irqs") return m_.ics().size();
    throw std::logic_error(fmt::format("ics has no field {}", key));
}

void IcsAccess::set(std::string_view key, uint32_t, uint64_t) {
    throw std::logic_error(fmt::format("ics has no stored field {}", key));
}

StateAccess& IcsAccess::nested(std::string_view key) { return *irqs_.at(element(key)); }

XiveAccess::XiveAccess(machine::SpaprMachine& m) : m_(m) {
    auto& x = m.xive_state();
    for (auto& s : x.sources) eas_.push_back(std::make_unique<EasAccess>(s));
    for (uint32_t server = 0; server < x.queues.size(); ++server)
        for (uint32_t prio = 0; prio < machine::Xive::kPriorities; ++prio)
            ends_.push_back(std::make_unique<EndAccess>(x.queues[server][prio], server, prio));
}

uint64_t XiveAccess::get(std::string_view key, uint32_t) const {
    if (key == "nr_irqs") return m_.xive().sources.size();
    throw std::logic_error(fmt::format("spapr-xive has no field {}", key));
}

void XiveAccess::set(std::string_view key, uint32_t, uint64_t) {
    throw std::logic_error(fmt::format("spapr-xive has no stored field {}", key));
}

void XiveAccess::get_bytes(std::string_view, std::span<uint8_t> bytes) const {
    const auto& src = m_.xive().sources;
    for (size_t i = 0; i < bytes.size() && i < src.size(); ++i) bytes[i] = src[i].pq & 0x3;
}

void XiveAccess::set_bytes(std::string_view, std::span<const uint8_t> bytes) {
    auto& src = m_.xive_state().sources;
    for (size_t i = 0; i < bytes.size() && i < src.size(); ++i) src[i].pq = bytes[i] & 0x3;
}

StateAccess& XiveAccess::nested(std::string_view key) {
    return key.starts_with("eat") ? *eas_.at(element(key)) : *ends_.at(element(key));
}

uint64_t TctxAccess::get(std::string_view key, uint32_t) const {
    throw std::logic_error(fmt::format("xive-tctx has no scalar field {}", key));
}

void TctxAccess::set(std::string_view key, uint32_t, uint64_t) {
    throw std::logic_error(fmt::format("xive-tctx has no scalar field {}", key));
}

void TctxAccess::get_bytes(std::string_view, std::span<uint8_t> bytes) const {
    std::fill(bytes.begin(), bytes.end(), uint8_t(0));
    const auto& x = m_.xive();
    bytes[kTmQw1Os] = x.nsr[server_] ? kTmNsrEoPending : 0;
    bytes[kTmQw1Os + 1] = x.cppr[server_];
}

void TctxAccess::set_bytes(std::string_view, std::span<const uint8_t> bytes) {
    auto& x = m_.xive_state();
    x.nsr[server_] = (bytes[kTmQw1Os] & kTmNsrEoPending) ? 1 : 0;
    x.cppr[server_] = bytes[kTmQw1Os + 1];
}

}  // namespace ppcmig::migration
