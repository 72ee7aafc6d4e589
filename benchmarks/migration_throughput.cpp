// Save+load throughput of whole-machine migration streams (issue 4, acceptance item 4: >= 2 GB of
// guest RAM per second for a 1 GiB guest with a realistic mix of zero and non-zero pages).
//
// A pseries guest's RAM is filled deterministically (fixed-seed PRNG, see fill_ram) and the
// engine's save_machine / load_machine are timed separately and together, into a warm (resident)
// and a cold (fresh) destination. A peer is measured in the same run: the floor any saver pays —
// a zero-page scan of the source plus one memcpy of the whole RAM into a like destination — and
// the summary reports every engine figure as a ratio to it (benchmarks/README.md).
//
//   build/bin/ppcmig_bench_migration [--ram 1G] [--machine "-machine pseries -cpu POWER9"]
//                                    [--write-ram-image PATH] [--write-stream PATH] [--benchmark_* flags]
//
// --write-ram-image writes the filled RAM to PATH (benchmarks/migration_throughput.py hands it to
// qemu-system-ppc64 as the guest's RAM so QEMU migrates the same bytes), --write-stream the
// engine's stream of it (to compare streams across changes to the saver); both then exit.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <malloc.h>
#include <unistd.h>

#include <fmt/format.h>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/machine/config.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/memory/guest_memory.hpp"
#include "ppcmig/migration/stream.hpp"

namespace {

using namespace ppcmig;
using Clock = std::chrono::steady_clock;
constexpr uint64_t kPage = memory::kPageSize;

// splitmix64: a fixed-seed generator, so every run (and QEMU's copy) sees the same bytes.
class SplitMix {
public:
    explicit SplitMix(uint64_t seed) : s_(seed) {}
    uint64_t next() {
        uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return next() % n; }

private:
    uint64_t s_;
};

/// What a page holds. The weights are a guest some time after boot: most RAM never touched or
/// freed (zero), then page cache / code (text-like, low entropy), kernel structures and page
/// tables (a few non-zero words in a zero page: the zero scan's costly case, it reads far before
/// finding one) and compressed or encrypted data (random).
enum class PageKind : uint8_t { Zero, Text, Sparse, Random };
struct KindWeight {
    PageKind kind;
    unsigned percent;
};
constexpr std::array kMix{KindWeight{PageKind::Zero, 60}, KindWeight{PageKind::Text, 15}, KindWeight{PageKind::Sparse, 10},
                          KindWeight{PageKind::Random, 15}};
/// Pages of one kind come in runs of 1..kMaxRun (RAM is used in regions, not page by page).
constexpr uint64_t kMaxRun = 32;

struct MixStats {
    std::array<uint64_t, kMix.size()> pages{};
};

void fill_text(uint8_t* p, SplitMix& rng) {
    static constexpr std::array<std::string_view, 24> kWords{
        "the", "migration", "of", "a", "page", "table", "entry", "kernel", "return", "int", "struct", "static",
        "void", "if", "else", "for", "while", "0x0000", "cpu", "irq", "=", ";", "{", "}"};
    size_t i = 0;
    while (i < kPage) {
        const std::string_view w = kWords[rng.below(kWords.size())];
        const size_t n = std::min(w.size(), kPage - i);
        std::memcpy(p + i, w.data(), n);
        i += n;
        if (i < kPage) p[i++] = rng.below(8) == 0 ? '\n' : ' ';
    }
}

void fill_page(uint8_t* p, PageKind kind, SplitMix& rng) {
    switch (kind) {
    case PageKind::Zero:
        break;  // fresh guest memory reads as zero
    case PageKind::Text:
        fill_text(p, rng);
        break;
    case PageKind::Sparse: {
        const uint64_t words = 1 + rng.below(8);
        for (uint64_t k = 0; k < words; ++k) {
            const uint64_t v = rng.next() | 1;  // never zero
            std::memcpy(p + rng.below(kPage / 8) * 8, &v, 8);
        }
        break;
    }
    case PageKind::Random:
        for (uint64_t i = 0; i < kPage; i += 8) {
            const uint64_t v = rng.next();
            std::memcpy(p + i, &v, 8);
        }
        break;
    }
}

/// Fills the machine's RAM with the mix (deterministic: fixed seed) and counts pages by kind.
MixStats fill_ram(memory::GuestMemory& mem) {
    SplitMix rng(0x5050434D4947ull);  // "PPCMIG"
    MixStats st;
    uint64_t page = 0;
    while (page < mem.page_count()) {
        uint64_t pick = rng.below(100);
        size_t k = 0;
        while (pick >= kMix[k].percent) pick -= kMix[k++].percent;
        const uint64_t run = std::min<uint64_t>(1 + rng.below(kMaxRun), mem.page_count() - page);
        for (uint64_t i = 0; i < run; ++i) fill_page(mem.data() + (page + i) * kPage, kMix[k].kind, rng);
        // Written like a guest writes (the engine knows which pages were ever written; the zero
        // runs stay untouched, as never-used guest memory is).
        if (kMix[k].kind != PageKind::Zero) mem.mark_dirty(page * kPage, run * kPage);
        st.pages[k] += run;
        page += run;
    }
    return st;
}

uint64_t count_zero_pages(const memory::GuestMemory& mem) {
    uint64_t n = 0;
    for (uint64_t pg = 0; pg < mem.page_count(); ++pg) n += migration::page_is_zero(mem.data() + pg * kPage);  // the saver's own scan
    return n;
}

struct Options {
    std::string ram = "1G";
    std::string machine = "-machine pseries -cpu POWER9";
    std::string ram_image;  ///< --write-ram-image: write the filled RAM there and exit
    std::string stream;     ///< --write-stream: write the saved stream there and exit
};

/// Where the pages land. Warm: a destination machine (and a peer buffer) reused across
/// iterations, its RAM already faulted in — as a destination started with -mem-prealloc — so
/// the figure is the saver's and loader's own work. Cold: a fresh destination per iteration,
/// so the host's first-touch page faults are paid inside the timing.
enum class Dest : uint8_t { Warm, Cold };

/// The source machine, its stream, and the destinations.
class Workload {
public:
    explicit Workload(const Options& o) : profile_(builds::profile("head")) {
        cfg_ = machine::MachineConfig::parse(fmt::format("{} -m {}", o.machine, o.ram), profile_.newest_machine);
        src_ = std::make_unique<machine::SpaprMachine>(cfg_, profile_.behaviour);
        src_->vcpus()[0]->running = true;  // as after boot (no guest is loaded)
        mix_ = fill_ram(src_->memory());
        stream_ = migration::save_machine(*src_);
    }

    /// Before timing: checks once that a load reproduces the RAM (so the timings are of a
    /// working migration) and faults in the warm destination and buffer.
    void prepare() {
        warm_dst_ = fresh_destination();
        std::vector<std::string> warnings;
        migration::load_machine(*warm_dst_, stream_, warnings);
        if (std::memcmp(warm_dst_->memory().data(), src_->memory().data(), ram_bytes()) != 0)
            throw std::runtime_error("loaded RAM differs from the source's");
        // Warm-up: a save whose stream is released leaves the heap ready for the next ones.
        benchmark::DoNotOptimize(migration::save_machine(*src_).data());
        warm_buf_ = std::make_unique<memory::GuestMemory>(ram_bytes());
        std::memset(warm_buf_->data(), 0xA5, ram_bytes());
    }

    [[nodiscard]] std::unique_ptr<machine::SpaprMachine> fresh_destination() const {
        return std::make_unique<machine::SpaprMachine>(cfg_, profile_.behaviour);
    }
    [[nodiscard]] machine::SpaprMachine& warm_destination() { return *warm_dst_; }
    [[nodiscard]] memory::GuestMemory& warm_buffer() { return *warm_buf_; }
    [[nodiscard]] machine::SpaprMachine& source() { return *src_; }
    [[nodiscard]] const memory::GuestMemory& ram() const { return src_->memory(); }
    [[nodiscard]] const std::vector<uint8_t>& stream() const { return stream_; }
    [[nodiscard]] uint64_t ram_bytes() const { return src_->memory().size(); }
    [[nodiscard]] const MixStats& mix() const { return mix_; }
    [[nodiscard]] std::string machine_args() const { return cfg_.to_args(); }

private:
    builds::Profile profile_;
    machine::MachineConfig cfg_;
    std::unique_ptr<machine::SpaprMachine> src_, warm_dst_;
    std::unique_ptr<memory::GuestMemory> warm_buf_;
    MixStats mix_;
    std::vector<uint8_t> stream_;
};

double thread_cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/// Times one operation: its wall time is the iteration's time (manual time: building or
/// releasing destinations and streams is not counted); this thread's CPU time is summed too,
/// the same work without the time other processes on a shared host took from it.
template <class Op>
void timed(benchmark::State& st, double& cpu_total, Op&& op) {
    const auto w0 = Clock::now();
    const double c0 = thread_cpu_seconds();
    op();
    cpu_total += thread_cpu_seconds() - c0;
    st.SetIterationTime(std::chrono::duration<double>(Clock::now() - w0).count());
}

void add_counters(benchmark::State& st, const Workload& w, double cpu_total) {
    // Guest RAM migrated per second, in GB (1e9 bytes) — the unit of the target.
    const double gb = static_cast<double>(w.ram_bytes()) / 1e9;
    st.counters["guest_GB"] = benchmark::Counter(gb, benchmark::Counter::kIsIterationInvariantRate);
    st.counters["GB_per_cpu_s"] = cpu_total > 0 ? gb * static_cast<double>(st.iterations()) / cpu_total : 0.0;
}

void bm_save(benchmark::State& st, Workload& w) {
    double cpu = 0;
    for (auto _ : st) {
        std::vector<uint8_t> s;
        timed(st, cpu, [&] { s = migration::save_machine(w.source()); });
        benchmark::DoNotOptimize(s.data());
    }
    add_counters(st, w, cpu);
    st.counters["stream_MB"] = static_cast<double>(w.stream().size()) / 1e6;
}

/// Load (`save` false) or save then load (`save` true) into a warm or cold destination.
void bm_migrate(benchmark::State& st, Workload& w, bool save, Dest d) {
    double cpu = 0;
    for (auto _ : st) {
        std::unique_ptr<machine::SpaprMachine> fresh = d == Dest::Cold ? w.fresh_destination() : nullptr;
        machine::SpaprMachine& dst = fresh ? *fresh : w.warm_destination();
        std::vector<std::string> warnings;
        timed(st, cpu, [&] {
            if (save) {
                const std::vector<uint8_t> s = migration::save_machine(w.source());
                migration::load_machine(dst, s, warnings);
            } else {
                migration::load_machine(dst, w.stream(), warnings);
            }
        });
    }
    add_counters(st, w, cpu);
}

/// Peers: `scan` the zero-page scan of the source, `copy` one memcpy of the whole RAM into a
/// warm or cold buffer; both together: the floor.
void bm_peer(benchmark::State& st, Workload& w, bool scan, bool copy, Dest d) {
    const memory::GuestMemory& src = w.ram();
    double cpu = 0;
    for (auto _ : st) {
        std::unique_ptr<memory::GuestMemory> fresh = copy && d == Dest::Cold ? std::make_unique<memory::GuestMemory>(src.size()) : nullptr;
        memory::GuestMemory& buf = fresh ? *fresh : w.warm_buffer();
        timed(st, cpu, [&] {
            if (scan) benchmark::DoNotOptimize(count_zero_pages(src));
            if (copy) std::memcpy(buf.data(), src.data(), src.size());
        });
        benchmark::DoNotOptimize(buf.data());
    }
    add_counters(st, w, cpu);
}

/// The console output, plus the figures kept for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
public:
    SummaryReporter() : ConsoleReporter(static_cast<OutputOptions>(OO_Tabular | (::isatty(STDOUT_FILENO) ? OO_Color : OO_None))) {}
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& r : runs) {
            if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
            // With repetitions, the best: the figure least disturbed by other load on the host.
            for (const char* counter : {"guest_GB", "GB_per_cpu_s"}) {
                const auto it = r.counters.find(counter);
                double& best = rates_[{r.run_name.function_name, counter}];
                if (it != r.counters.end()) best = std::max(best, it->second.value);
            }
        }
    }
    /// GB of guest RAM per wall second (`cpu` false) or per CPU second; 0 if not run.
    [[nodiscard]] double rate(const std::string& name, bool cpu = false) const {
        const auto it = rates_.find({name, cpu ? "GB_per_cpu_s" : "guest_GB"});
        return it == rates_.end() ? 0.0 : it->second;
    }

private:
    std::map<std::pair<std::string, std::string>, double> rates_;
};

void print_summary(const SummaryReporter& rep, const Workload& w) {
    const uint64_t zero = count_zero_pages(w.ram()), pages = w.ram_bytes() / kPage;
    fmt::print("\n{}\n", w.machine_args());
    fmt::print("guest RAM {} MiB, {} pages: {:.1f}% zero; by kind zero {}, text {}, sparse {}, random {}; stream {:.1f} MB\n",
               w.ram_bytes() >> 20, pages, 100.0 * static_cast<double>(zero) / static_cast<double>(pages), w.mix().pages[0],
               w.mix().pages[1], w.mix().pages[2], w.mix().pages[3], static_cast<double>(w.stream().size()) / 1e6);
    fmt::print("{:<24}{:>10}{:>10}{:>12}{:>10}   (x floor: ratio to scan + memcpy into a like destination)\n", "", "GB/s",
               "x floor", "GB/cpu-s", "x floor");
    const std::array<std::pair<const char*, const char*>, 10> rows{{
        {"save", "peer/scan+memcpy"},
        {"load", "peer/scan+memcpy"},
        {"save+load", "peer/scan+memcpy"},
        {"load/cold", "peer/scan+memcpy/cold"},
        {"save+load/cold", "peer/scan+memcpy/cold"},
        {"peer/zero-scan", "peer/scan+memcpy"},
        {"peer/memcpy", "peer/scan+memcpy"},
        {"peer/scan+memcpy", "peer/scan+memcpy"},
        {"peer/memcpy/cold", "peer/scan+memcpy/cold"},
        {"peer/scan+memcpy/cold", "peer/scan+memcpy/cold"},
    }};
    auto ratio = [](double r, double f) { return f > 0 ? fmt::format("{:.2f}", r / f) : std::string("-"); };
    for (const auto& [name, peer] : rows) {
        const double r = rep.rate(name), f = rep.rate(peer), rc = rep.rate(name, true), fc = rep.rate(peer, true);
        if (r == 0.0) continue;
        fmt::print("{:<24}{:>10.2f}{:>10}{:>12.2f}{:>10}\n", name, r, ratio(r, f), rc, ratio(rc, fc));
    }
    if (const double sl = rep.rate("save+load"); sl > 0)
        fmt::print("save+load target >= 2 GB/s of guest RAM: {} ({:.2f} GB/s)\n", sl >= 2.0 ? "met" : "NOT met", sl);
}

/// Writes through a temporary name, so a failed write leaves no partial file at `path`.
void write_file(const std::string& path, std::span<const uint8_t> bytes, std::string_view what) {
    const std::string tmp = path + ".tmp";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw std::runtime_error(fmt::format("cannot write the {} {}", what, tmp));
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace

int main(int argc, char** argv) {
    // Keep freed heap memory for reuse (no per-allocation mmap, no trimming): the engine returns
    // the stream as one vector, and a fresh mapping per save would time this host's first-touch
    // page faults rather than the saver (QEMU writes through one small reused buffer).
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    Options o;
    // Our options first; the rest go to Google Benchmark, after a default minimum time that a
    // --benchmark_min_time given by the user overrides (the last flag wins).
    std::vector<char*> args{argv[0]};
    std::string min_time = "--benchmark_min_time=2";
    args.push_back(min_time.data());
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&](std::string_view flag) -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(fmt::format("{} needs a value", flag));
            return argv[++i];
        };
        try {
            if (a == "--ram") o.ram = value(a);
            else if (a == "--machine") o.machine = value(a);
            else if (a == "--write-ram-image") o.ram_image = value(a);
            else if (a == "--write-stream") o.stream = value(a);
            else args.push_back(argv[i]);
        } catch (const std::exception& e) {
            fmt::print(stderr, "ppcmig_bench_migration: {}\n", e.what());
            return 2;
        }
    }
    int bargc = static_cast<int>(args.size());
    benchmark::Initialize(&bargc, args.data());
    if (benchmark::ReportUnrecognizedArguments(bargc, args.data())) return 2;

    std::unique_ptr<Workload> w;
    try {
        w = std::make_unique<Workload>(o);
        if (!o.ram_image.empty()) write_file(o.ram_image, std::span(w->ram().data(), w->ram_bytes()), "RAM image");
        if (!o.stream.empty()) write_file(o.stream, w->stream(), "stream");
        if (!o.ram_image.empty() || !o.stream.empty()) return 0;
        w->prepare();
    } catch (const machine::ConfigError& e) {
        fmt::print(stderr, "ppcmig_bench_migration: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "ppcmig_bench_migration: {}\n", e.what());
        return 1;
    }
    auto reg = [](const char* name, auto fn) { benchmark::RegisterBenchmark(name, fn)->UseManualTime()->Unit(benchmark::kMillisecond); };
    Workload& wl = *w;
    reg("save", [&wl](benchmark::State& st) { bm_save(st, wl); });
    reg("load", [&wl](benchmark::State& st) { bm_migrate(st, wl, false, Dest::Warm); });
    reg("save+load", [&wl](benchmark::State& st) { bm_migrate(st, wl, true, Dest::Warm); });
    reg("load/cold", [&wl](benchmark::State& st) { bm_migrate(st, wl, false, Dest::Cold); });
    reg("save+load/cold", [&wl](benchmark::State& st) { bm_migrate(st, wl, true, Dest::Cold); });
    reg("peer/zero-scan", [&wl](benchmark::State& st) { bm_peer(st, wl, true, false, Dest::Warm); });
    reg("peer/memcpy", [&wl](benchmark::State& st) { bm_peer(st, wl, false, true, Dest::Warm); });
    reg("peer/scan+memcpy", [&wl](benchmark::State& st) { bm_peer(st, wl, true, true, Dest::Warm); });
    reg("peer/memcpy/cold", [&wl](benchmark::State& st) { bm_peer(st, wl, false, true, Dest::Cold); });
    reg("peer/scan+memcpy/cold", [&wl](benchmark::State& st) { bm_peer(st, wl, true, true, Dest::Cold); });
    SummaryReporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    print_summary(rep, wl);
    benchmark::Shutdown();
    return 0;
}
