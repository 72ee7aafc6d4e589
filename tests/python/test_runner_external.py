"""External engines in the differential runner (engine/src/runner/README.md, "External engines"):
a side named by an engine binary runs in a `ppcmig-engine serve` process that the runner drives
over the serve protocol, streams crossing through the runner. With the binary of this very build
the result is the one of the same scenario in process, bit for bit (digest included) — verdicts
load_fail, ok, divergence with its first instruction, program_interrupt; both sides external, or
either one. A binary that is no serve, a build it does not know, a server that dies mid-run are
precise errors. And between this build and one built from an earlier commit of this repository
(before the observation requests existed): migrations both ways, compared through `query state`
with the limits said in the result."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from ppcmig import Build, Guest, MachineConfig, MigrationPlan, Scenario, _ppcmig
from ppcmig.runner import run_spec

needs_runner = pytest.mark.skipif(not hasattr(_ppcmig, "run_scenario"), reason="engine runner not built yet")
pytestmark = needs_runner

ENGINE = Path(os.environ.get("PPCMIG_ENGINE", "build/bin/ppcmig-engine")).absolute()
BUILD_DIR = Path(os.environ.get("PPCMIG_BUILD_DIR", "build")).absolute()
SOURCE_DIR = Path(os.environ.get("PPCMIG_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DROP_VSX = SOURCE_DIR / "scenarios" / "changesets" / "drop_vsx.toml"
KVM_P8 = "-cpu host -accel kvm-hv -host-cpu POWER8 -m 256M"


def c1(dest: str) -> Scenario:
    """C1: a pseries-2.6 stream of 2.6 fails the insns_flags _EQUAL check of 2.7, loads on 2.7.1."""
    return Scenario(Guest.named("decr_tick"), source=(Build.get("2.6"), MachineConfig.parse(f"-machine pseries-2.6 {KVM_P8}")),
                    hops=[(Build.get(dest), None)], plan=MigrationPlan(at_insns=20_000_000), budget_insns=200_000_000)


def seed004() -> Scenario:
    """TCG POWER8 2.6 -> 2.7.1: loads, then loses its decrementer (a divergence with a first instruction)."""
    return Scenario(Guest.named("decr_tick"), source=("2.6", "-machine pseries-2.6 -cpu POWER8 -m 256M"), hops=[("2.7.1", None)],
                    plan=MigrationPlan(at_insns=22_381_183), budget_insns=200_000_000)


def drop_vsx_source() -> Scenario:
    """A source that stops sending cpu/vsx: the destination keeps its own VSX halves."""
    return Scenario(Guest.named("fpvec_state"), source=(Build.from_changeset("head", DROP_VSX), "-machine pseries-4.2 -cpu POWER9 -m 256M"),
                    hops=[("head", None)], plan=MigrationPlan(at_insns=17_000_000))


def seed_case_11() -> Scenario:
    """2.7 -> 2.8-compat-rfc under POWER8 KVM with power7 compat: the resumed guest takes a Program interrupt."""
    return Scenario(Guest.named("compat_idle"),
                    source=(Build.get("2.7"), MachineConfig.parse(f"-machine pseries-2.7,max-cpu-compat=power7 {KVM_P8}")),
                    hops=[(Build.get("2.8-compat-rfc"), None)], plan=MigrationPlan(at_insns=7_000_000), budget_insns=100_000_000)


SCENARIOS = {"c1-load-fail": (lambda: c1("2.7"), "load_fail"), "c1-ok": (lambda: c1("2.7.1"), "ok"),
             "seed004-divergence": (seed004, "divergence"), "drop-vsx-divergence": (drop_vsx_source, "divergence"),
             "case11-program-interrupt": (seed_case_11, "program_interrupt")}


def external(spec: dict[str, Any], where: str, engine: Path = ENGINE) -> dict[str, Any]:
    """The spec with `engine` set on the source, the destinations, or both; the name unchanged."""
    out = json.loads(json.dumps(spec))
    if where in ("both", "source"):
        out["source"]["engine"] = str(engine)
    if where in ("both", "destination"):
        for h in out["hops"]:
            h["engine"] = str(engine)
    return out


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each scenario's result in process, run once."""
    results = {}
    for name, (make, _) in SCENARIOS.items():
        spec = make().to_spec()
        results[name] = (spec, run_spec(spec, tmp_path_factory.mktemp(name)))
    return results


@pytest.mark.parametrize("where", ["both", "source", "destination"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_external_sides_give_the_in_process_result(name: str, where: str, in_process: dict[str, Any], tmp_path: Path) -> None:
    spec, local = in_process[name]
    assert local.verdict == SCENARIOS[name][1], local.explain()
    r = run_spec(external(spec, where), tmp_path)
    assert r.verdict == local.verdict, r.explain()
    # The whole result: verdict, details (first instruction, registers, pages), both runs' ends,
    # the streams' sha256, warnings — hence the digest.
    assert r.digest == local.digest, (json.dumps(r.raw, indent=1)[:3000], json.dumps(local.raw, indent=1)[:3000])
    for i, s in enumerate(r.streams):
        # The stream crossed between processes byte for byte.
        assert hashlib.sha256((tmp_path / f"stream-{i}.bin").read_bytes()).hexdigest() == s["sha256"]


def test_divergence_names_the_first_instruction_across_processes(in_process: dict[str, Any], tmp_path: Path) -> None:
    spec, local = in_process["seed004-divergence"]
    r = run_spec(external(spec, "both"), tmp_path)
    first = r.details["first"]
    assert first is not None and first["pc"] == local.details["first"]["pc"] and first["insn"] == local.details["first"]["insn"]
    assert r.details["last_insns"] == local.details["last_insns"] and len(r.details["last_insns"]) == 16
    assert r.summary.startswith("first divergent instruction on vCPU 0")


def test_a_changeset_applies_inside_the_external_engine(in_process: dict[str, Any], tmp_path: Path) -> None:
    spec, _ = in_process["drop-vsx-divergence"]
    dest = json.loads(json.dumps(spec))
    dest["source"]["changeset"] = None
    dest["hops"][0]["changeset"] = str(DROP_VSX)  # on the destination: the stream carries cpu/vsx, unknown there
    local = run_spec(dest, tmp_path / "local")
    r = run_spec(external(dest, "destination"), tmp_path / "ext")
    assert r.verdict == local.verdict == "load_fail" and r.digest == local.digest, r.explain()
    assert r.summary.startswith("build head+drop-vsx rejects the stream of head")


def test_engine_that_is_not_a_serve_is_a_spec_error(tmp_path: Path) -> None:
    spec = external(c1("2.7.1").to_spec(), "source", Path("/bin/true"))
    with pytest.raises(ValueError, match=r"/source/engine: not a usable ppcmig-engine: engine /bin/true exited before its hello"):
        run_spec(spec, tmp_path)
    spec = external(c1("2.7.1").to_spec(), "destination")
    spec["hops"][0]["build"] = "9.9"
    with pytest.raises(ValueError, match=r'/hops/0/build: engine .*unknown build "9.9" \(known: 2.6, '):
        run_spec(spec, tmp_path)


def test_unsupported_configuration_in_an_external_engine(tmp_path: Path) -> None:
    s = Scenario(Guest.named("decr_tick"), source=("2.6", "-machine pseries-2.9 -cpu POWER8"), hops=[("2.7", None)],
                 plan=MigrationPlan(1_000_000))
    local = run_spec(s.to_spec(), tmp_path / "local")
    r = run_spec(external(s.to_spec(), "source"), tmp_path / "ext")
    assert r.verdict == local.verdict == "unsupported" and r.digest == local.digest, r.explain()


@pytest.mark.parametrize("placement,where", [("destination", "hop 0"), ("source", "reference")])
def test_a_server_dying_mid_run_is_a_crash_with_its_stderr(placement: str, where: str, tmp_path: Path) -> None:
    """A wrapper that passes requests to the real server, then dies on the third `chunks` (after
    the hop: the source's server is the reference by then). The crash names the side."""
    wrapper = tmp_path / "dying-engine"
    wrapper.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import os, subprocess, sys
        child = subprocess.Popen([{str(ENGINE)!r}, *sys.argv[1:]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(3,))
        out = os.fdopen(1, "wb", buffering=0)
        out.write(child.stdout.readline())
        chunks = 0
        for line in sys.stdin.buffer:
            if b'"chunks"' in line:
                chunks += 1
                if chunks == 3:
                    child.kill()
                    sys.stderr.write("fatal: injected failure in chunks request 3\\n")
                    sys.exit(7)
            child.stdin.write(line); child.stdin.flush()
            out.write(child.stdout.readline())
        """))
    wrapper.chmod(0o755)
    r = run_spec(external(c1("2.7.1").to_spec(), placement, wrapper), tmp_path / "out")
    assert r.verdict == "crash", r.explain()
    assert r.details["where"] == where
    assert r.summary.startswith(f"engine error ({where}): ")
    assert "exited in the middle of a request, exit status 7" in r.details["what"]
    assert "fatal: injected failure in chunks request 3" in r.details["what"]


# ------------------------------------------------------------------ an engine from an earlier commit
def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(SOURCE_DIR), *args], capture_output=True, text=True, timeout=120)


def earlier_commit() -> str:
    """The last commit before serve had the observation requests: the parent of the oldest commit
    whose serve.cpp mentions "resume_in_place". Skips when there is no usable git history."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: no earlier commit to build")
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip(f"{SOURCE_DIR} is not a git checkout: no earlier commit to build")
    log = _git("log", "--format=%H", "-S", '"resume_in_place"', "--", "engine/tools/serve.cpp")
    introducing = log.stdout.split()
    if log.returncode != 0 or not introducing:
        pytest.skip("the git history does not reach the commit that added serve's observation requests (shallow clone?)")
    parent = _git("rev-parse", "--verify", f"{introducing[-1]}^")
    if parent.returncode != 0:
        pytest.skip(f"the parent of {introducing[-1][:12]} is not in the history (shallow clone?)")
    return parent.stdout.strip()


def build_engine_at(commit: str) -> Path:
    """`ppcmig-engine` of `commit`, built once into $PPCMIG_BUILD_DIR/old-engine-<commit> (git
    archive, configure, only that target, ccache when present) and reused afterwards. The first
    build takes minutes (about 3.5 on two cores with a cold compiler cache, seconds with a warm
    one); PPCMIG_OLD_ENGINE_BUILD=0 skips it when no build is cached."""
    root = BUILD_DIR / f"old-engine-{commit[:12]}"
    binary = root / "build" / "bin" / "ppcmig-engine"
    if binary.exists():
        return binary
    if os.environ.get("PPCMIG_OLD_ENGINE_BUILD") == "0":
        pytest.skip(f"no engine of {commit[:12]} (the commit before serve's observation requests) in {root}, "
                    "and PPCMIG_OLD_ENGINE_BUILD=0 says not to build it (PPCMIG_OLD_ENGINE=PATH uses a ready one)")
    for tool in ("cmake", "ninja", "c++", "tar"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed: cannot build the engine of {commit[:12]}")
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build, however many test workers ask
        if binary.exists():
            return binary
        src = root / "src"
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir()
        archive = subprocess.run(f"git -C {SOURCE_DIR} archive {commit} | tar -x -C {src}", shell=True, capture_output=True,
                                 text=True, timeout=300)
        assert archive.returncode == 0, archive.stderr
        # Outside a git checkout of its own the binary must not describe this one's revision.
        # Relative to `root`, the compiler cache hits whichever checkout or build directory ran it before.
        env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(root), "CCACHE_BASEDIR": str(root)}
        configure = ["cmake", "-S", str(src), "-B", str(root / "build"), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                     f"-DPython_EXECUTABLE={sys.executable}"]
        if shutil.which("ccache"):
            configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
        for cmd in (configure, ["cmake", "--build", str(root / "build"), "-j2", "--target", "ppcmig-engine"]):
            p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3000)
            assert p.returncode == 0, f"{' '.join(cmd)} failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
        return binary


@pytest.fixture(scope="module")
def old_engine() -> Path:
    override = os.environ.get("PPCMIG_OLD_ENGINE")
    if override:
        return Path(override).absolute()
    return build_engine_at(earlier_commit())


LIMITED = "has no view/pages/chunks/step requests: compared through `query state` at each resume and at the end only"


@pytest.mark.slow
def test_the_earlier_engine_lacks_the_observation_requests(old_engine: Path) -> None:
    p = subprocess.run([str(old_engine), "serve"], input='{"cmd": "quit"}\n', capture_output=True, text=True, timeout=60)
    hello = json.loads(p.stdout.splitlines()[0])["hello"]
    assert hello["protocol"] == 1 and "view" not in hello["commands"] and "run" in hello["commands"]


@pytest.mark.slow
@pytest.mark.parametrize("direction", ["old->current", "current->old", "old->in-process", "in-process->old"])
def test_migrations_with_an_earlier_engine(direction: str, old_engine: Path, tmp_path: Path) -> None:
    src, dst = direction.split("->")
    engines = {"old": old_engine, "current": ENGINE}
    spec = c1("2.7.1").to_spec()
    if src != "in-process":
        spec = external(spec, "source", engines[src])
    if dst != "in-process":
        spec = external(spec, "destination", engines[dst])
    r = run_spec(spec, tmp_path)
    assert r.verdict == "ok", r.explain()
    assert r.reference["result_line"] == r.migrated["result_line"] == "RESULT PASS"
    # What could not be compared is said, once per side of the earlier engine.
    limited = [w for w in r.warnings if LIMITED in w]
    assert len(limited) == 1 and str(old_engine) in limited[0]
    assert "no RAM comparison" in r.details["note"]
    assert (r.reference["state_digest"] is None) == (src == "old")


@pytest.mark.slow
def test_the_earlier_engine_rejects_as_qemu_does(old_engine: Path, tmp_path: Path) -> None:
    local = run_spec(c1("2.7").to_spec(), tmp_path / "local")
    for where in ("source", "destination"):
        r = run_spec(external(c1("2.7").to_spec(), where, old_engine), tmp_path / where)
        assert r.verdict == "load_fail", r.explain()
        assert r.details["chain"] == local.details["chain"] and r.details["field"] == local.details["field"]


@pytest.mark.slow
def test_the_earlier_engines_stream_is_its_own(old_engine: Path, tmp_path: Path) -> None:
    """The stream comes from the sending binary: the same into either destination."""
    spec = external(c1("2.7.1").to_spec(), "source", old_engine)
    into_old = run_spec(external(spec, "destination", old_engine), tmp_path / "old")
    into_current = run_spec(external(spec, "destination", ENGINE), tmp_path / "current")
    assert into_old.streams[0]["sha256"] == into_current.streams[0]["sha256"]
    assert (tmp_path / "old" / "stream-0.bin").read_bytes() == (tmp_path / "current" / "stream-0.bin").read_bytes()


@pytest.mark.slow
def test_a_divergence_with_the_earlier_engine_has_no_first_instruction(old_engine: Path, tmp_path: Path) -> None:
    r = run_spec(external(seed004().to_spec(), "destination", old_engine), tmp_path)
    assert r.verdict == "divergence", r.explain()
    assert r.details["first"] is None and "no first divergent instruction" in r.details["note"]
    # Still named: the registers the lost decrementer left different at the end, and the console.
    assert r.details["end"]["registers"] and r.details["console"] is not None


@pytest.mark.slow
def test_a_pause_needs_what_the_earlier_engine_lacks(old_engine: Path, tmp_path: Path) -> None:
    spec = external(c1("2.7.1").to_spec(), "source", old_engine)
    spec["hops"][0]["pause_ticks"] = 1000
    r = run_spec(spec, tmp_path)
    assert r.verdict == "unsupported", r.explain()
    assert "has no `pause` request" in r.details["message"]
