#include "ppcmig/machine/xive.hpp"

namespace ppcmig::machine {

namespace {
// ESB offsets (XIVE architecture).
constexpr uint64_t kEsbLoadEoi = 0x000, kEsbStoreEoi = 0x400, kEsbGet = 0x800, kEsbSetPq00 = 0xC00,
                   kEsbSetPq11 = 0xF00;
}  // namespace

Xive::Xive(unsigned nr_servers, unsigned nr_sources)
    : sources(nr_sources), queues(nr_servers), cppr(nr_servers, 0), nsr(nr_servers, 0) {}

void Xive::reset() {
    for (auto& s : sources) s = XiveSource{};
    for (auto& q : queues) q.fill(XiveQueue{});
    std::fill(cppr.begin(), cppr.end(), 0);
    std::fill(nsr.begin(), nsr.end(), 0);
}

int Xive::enqueue(memory::GuestMemory& mem, const XiveSource& s) {
    if (s.masked || s.priority >= kPriorities || s.target >= queues.size()) return -1;
    XiveQueue& q = queues[s.target][s.priority];
    if (q.qshift == 0) return -1;  // no queue configured: the event is dropped
    const uint32_t entry = (uint32_t(q.generation) << 31) | (s.eisn & 0x7FFFFFFF);
    const uint8_t be[4] = {uint8_t(entry >> 24), uint8_t(entry >> 16), uint8_t(entry >> 8), uint8_t(entry)};
    const uint64_t addr = q.qpage + uint64_t(q.index) * 4;
    if (mem.contains(addr, 4)) mem.write(addr, be);
    const uint32_t entries = (uint32_t(1) << q.qshift) / 4;
    if (++q.index == entries) {
        q.index = 0;
        q.generation = !q.generation;
    }
    // Presenter: an event more favoured than the thread's CPPR raises an exception.
    if (s.priority < cppr[s.target]) {
        nsr[s.target] = 1;
        return static_cast<int>(s.target);
    }
    return -1;
}

int Xive::trigger(memory::GuestMemory& mem, uint32_t lisn) {
    if (lisn >= sources.size()) return -1;
    XiveSource& s = sources[lisn];
    switch (s.pq) {
        case 0b00: s.pq = 0b10; return enqueue(mem, s);  // forward the event
        case 0b10: s.pq = 0b11; return -1;                // queued behind the pending one
        default: return -1;                               // 11 stays, 01 (off) drops it
    }
}

bool Xive::eoi(uint32_t lisn) {
    XiveSource& s = sources[lisn];
    const bool again = s.pq == 0b11;
    if (s.pq == 0b10 || s.pq == 0b11) s.pq = 0b00;
    return again;
}

uint64_t Xive::esb_load(memory::GuestMemory& mem, uint32_t lisn, uint64_t offset, int& notify) {
    notify = -1;
    if (lisn >= sources.size()) return ~uint64_t(0);
    XiveSource& s = sources[lisn];
    const uint8_t old = s.pq;
    if (offset == kEsbLoadEoi) {
        if (eoi(lisn)) {
            s.pq = 0b00;
            notify = trigger(mem, lisn);
        }
        return old;
    }
    if (offset == kEsbGet) return old;
    if (offset >= kEsbSetPq00 && offset <= kEsbSetPq11 && (offset & 0xFF) == 0) {
        s.pq = static_cast<uint8_t>((offset >> 8) & 3);
        return old;
    }
    return ~uint64_t(0);
}

void Xive::esb_store(memory::GuestMemory& mem, uint32_t lisn, uint64_t offset, int& notify) {
    notify = -1;
    if (lisn >= sources.size()) return;
    if (offset < kEsbStoreEoi) {
        notify = trigger(mem, lisn);
    } else if (offset < kEsbGet) {
        if (eoi(lisn)) notify = trigger(mem, lisn);
    } else if (offset >= kEsbSetPq00 && offset <= kEsbSetPq11 && (offset & 0xFF) == 0) {
        sources[lisn].pq = static_cast<uint8_t>((offset >> 8) & 3);
    }
}

}  // namespace ppcmig::machine
