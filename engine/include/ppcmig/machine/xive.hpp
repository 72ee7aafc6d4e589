// sPAPR XIVE (exploitation mode) as a guest sees it through the PAPR H_INT_* hypercalls:
// interrupt sources with their PQ bits (ESB), routing (EAS), event queues in guest memory (END)
// and per-vCPU thread-context priority. The ESB and TIMA MMIO pages are not mapped: a
// real-mode guest cannot reach them on QEMU either, so it triggers and EOIs through H_INT_ESB
// and polls its event queue.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ppcmig/memory/guest_memory.hpp"

namespace ppcmig::machine {

struct XiveSource {
    uint8_t pq = 0b01;            ///< ESB state; sources start "off" (PQ=01) until configured
    bool masked = true;
    uint32_t target = 0;
    uint8_t priority = 0xFF;
    uint32_t eisn = 0;
    friend bool operator==(const XiveSource&, const XiveSource&) = default;
};

struct XiveQueue {
    uint64_t qpage = 0;
    uint8_t qshift = 0;           ///< log2 of the queue size in bytes; 0: not configured
    uint32_t index = 0;
    bool generation = true;       ///< the toggle bit written into the next entry
    bool always_notify = false;
    friend bool operator==(const XiveQueue&, const XiveQueue&) = default;
};

/// XIVE state of a machine: sources 0..nr_servers-1 are the per-vCPU IPIs.
class Xive {
public:
    static constexpr unsigned kPriorities = 8;
    Xive(unsigned nr_servers, unsigned nr_sources);

    void reset();
    /// An ESB trigger of `lisn` (PQ state machine; an event goes to the routed queue).
    /// Returns the vCPU to notify, or -1.
    int trigger(memory::GuestMemory& mem, uint32_t lisn);
    /// ESB load at `offset` (EOI, get, set-PQ). Returns the value the load reads.
    uint64_t esb_load(memory::GuestMemory& mem, uint32_t lisn, uint64_t offset, int& notify);
    /// ESB store at `offset` (trigger, store-EOI, set-PQ).
    void esb_store(memory::GuestMemory& mem, uint32_t lisn, uint64_t offset, int& notify);

    std::vector<XiveSource> sources;
    std::vector<std::array<XiveQueue, kPriorities>> queues;  ///< per server, per priority
    std::vector<uint8_t> cppr;                               ///< OS ring CPPR per server
    std::vector<uint8_t> nsr;                                ///< pending exception per server

private:
    int enqueue(memory::GuestMemory& mem, const XiveSource& s);
    bool eoi(uint32_t lisn);  ///< returns true when the EOI re-triggers
};

}  // namespace ppcmig::machine
