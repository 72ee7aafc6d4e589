"""`ppcmig-engine serve` (engine/tools/SERVE_PROTOCOL.md): two engine processes driven over the
JSON-lines protocol migrate a guest to each other through a pipe passed at spawn (pass_fds), and
the migrated guest ends exactly like a reference run that never migrated; a stream the destination
rejects comes back as a structured load error with QEMU's message chain while the source keeps
running; bad requests get precise errors and the server keeps serving."""
from __future__ import annotations

import hashlib
import json
import os
import select
import subprocess
from pathlib import Path
from typing import Any

import pytest

ENGINE = os.environ.get("PPCMIG_ENGINE", "build/bin/ppcmig-engine")
GUESTS_DIR = Path(os.environ.get("PPCMIG_BUILD_DIR", "build")) / "guests"
BUDGET = 2_000_000_000  # virtual time; every guest powers off long before
TIMEOUT = 120.0

# Head to head on a recent machine, and the C7 configuration (pseries-2.9, possible vCPUs beyond
# the present ones) between 2.9 and 2.10, which loads because 2.10 registers dummy ICPs.
HEAD_ARGS = ["-machine", "pseries-4.2", "-cpu", "POWER9", "-smp", "2", "-m", "256M", "-accel", "tcg"]
C7_ARGS = ["-machine", "pseries-2.9", "-accel", "kvm-hv", "-cpu", "host", "-host-cpu", "POWER8",
           "-smp", "2,maxcpus=4", "-m", "256M"]


def guest(name: str) -> Path:
    p = GUESTS_DIR / f"{name}.elf"
    if not p.exists():
        pytest.fail(f"{p} was not built (the guests target is part of the build)")
    return p


def reference(tmp: Path, elf: Path, args: list[str], build: str, *extra: str, tag: str = "ref") -> tuple[str, dict]:
    """Console and final state of `ppcmig-engine run` (no migration unless `extra` asks)."""
    state = tmp / f"{tag}.json"
    cmd = [ENGINE, "run", "--guest", str(elf), "--insns", str(BUDGET), "--build", build, "--state-json", str(state)]
    for i in range(0, len(args), 2):
        flag = {"-machine": "--machine", "-cpu": "--cpu", "-smp": "--smp", "-m": "-m", "-accel": "--accel",
                "-host-cpu": "--host-cpu"}[args[i]]
        cmd += [flag, args[i + 1]]
    p = subprocess.run([*cmd, *extra], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout, json.loads(state.read_text())


def comparable(st: dict) -> dict:
    return {k: v for k, v in st.items() if k not in ("console", "resets")}


class Server:
    """One `ppcmig-engine serve` process; replies are read with a timeout so a protocol bug
    fails the test instead of hanging it."""

    def __init__(self, tmp: Path, name: str, pass_fds: tuple[int, ...] = ()) -> None:
        self.stderr_path = tmp / f"{name}.stderr"
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([ENGINE, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, pass_fds=pass_fds, bufsize=0)
        self.buf = b""
        self.next_id = 0
        self.hello = self.recv()

    def send_line(self, line: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line)
        self.proc.stdin.flush()

    def send(self, cmd: str, **keys: Any) -> int:
        self.next_id += 1
        self.send_line(json.dumps({"cmd": cmd, "id": self.next_id, **keys}).encode() + b"\n")
        return self.next_id

    def recv(self) -> dict:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            ready, _, _ = select.select([fd], [], [], TIMEOUT)
            assert ready, f"no reply within {TIMEOUT} s; stderr: {self.stderr()}"
            chunk = os.read(fd, 65536)
            assert chunk, f"server closed its output; stderr: {self.stderr()}"
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def reply(self, sent_id: int) -> dict:
        r = self.recv()
        assert r["id"] == sent_id, r
        return r

    def call(self, cmd: str, **keys: Any) -> dict:
        return self.reply(self.send(cmd, **keys))

    def ok(self, cmd: str, **keys: Any) -> dict:
        r = self.call(cmd, **keys)
        assert r["ok"] is True, r
        return r

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def close(self) -> int:
        """End of input: the server must exit 0 by itself."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=TIMEOUT)
        assert self.proc.stdout is not None
        assert self.proc.stdout.read() == b"", "output after end of input"
        return rc


@pytest.fixture
def servers(tmp_path: Path):
    started: list[Server] = []

    def start(name: str, pass_fds: tuple[int, ...] = ()) -> Server:
        s = Server(tmp_path, name, pass_fds)
        started.append(s)
        return s

    yield start
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


def pipe_between(start, src_name: str = "src", dst_name: str = "dst") -> tuple[Server, Server, int, int]:
    """Source and destination servers joined by a pipe: the source holds the write end, the
    destination the read end, the test neither (so end of file reaches the reader)."""
    r, w = os.pipe()
    src = start(src_name, (w,))
    dst = start(dst_name, (r,))
    os.close(r)
    os.close(w)
    return src, dst, r, w


def test_hello_announces_protocol_engine_and_builds(servers) -> None:
    s = servers("s")
    hello = s.hello["hello"]
    assert hello["protocol"] == 1
    assert isinstance(hello["engine"], str) and hello["engine"]
    repo = Path(__file__).resolve().parents[2]
    if (repo / ".git").exists() and Path(ENGINE).resolve().is_relative_to(repo):
        # Built from this checkout: the hello names one of its revisions (git describe at build
        # time; the checkout may have moved on since).
        rev = hello["engine"].removesuffix("-dirty").split("-g")[-1]
        known = subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{rev}^{{commit}}"], capture_output=True)
        assert known.returncode == 0, hello["engine"]
    listed = subprocess.run([ENGINE, "builds"], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in listed.splitlines() if not line.startswith(" ")]
    assert hello["builds"] == names
    assert hello["commands"] == ["configure", "run", "migrate_out", "incoming", "inherit_counters", "query", "quit",
                                 "pause", "resume_in_place", "view", "pages", "chunks", "step"]
    assert s.close() == 0


@pytest.mark.parametrize("src_build,dst_build,name,args,framing", [
    ("head", "head", "mem_dirty", HEAD_ARGS, "eof"),
    ("head", "head", "decr_tick", HEAD_ARGS, "length"),
    ("2.9", "2.10", "smp_ipi", C7_ARGS, "eof"),
])
def test_pipe_migration_ends_like_the_reference_run(tmp_path: Path, servers, src_build: str, dst_build: str,
                                                    name: str, args: list[str], framing: str) -> None:
    elf = guest(name)
    ref_console, ref_state = reference(tmp_path, elf, args, src_build)
    assert "RESULT PASS" in ref_console
    at = ref_state["time_base"] // 3
    src, dst, r, w = pipe_between(servers)
    c = src.ok("configure", build=src_build, args=args, guest=str(elf))
    assert c["build"] == src_build and c["now"] == 0 and c["vcpus"] == 2
    d = dst.ok("configure", build=dst_build, args=args, guest=str(elf))
    assert d["machine"] == c["machine"]
    q = c["quantum"]
    ran = src.ok("run", insns=at // q * q)
    assert ran["stop"] == "budget" and ran["now"] == at // q * q and ran["executed"] > 0
    # Both requests go out before either reply is read: the source blocks on the pipe until the
    # destination reads.
    sid = src.send("migrate_out", fd=w, framing=framing, at=at)
    did = dst.send("incoming", fd=r, framing=framing)
    out, inc = src.reply(sid), dst.reply(did)
    assert out["ok"] and inc["ok"], (out, inc, src.stderr(), dst.stderr())
    assert out["bytes"] == inc["bytes"] > 0 and out["sha256"] == inc["sha256"]
    assert out["now"] == inc["now"] == (at + q - 1) // q * q
    # The stream carries no counters: until the source's are inherited, the destination
    # counts from the migration point.
    assert out["counters"]["cpus"][0]["icount"] > 0
    assert dst.ok("query", what="counters")["counters"] != out["counters"]
    assert dst.ok("inherit_counters", counters=out["counters"])["counters"] == out["counters"]
    assert dst.ok("query", what="status")["status"] == "ready"
    end = dst.ok("run", until=BUDGET)
    assert end["stop"] == "poweroff", end
    src_console = src.ok("query", what="console")["console"][:out["console_length"]]
    dst_console = dst.ok("query", what="console")["console"]
    assert src_console + dst_console == ref_console
    assert "RESULT PASS" in dst_console
    assert comparable(dst.ok("query", what="state")["state"]) == comparable(ref_state)
    # The source stays intact and runnable: it finishes the guest on its own, like the reference.
    src.ok("run", until=BUDGET)
    assert src.ok("query", what="console")["console"] == ref_console
    assert comparable(src.ok("query", what="state")["state"]) == comparable(ref_state)
    assert src.close() == 0 and dst.close() == 0


def test_inherit_counters_only_right_after_a_load(tmp_path: Path, servers) -> None:
    """The stream carries no instruction or interrupt counts (QEMU has none): inherited once,
    right after the load, they make the destination report the whole run, as `run --migrate-at`
    does; without them it counts from the migration point."""
    elf = guest("decr_tick")
    _, ref_state = reference(tmp_path, elf, HEAD_ARGS, "head")
    src, dst = servers("src"), servers("dst")
    src.ok("configure", args=HEAD_ARGS, guest=str(elf))
    dst.ok("configure", args=HEAD_ARGS, guest=str(elf))
    stream = str(tmp_path / "s.bin")
    out = src.ok("migrate_out", path=stream, at=ref_state["time_base"] // 2)
    counters = out["counters"]
    e = dst.call("inherit_counters", counters=counters)["error"]
    assert e["kind"] == "bad_state" and "right after a successful incoming" in e["message"], e
    dst.ok("incoming", path=stream)
    for bad, why in (({"cpus": counters["cpus"][:1]}, "1 vCPUs given, the configured machine has 2"),
                     ({"cpus": [{"icount": 1, "interrupts": {"0x901": 1}}] * 2}, '"0x901" is not an interrupt vector'),
                     ({"cpus": [{"icount": -1}] * 2}, "cpus[0].icount must be a non-negative integer"),
                     ({"cpu": []}, 'unknown key "cpu"')):
        e = dst.call("inherit_counters", counters=bad)["error"]
        assert e["kind"] == "bad_request" and why in e["message"], e
    dst.ok("inherit_counters", counters=counters)
    e = dst.call("inherit_counters", counters=counters)["error"]  # never twice
    assert e["kind"] == "bad_state", e
    dst.ok("run", until=BUDGET)
    assert comparable(dst.ok("query", what="state")["state"]) == comparable(ref_state)
    # Without them: the same end state except the counts.
    dst.ok("configure", args=HEAD_ARGS, guest=str(elf))
    dst.ok("incoming", path=stream)
    dst.ok("run", until=BUDGET)
    e = dst.call("inherit_counters", counters=counters)["error"]  # not after running
    assert e["kind"] == "bad_state", e
    st = dst.ok("query", what="state")["state"]
    assert st["cpus"][0]["icount"] == ref_state["cpus"][0]["icount"] - counters["cpus"][0]["icount"]
    assert {k: v for k, v in comparable(st).items() if k != "cpus"} == \
        {k: v for k, v in comparable(ref_state).items() if k != "cpus"}


def test_path_stream_is_the_run_commands_stream(tmp_path: Path, servers) -> None:
    """migrate_out to a path writes byte for byte what `run --migrate-at --save-stream` saves, and
    `run --incoming` of a serve stream and incoming of a run stream both work."""
    elf = guest("mem_dirty")
    _, ref_state = reference(tmp_path, elf, HEAD_ARGS, "head")
    at = ref_state["time_base"] // 4
    run_stream = tmp_path / "run.bin"
    reference(tmp_path, elf, HEAD_ARGS, "head", "--migrate-at", str(at), "--save-stream", str(run_stream), tag="mig")
    s = servers("s")
    s.ok("configure", args=HEAD_ARGS, guest=str(elf))
    serve_stream = tmp_path / "serve.bin"
    out = s.ok("migrate_out", path=str(serve_stream), at=at)
    data = serve_stream.read_bytes()
    assert data == run_stream.read_bytes()
    assert out["bytes"] == len(data) and out["sha256"] == hashlib.sha256(data).hexdigest()
    assert not (tmp_path / "serve.bin.tmp").exists()
    s.ok("configure", args=HEAD_ARGS, guest=str(elf))
    inc = s.ok("incoming", path=str(run_stream))
    assert inc["now"] == out["now"] and inc["sha256"] == out["sha256"]


def test_precopy_over_a_pipe_loses_nothing(tmp_path: Path, servers) -> None:
    elf = guest("mem_dirty")
    ref_console, ref_state = reference(tmp_path, elf, HEAD_ARGS, "head")
    end = ref_state["time_base"]
    src, dst, r, w = pipe_between(servers)
    src.ok("configure", args=HEAD_ARGS, guest=str(elf))
    dst.ok("configure", args=HEAD_ARGS, guest=str(elf))
    bandwidth = 256 * 2**20 * 512_000 // max(1, end // 5)
    sid = src.send("migrate_out", fd=w, at=end // 10,
                   precopy={"bandwidth": bandwidth, "downtime_ns": 0, "max_iterations": 4})
    did = dst.send("incoming", fd=r)
    out, inc = src.reply(sid), dst.reply(did)
    assert out["ok"] and inc["ok"], (out, inc)
    pre = out["precopy"]
    assert pre["iterations"] >= 2 and pre["pages_sent"] > 0 and len(pre["dirty_per_iteration"]) >= 1
    assert out["now"] == inc["now"] == pre["stop_time"] > end // 10  # the guest ran during pre-copy
    dst.ok("inherit_counters", counters=out["counters"])
    dst.ok("run", until=BUDGET)
    src_console = src.ok("query", what="console")["console"][:out["console_length"]]
    assert src_console + dst.ok("query", what="console")["console"] == ref_console
    assert comparable(dst.ok("query", what="state")["state"]) == comparable(ref_state)


def test_rejected_stream_gives_the_load_error_and_the_source_still_runs(tmp_path: Path, servers) -> None:
    """C7 over a pipe: a 2.9 stream of pseries-2.9 with maxcpus=4 has ICPs for servers 2 and 3,
    which 2.10 without dummies does not know."""
    elf = guest("smp_ipi")
    ref_console, ref_state = reference(tmp_path, elf, C7_ARGS, "2.9")
    src, dst, r, w = pipe_between(servers)
    src.ok("configure", build="2.9", args=C7_ARGS, guest=str(elf))
    dst.ok("configure", build="2.10-icps-unfixed", args=C7_ARGS, guest=str(elf))
    sid = src.send("migrate_out", fd=w, at=ref_state["time_base"] // 3)
    did = dst.send("incoming", fd=r)
    out, inc = src.reply(sid), dst.reply(did)
    assert out["ok"], out
    assert inc["ok"] is False
    err = inc["error"]
    assert err["kind"] == "load"
    assert err["chain"] == [
        "Unknown savevm section or instance 'icp/server' 2. Make sure that your current VM setup matches your "
        "saved VM setup, including any hotplugged devices",
        "load of migration failed: Invalid argument",
    ]
    assert err["message"] == "\n".join(err["chain"])
    assert err["section"] == "icp/server" and err["instance"] == 2
    assert err["errno"] == 22 and err["errno_name"] == "EINVAL"
    assert 0 < err["offset"] < err["bytes"] == out["bytes"] and err["sha256"] == out["sha256"]
    # The destination is unusable until configured again, and says why.
    status = dst.ok("query", what="status")
    assert status["status"] == "failed" and status["cause"]["kind"] == "load"
    for cmd, keys in (("run", {"insns": 1000}), ("query", {"what": "console"}), ("incoming", {"path": "/dev/null"})):
        e = dst.call(cmd, **keys)["error"]
        assert e["kind"] == "bad_state" and "failed incoming migration" in e["message"], e
    assert dst.ok("configure", build="2.10", args=C7_ARGS, guest=str(elf))["build"] == "2.10"
    assert dst.ok("query", what="status")["status"] == "fresh"
    # The source continues as if it had never migrated.
    src.ok("run", until=BUDGET)
    assert src.ok("query", what="console")["console"] == ref_console
    assert src.close() == 0 and dst.close() == 0


def test_length_framing_round_trip_on_persistent_pipes(tmp_path: Path, servers) -> None:
    """A -> B -> A over two pipes that stay open: the guest hops twice and still ends like the
    reference run."""
    elf = guest("idle_cede")
    ref_console, ref_state = reference(tmp_path, elf, HEAD_ARGS, "head")
    end = ref_state["time_base"]
    ab_r, ab_w = os.pipe()
    ba_r, ba_w = os.pipe()
    a = servers("a", (ab_w, ba_r))
    b = servers("b", (ab_r, ba_w))
    for fd in (ab_r, ab_w, ba_r, ba_w):
        os.close(fd)
    a.ok("configure", args=HEAD_ARGS, guest=str(elf))
    b.ok("configure", args=HEAD_ARGS, guest=str(elf))
    consoles = []
    sid, did = a.send("migrate_out", fd=ab_w, framing="length", at=end // 3), b.send("incoming", fd=ab_r, framing="length")
    out, inc = a.reply(sid), b.reply(did)
    assert out["ok"] and inc["ok"], (out, inc)
    b.ok("inherit_counters", counters=out["counters"])
    consoles.append(a.ok("query", what="console")["console"][:out["console_length"]])
    a.ok("configure", args=HEAD_ARGS, guest=str(elf))
    sid, did = b.send("migrate_out", fd=ba_w, framing="length", at=2 * end // 3), a.send("incoming", fd=ba_r, framing="length")
    out, inc = b.reply(sid), a.reply(did)
    assert out["ok"] and inc["ok"], (out, inc)
    a.ok("inherit_counters", counters=out["counters"])
    consoles.append(b.ok("query", what="console")["console"][:out["console_length"]])
    assert a.ok("run", until=BUDGET)["stop"] == "poweroff"
    consoles.append(a.ok("query", what="console")["console"])
    assert "".join(consoles) == ref_console
    assert comparable(a.ok("query", what="state")["state"]) == comparable(ref_state)


def test_dead_reader_is_epipe_and_the_server_keeps_serving(tmp_path: Path, servers) -> None:
    r, w = os.pipe()
    s = servers("s", (w,))
    os.close(w)
    os.close(r)  # nobody will ever read
    s.ok("configure", args=HEAD_ARGS, guest=str(guest("decr_tick")))
    e = s.call("migrate_out", fd=w)["error"]
    assert e["kind"] == "io" and e["errno_name"] == "EPIPE" and e["errno"] == 32, e
    assert e["fd"] == w and e["transferred"] == 0 and e["bytes"] > 0
    # The machine is intact; the descriptor was closed.
    assert s.ok("run", insns=1000)["stop"] == "budget"
    assert s.call("migrate_out", fd=w)["error"]["errno_name"] == "EBADF"
    assert s.close() == 0


def test_incoming_io_errors_leave_the_destination_fresh(tmp_path: Path, servers) -> None:
    r, w = os.pipe()
    s = servers("s", (r, w))
    s.ok("configure", args=HEAD_ARGS, guest=str(guest("decr_tick")))
    os.close(w)
    e = s.call("incoming", fd=w)["error"]  # the write end: wrong direction
    assert e["kind"] == "io" and e["errno_name"] == "EACCES" and "write-only" in e["message"], e
    e = s.call("incoming", fd=99)["error"]
    assert e["kind"] == "io" and e["errno_name"] == "EBADF" and "pass_fds" in e["message"], e
    e = s.call("incoming", path=str(tmp_path / "missing.bin"))["error"]
    assert e["kind"] == "io" and e["errno_name"] == "ENOENT" and e["path"].endswith("missing.bin"), e
    s.send_line(b"\n  \r\n")  # blank lines are ignored, not answered
    assert s.ok("query", what="status")["status"] == "fresh"
    assert s.close() == 0


def test_length_framing_without_a_frame_is_an_io_error(tmp_path: Path, servers) -> None:
    r, w = os.pipe()
    dst = servers("dst", (r,))
    os.close(r)
    os.write(w, b"\x00\x00\x00\x00\x00\x00\x10\x00QEVM")  # announces 4096 bytes, sends 4
    os.close(w)
    dst.ok("configure", args=HEAD_ARGS, guest=str(guest("decr_tick")))
    e = dst.call("incoming", fd=r, framing="length")["error"]
    assert e["kind"] == "io" and e["errno"] == 0 and "after 4 of the 4096 bytes" in e["message"], e
    assert dst.ok("query", what="status")["status"] == "fresh"


def test_truncated_stream_is_a_load_error(tmp_path: Path, servers) -> None:
    s = servers("s")
    elf = str(guest("decr_tick"))
    s.ok("configure", args=HEAD_ARGS, guest=elf)
    full = tmp_path / "full.bin"
    s.ok("migrate_out", path=str(full), at=1_000_000)
    cut = tmp_path / "cut.bin"
    cut.write_bytes(full.read_bytes()[:5000])
    s.ok("configure", args=HEAD_ARGS, guest=elf)
    e = s.call("incoming", path=str(cut))["error"]
    assert e["kind"] == "load" and e["chain"][-1].startswith("load of migration failed"), e
    assert e["bytes"] == 5000


@pytest.mark.parametrize("line,kind,message", [
    (b"{nope", "parse", "malformed JSON"),
    (b"[1, 2]", "parse", "must be a JSON object, got array"),
    (b'{"id": 7}', "bad_request", 'missing "cmd"'),
    (b'{"cmd": 3}', "bad_request", '"cmd" must be a string, got a non-negative integer 3'),
    (b'{"cmd": "fly"}', "unknown_command", 'unknown command "fly"'),
    (b'{"cmd": "run", "insns": 5}', "bad_state", "run: no machine; send configure first"),
    (b'{"cmd": "run"}', "bad_request", 'run: missing "insns"'),
    (b'{"cmd": "run", "insns": 1.5}', "bad_request", '"insns" must be a non-negative integer, got a floating-point'),
    (b'{"cmd": "run", "insns": 5, "until": 9}', "bad_request", "not both"),
    (b'{"cmd": "run", "insn": 5}', "bad_request", 'run: unknown key "insn" (accepted: insns, until)'),
    (b'{"cmd": "configure", "args": []}', "bad_request", 'configure: missing "guest"'),
    (b'{"cmd": "configure", "args": ["-m", 256], "guest": "x"}', "bad_request", '"args"[1] must be a string'),
    (b'{"cmd": "configure", "build": "1.0", "guest": "x"}', "unknown_build", 'unknown build "1.0"'),
    (b'{"cmd": "configure", "guest": "/nonexistent.elf"}', "guest", "/nonexistent.elf: cannot open file"),
    (b'{"cmd": "configure", "args": ["-machine", "pseries-99.0"], "guest": "x"}', "config", "unsupported machine type"),
    (b'{"cmd": "migrate_out"}', "bad_request", 'give exactly one of "fd"'),
    (b'{"cmd": "migrate_out", "fd": 1}', "bad_request", "fd 1 is a standard stream"),
    (b'{"cmd": "migrate_out", "path": "x", "framing": "eof"}', "bad_request", '"framing" applies to "fd" only'),
    (b'{"cmd": "migrate_out", "fd": 5, "framing": "chunked"}', "bad_request", '"framing" must be "eof" or "length"'),
    (b'{"cmd": "migrate_out", "path": "x", "precopy": {"bandwith": 1}}', "bad_request",
     'precopy: unknown key "bandwith"'),
    (b'{"cmd": "incoming", "path": "x"}', "bad_state", "incoming: no machine"),
    (b'{"cmd": "query"}', "bad_request", 'query: missing "what"'),
    (b'{"cmd": "query", "what": "registers"}', "bad_request", '"what" must be one of status'),
    (b'{"cmd": "query", "what": "state", "from": 3}', "bad_request", '"from" applies to "what": "console" only'),
    (b'{"cmd": "quit", "now": true}', "bad_request", 'quit: unknown key "now" (accepted: none)'),
])
def test_bad_requests_get_precise_errors_and_the_server_keeps_serving(servers, line: bytes, kind: str,
                                                                      message: str) -> None:
    s = servers("s")
    s.send_line(line + b"\n")
    r = s.recv()
    assert r["ok"] is False and r["error"]["kind"] == kind, r
    assert message in r["error"]["message"], r
    assert r["id"] == (7 if b'"id": 7' in line else None)
    assert s.ok("query", what="status")["status"] == "unconfigured"
    assert s.close() == 0


def test_configure_error_carries_qemus_message_and_hint(servers) -> None:
    s = servers("s")
    e = s.call("configure", build="2.12", args=["-machine", "pseries-2.9", "-cpu", "POWER8", "-accel", "tcg"],
               guest=str(guest("decr_tick")))["error"]
    assert e["kind"] == "config" and e["stage"] == "start"
    assert e["message"] == "-machine pseries-2.9: No Transactional Memory support in TCG"
    assert e["hint"] == "Try appending -machine cap-htm=off"
    e = s.call("configure", build="2.8", args=["-machine", "pseries-2.10"], guest=str(guest("decr_tick")))["error"]
    assert e["kind"] == "config" and e["stage"] == "parse" and "pseries-2.10" in e["message"]


def test_failed_configure_keeps_the_previous_machine(servers) -> None:
    s = servers("s")
    s.ok("configure", args=HEAD_ARGS, guest=str(guest("decr_tick")))
    s.ok("run", insns=5000)
    assert s.call("configure", build="nope", guest="x")["error"]["kind"] == "unknown_build"
    st = s.ok("query", what="status")
    assert st["status"] == "ready" and st["now"] == 5000


def test_run_and_query_report_time_and_the_console(servers) -> None:
    s = servers("s")
    s.ok("configure", args=HEAD_ARGS, guest=str(guest("smp_ipi")))
    r = s.ok("run", insns=10_000)
    assert r == {"id": r["id"], "ok": True, "stop": "budget", "now": 10_000, "ticks": 10_000,
                 "executed": r["executed"]}
    e = s.call("run", until=5)["error"]
    assert e["kind"] == "bad_request" and e["now"] == 10_000
    e = s.call("migrate_out", path="/nonexistent-dir/s.bin", at=5)["error"]
    assert e["kind"] == "bad_request" and "before the machine's time 10000" in e["message"]
    r = s.ok("run", until=BUDGET)
    assert r["stop"] == "poweroff" and r["now"] < BUDGET
    whole = s.ok("query", what="console")
    tail = s.ok("query", what="console", **{"from": 10})
    assert tail["console"] == whole["console"][10:] and tail["length"] == whole["length"]
    assert s.call("query", what="console", **{"from": whole["length"] + 1})["error"]["kind"] == "bad_request"
    assert s.ok("query", what="errors")["errors"] == []
    st = s.ok("query", what="state")["state"]
    assert st["powered_off"] is True and st["time_base"] == r["now"]
    counters = s.ok("query", what="counters")
    assert [c["icount"] for c in counters["counters"]["cpus"]] == [c["icount"] for c in st["cpus"]]
    assert s.ok("run", insns=1000)["stop"] == "poweroff"


def test_quit_and_end_of_input_exit_zero(tmp_path: Path, servers) -> None:
    s = servers("s")
    s.send_line(b'{"cmd": "quit", "id": "bye"}\n{"cmd": "query", "what": "status"}\n')
    assert s.recv() == {"id": "bye", "ok": True}
    assert s.proc.wait(timeout=TIMEOUT) == 0
    assert s.proc.stdout is not None and s.proc.stdout.read() == b""  # nothing after quit
    # A last request without its newline is still answered before the server exits at EOF.
    p = subprocess.run([ENGINE, "serve"], input=b'{"cmd":"query","what":"status","id":1}', capture_output=True,
                       timeout=TIMEOUT)
    lines = p.stdout.decode().splitlines()
    assert p.returncode == 0 and len(lines) == 2 and json.loads(lines[1])["status"] == "unconfigured"
    assert p.stderr == b""


def test_stream_hash_is_sha256_at_every_padding_boundary(tmp_path: Path, servers) -> None:
    """The reported hash is SHA-256 (hashlib agrees), including the lengths where the padding
    needs a second block; streams of garbage are rejected by the loader with their hash."""
    s = servers("s")
    elf = str(guest("decr_tick"))
    for n in (0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000):
        data = bytes((i * 37 + n) & 0xFF for i in range(n))
        f = tmp_path / f"g{n}.bin"
        f.write_bytes(data)
        s.ok("configure", args=HEAD_ARGS, guest=elf)
        e = s.call("incoming", path=str(f))["error"]
        assert e["kind"] == "load" and e["bytes"] == n, e
        assert e["sha256"] == hashlib.sha256(data).hexdigest(), n


def test_fifo_path_carries_a_migration_without_descriptor_passing(tmp_path: Path, servers) -> None:
    """A FIFO created after both servers started: migrate_out streams into it, incoming reads it."""
    elf = guest("smp_ipi")
    ref_console, ref_state = reference(tmp_path, elf, HEAD_ARGS, "head")
    src, dst = servers("src"), servers("dst")
    src.ok("configure", args=HEAD_ARGS, guest=str(elf))
    dst.ok("configure", args=HEAD_ARGS, guest=str(elf))
    fifo = tmp_path / "mig.fifo"
    os.mkfifo(fifo)
    sid = src.send("migrate_out", path=str(fifo), at=ref_state["time_base"] // 2)
    did = dst.send("incoming", path=str(fifo))
    out, inc = src.reply(sid), dst.reply(did)
    assert out["ok"] and inc["ok"], (out, inc)
    assert out["sha256"] == inc["sha256"] and out["path"] == inc["path"] == str(fifo)
    assert fifo.is_fifo()  # streamed into, not replaced by a file
    dst.ok("run", until=BUDGET)
    src_console = src.ok("query", what="console")["console"][:out["console_length"]]
    assert src_console + dst.ok("query", what="console")["console"] == ref_console
    e = src.call("migrate_out", path=str(tmp_path / "no-such-dir" / "s.bin"))["error"]
    assert e["kind"] == "io" and e["errno_name"] == "ENOENT" and "no-such-dir/s.bin.tmp" in e["message"], e


# ------------------------------------------------------------------ observation (4.1)
M64 = (1 << 64) - 1


def splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def fnv1a64(s: str) -> int:
    h = 0xCBF29CE484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001B3) & M64
    return h


def page_hash(data: bytes) -> str:
    """SERVE_PROTOCOL.md 4.1, `pages`: the page hash, computed independently."""
    a, b = 0x6A09E667F3BCC908, 0xBB67AE8584CAA73B
    for i in range(0, 4096, 8):
        w = int.from_bytes(data[i:i + 8], "little")
        a = splitmix64(a ^ w)
        b = splitmix64(b ^ (((w << 29) | (w >> 35)) & M64))
    return f"{a:016x}{b:016x}"


def view_digest(view: dict, exclude: set[tuple[int, str]] = frozenset()) -> str:
    """SERVE_PROTOCOL.md 4.1, `chunks`: the digest over a `view` reply, computed independently."""
    total = 0
    for i, values in enumerate(view["vcpus"]):
        for name, v in zip(view["names"], values):
            if (i, name) not in exclude:
                total += splitmix64(fnv1a64(name) ^ (((i + 1) * 0x9E3779B97F4A7C15) & M64) ^ splitmix64(v))
    for name, v in view["machine"]:
        if (-1, name) not in exclude:
            total += splitmix64(fnv1a64(name) ^ splitmix64(v))
    return f"{total & M64:016x}"


def test_view_and_chunk_digests_follow_the_documented_formula(servers) -> None:
    s = servers("s")
    s.ok("configure", args=HEAD_ARGS, guest=str(guest("smp_ipi")))
    v = s.ok("view")
    assert v["family"] == "POWER9" and len(v["vcpus"]) == 2 and all(len(x) == len(v["names"]) for x in v["vcpus"])
    assert v["names"][:3] == ["r0", "r1", "r2"] and "SRR0" in v["names"] and "interrupts[0x700]" in v["names"]
    assert [m[0] for m in v["machine"]] == ["active_interrupt_controller", "powered_off", "ov5_cas", "ics", "xive", "devices"]
    assert len(v["state_digest"]) == 16 and v["now"] == 0 and v["powered_off"] is False
    # The names of another family's layout (a runner reports every machine in the reference's).
    p8 = s.ok("view", family="POWER8")
    assert p8["family"] == "POWER8" and len(p8["names"]) == len(v["names"])
    assert s.call("view", family="POWER11")["error"]["key"] == "family"
    c = s.ok("chunks", ticks=[1000, 1000, 1000], exclude=[[0, "nip"], [None, "xive"], [5, "no-such-field"]])
    assert [x["now"] for x in c["chunks"]] == [1000, 2000, 3000] and c["now"] == 3000
    last = c["chunks"][-1]
    after = s.ok("view")
    nip = after["names"].index("nip")
    assert last["excluded"] == [after["vcpus"][0][nip], dict(after["machine"])["xive"], None]
    assert last["digest"] == view_digest(after, {(0, "nip"), (-1, "xive")})
    assert view_digest(after) != last["digest"]
    assert s.ok("chunks", ticks=[0])["chunks"][0]["digest"] == view_digest(after)


def test_chunks_report_dirty_pages_console_and_stop_at_power_off(servers) -> None:
    s = servers("s")
    s.ok("configure", args=HEAD_ARGS, guest=str(guest("smp_ipi")))
    c = s.ok("chunks", ticks=[1000] * 4000)["chunks"]
    # smp_ipi powers off long before 4,000,000 ticks: the power-off chunk is the last.
    assert c[-1]["stop"] == "poweroff" and all(x["stop"] == "budget" for x in c[:-1]) and len(c) < 4000
    whole = s.ok("query", what="console")["console"]
    assert "".join(x["console"] for x in c) == whole and "RESULT PASS" in whole
    written = {p for x in c for p, _ in x["dirty"]}
    contents = s.ok("pages", which="list", pages=sorted(written), contents=True)["pages"]
    for page, digest, data in contents:
        assert page_hash(bytes.fromhex(data)) == digest
    # A chunk's hashes are the page as that chunk left it: the last writer's matches the end.
    last = {}
    for x in c:
        last.update(dict(x["dirty"]))
    assert {p: d for p, d, _ in contents} == last
    quiet = s.ok("chunks", ticks=[1000], observe=False)["chunks"]
    assert quiet == [{"stop": "poweroff", "now": c[-1]["now"]}]
    assert s.call("chunks", ticks=[])["error"]["key"] == "ticks"
    assert s.call("chunks", ticks=[1, -1])["error"]["key"] == "ticks"
    assert s.call("chunks", ticks=[1], exclude=[["0", "r1"]])["error"]["key"] == "exclude"


def test_pages_touched_dirty_and_list(servers) -> None:
    s = servers("s")
    s.ok("configure", args=HEAD_ARGS, guest=str(guest("mem_dirty")))
    touched = s.ok("pages", which="touched")
    assert touched["page_count"] == 65536 and touched["pages"]  # 256M, and the loaded image
    s.ok("run", insns=200_000)
    dirty = s.ok("pages", which="dirty")["pages"]
    assert dirty and s.ok("pages", which="dirty")["pages"] == []  # collected: no longer dirty
    s.ok("run", insns=200_000)
    assert s.ok("pages", which="touched", clear_dirty=True)["pages"]
    assert s.ok("pages", which="dirty")["pages"] == []
    zero = s.ok("pages", which="list", pages=[65535], contents=True)["pages"]
    assert zero == [[65535, page_hash(bytes(4096)), "00" * 4096]]
    some = s.ok("pages", which="list", pages=[touched["pages"][0][0]], contents=True)["pages"][0]
    assert page_hash(bytes.fromhex(some[2])) == some[1] != zero[0][1]
    e = s.call("pages", which="list", pages=[65536])["error"]
    assert e["kind"] == "bad_request" and e["page_count"] == 65536
    assert s.call("pages", which="list")["error"]["key"] == "pages"
    assert s.call("pages", which="touched", pages=[1])["error"]["key"] == "pages"
    assert s.call("pages")["error"]["key"] == "which"


def apply_trace(trace: dict) -> tuple[list[list[int]], list[int], dict[int, bytearray]]:
    """The views and written pages after a `step` trace, rebuilt from its changes."""
    vcpus = [list(v) for v in trace["start"]["vcpus"]]
    machine = list(trace["start"]["machine"])
    pages = {p: bytearray.fromhex(h) for p, h in trace["initial"]}
    for vcpu, _pc, _tick, _word, _irq, values, mvalues, written in trace["steps"]:
        for k, v in values:
            vcpus[vcpu][k] = v
        for k, v in mvalues:
            machine[k] = v
        for page, ranges in written:
            for off, data in ranges:
                b = bytes.fromhex(data)
                pages[page][off:off + len(b)] = b
    return vcpus, machine, pages


def test_step_records_every_instruction(servers) -> None:
    s = servers("s")
    s.ok("configure", args=HEAD_ARGS, guest=str(guest("smp_ipi")))
    s.ok("run", insns=50_000)
    r = s.ok("step", ticks=1000)
    assert r["now"] == 51_000 and r["stop"] == "budget"
    t = r["trace"]
    steps = t["steps"]
    assert {x[0] for x in steps} == {0, 1}  # both vCPUs, in their slices' order
    assert [x[0] for x in steps] == sorted(x[0] for x in steps)
    assert all(50_000 < x[2] <= 51_000 for x in steps)
    # The changes rebuild each step's view, the machine values and the written pages: after
    # the chunk, those of the vCPU that ran last (vCPU 0's ICP changed after its slice: an IPI).
    end = s.ok("view")
    vcpus, machine, pages = apply_trace(t)
    assert vcpus[1] == end["vcpus"][1] and machine == [v for _, v in end["machine"]]
    changed = {n for n, a, b in zip(t["names"], vcpus[0], end["vcpus"][0]) if a != b}
    assert changed <= {"icp.xirr", "icp.mfrr", "icp.pending"}
    assert pages, "smp_ipi writes memory in every slice"
    listed = s.ok("pages", which="list", pages=sorted(pages), contents=True)["pages"]
    assert {p: bytes.fromhex(d) for p, _, d in listed} == {p: bytes(b) for p, b in pages.items()}
    assert s.call("step", ticks=1_000_001)["error"]["key"] == "ticks"


def test_step_ends_where_run_does(servers) -> None:
    """One instruction at a time, the schedule and the end state of an unobserved run (for a
    guest whose interrupts only arise at block ends: mem_dirty, single vCPU)."""
    stepped, ran = servers("stepped"), servers("ran")
    args = ["-machine", "pseries-4.2", "-cpu", "POWER9", "-m", "256M", "-accel", "tcg"]
    for s in (stepped, ran):
        s.ok("configure", args=args, guest=str(guest("mem_dirty")))
        s.ok("run", insns=50_000)
    for _ in range(5):
        stepped.ok("step", ticks=1000)
        ran.ok("run", insns=1000)
        assert stepped.ok("view")["state_digest"] == ran.ok("view")["state_digest"]


@pytest.mark.parametrize("build,counts", [("2.9", True), ("head", False)])
def test_pause_and_resume_in_place(servers, build: str, counts: bool) -> None:
    s = servers("s")
    s.ok("configure", build=build, args=["-machine", "pseries-2.9,cap-htm=off" if build != "2.9" else "pseries-2.9",
                                         "-cpu", "POWER8", "-m", "256M"], guest=str(guest("decr_tick")))
    s.ok("run", insns=10_000)
    p = s.ok("pause", ticks=5000)
    # <= 2.9: the guest clock ran on while paused, and the stream carries it; later builds freeze it.
    assert p["now"] == 10_000 and p["saved_timebase"] == (15_000 if counts else 10_000)
    assert s.ok("resume_in_place")["now"] == (15_000 if counts else 10_000)
    assert s.call("pause")["error"]["key"] == "ticks"


def test_configure_with_a_changeset_and_what_the_build_does_not_know(servers, tmp_path: Path) -> None:
    s = servers("s")
    cs = Path(__file__).resolve().parents[2] / "scenarios" / "changesets" / "drop_vsx.toml"
    assert s.ok("configure", args=HEAD_ARGS, guest=str(guest("decr_tick")), changeset=str(cs))["build"] == "head+drop-vsx"
    e = s.call("configure", args=HEAD_ARGS, guest=str(guest("decr_tick")), changeset=str(tmp_path / "none.toml"))["error"]
    assert e["kind"] == "changeset" and e["path"] == str(tmp_path / "none.toml")
    e = s.call("configure", build="2.8", args=["-machine", "pseries-2.10"], guest=str(guest("decr_tick")))["error"]
    assert e["kind"] == "config" and e["unknown_to_build"] is True
    e = s.call("configure", build="2.12", args=["-machine", "pseries-2.9", "-cpu", "POWER8", "-accel", "tcg"],
               guest=str(guest("decr_tick")))["error"]
    assert e["kind"] == "config" and e["unknown_to_build"] is False
