"""Scenario files (``scenarios/**/*.toml``, format in scenarios/README.md) -> :class:`Scenario`.

A TOML file is a scenario when it has a top-level ``expect`` key. Every problem is reported as
:class:`ScenarioFileError` ``FILE: KEY: reason`` — the file as given, the key as a path into the
document (``hop[1].at_insns``, ``guest.params.rounds``) — never as a traceback.
"""
from __future__ import annotations

import difflib
import functools
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from .machine_config import ConfigError, MachineConfig
from .scenario import (DEFAULT_BUDGET, VERDICTS, Build, Expectation, Guest, Hop, Precopy, Scenario,
                       ScenarioError)

__all__ = ["load", "load_all", "ScenarioFileError", "is_scenario_file", "scenario_files", "unique_ids",
           "DEFAULT_MEMORY"]

#: ``memory`` when a file gives none (the engine's own default is 512M; guests need 8-16 MiB).
DEFAULT_MEMORY = "256M"

_TOP_KEYS = ("title", "history", "expect", "expect_detail", "tags", "guest", "source", "hop", "run")
_GUEST_KEYS = ("name", "elf", "params")
_BUILD_KEYS = ("build", "changeset", "engine")
# The option keys in the order MachineConfig.compose writes them.
_OPTION_KEYS = ("machine", "cpu", "smp", "memory", "accel", "host_cpu", "kvm_host_caps", "options")
_SIDE_KEYS = _BUILD_KEYS + _OPTION_KEYS
_HOP_KEYS = ("at_insns", *_SIDE_KEYS, "pause_ticks", "precopy")
_PRECOPY_KEYS = ("bandwidth", "downtime_ns", "max_iterations")
_RUN_KEYS = ("budget_insns", "ram_compare")
_TAG_RE = re.compile(r"[A-Za-z0-9_.-]+")


class ScenarioFileError(ValueError):
    """``FILE: KEY: reason``; ``file``, ``key`` and ``reason`` are kept apart for tools."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}" if key else f"{file}: {reason}")
        self.file, self.key, self.reason = file, key, reason


class _Doc:
    """Typed access to one TOML document, raising ScenarioFileError with the key path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, reason: str) -> ScenarioFileError:
        return ScenarioFileError(self.file, key, reason)

    def check_keys(self, table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f" (expected one of: {', '.join(allowed)})"
                raise self.fail(f"{where}.{key}" if where else key, f"unknown key{hint}")

    def _lookup(self, parent: Mapping[str, Any], key: str, where: str, required: bool) -> tuple[str, Any]:
        """The key's path for messages and its value (None when absent and optional)."""
        path = f"{where}.{key}" if where else key
        if key not in parent:
            if required:
                raise self.fail(path, "missing (required)")
            return path, None
        return path, parent[key]

    def table(self, parent: Mapping[str, Any], key: str, where: str, required: bool = False) -> dict[str, Any] | None:
        path, v = self._lookup(parent, key, where, required)
        if v is None:
            return None
        if not isinstance(v, dict):
            raise self.fail(path, f"expected a table ([{path}]), got {_type(v)}")
        return v

    def string(self, parent: Mapping[str, Any], key: str, where: str, required: bool = False) -> str | None:
        path, v = self._lookup(parent, key, where, required)
        if v is None:
            return None
        if not isinstance(v, str):
            raise self.fail(path, f"expected a string, got {_type(v)}")
        if not v.strip():
            raise self.fail(path, "must not be empty")
        return v

    def integer(self, parent: Mapping[str, Any], key: str, where: str, required: bool = False,
                minimum: int = 0) -> int | None:
        path, v = self._lookup(parent, key, where, required)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(path, f"expected an integer, got {_type(v)}")
        if v < minimum:
            raise self.fail(path, f"must be at least {minimum:,}, got {v:,}")
        return v


def _type(v: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array",
             dict: "a table"}
    return f"{names.get(type(v), type(v).__name__)} ({v!r})" if not isinstance(v, (dict, list)) else names[type(v)]


def _read(path: Path, file: str) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ScenarioFileError(file, "", f"cannot read: {e.strerror}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ScenarioFileError(file, "", f"not UTF-8 text (byte {e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise ScenarioFileError(file, "", f"invalid TOML: {e}") from None


def is_scenario_file(path: str | os.PathLike[str]) -> bool:
    """Whether a ``.toml`` file is a scenario (a top-level ``expect``); changesets and matrix files
    are not. A file that is not valid TOML counts as one, so that its error is reported."""
    p = Path(path)
    return p.suffix == ".toml" and _has_expect(p.absolute(), _stamp(p))


@functools.lru_cache(maxsize=4096)
def _has_expect(path: Path, stamp: tuple[int, int]) -> bool:
    try:
        return "expect" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True


def scenario_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files given and the scenario files under directories given (recursively, sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [f for f in sorted(p.rglob("*.toml")) if is_scenario_file(f)]
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def _resolve_path(doc: _Doc, base: Path, value: str, key: str, expand: bool = False) -> Path:
    text = os.path.expandvars(value) if expand else value
    if expand and "$" in text:
        raise doc.fail(key, f"unset environment variable in {value!r}")
    p = Path(text).expanduser()
    p = p if p.is_absolute() else base / p
    if not p.is_file():
        raise doc.fail(key, f"no such file: {p}")
    return p.absolute()


def _changeset_base(doc: _Doc, path: Path, key: str) -> str:
    try:
        base = tomllib.loads(path.read_text(encoding="utf-8")).get("base")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise doc.fail(key, f"{path}: not a readable changeset: {e}") from None
    if not isinstance(base, str):
        raise doc.fail(key, f"{path}: the changeset has no 'base' build; give the build key too")
    return base


def _build(doc: _Doc, table: Mapping[str, Any], where: str, base: Path, previous: Build | None) -> Build:
    name = doc.string(table, "build", where)
    changeset = doc.string(table, "changeset", where)
    engine = doc.string(table, "engine", where)
    if name is None and changeset is None and engine is None:
        return previous if previous is not None else _shipped(doc, "head", f"{where}.build")
    cs_path = None if changeset is None else _resolve_path(doc, base, changeset, f"{where}.changeset")
    engine_path = None if engine is None else _resolve_path(doc, base, engine, f"{where}.engine", expand=True)
    if engine_path is not None:
        if not os.access(engine_path, os.X_OK):
            raise doc.fail(f"{where}.engine", f"{engine_path} is not executable")
        build_name = name or (previous.name if previous is not None else "head")
        return Build(build_name, changeset=cs_path, engine=engine_path)
    if cs_path is not None and name is None:
        name = _changeset_base(doc, cs_path, f"{where}.changeset")
    assert name is not None
    _shipped(doc, name, f"{where}.build")
    return Build(name, changeset=cs_path)


def _shipped(doc: _Doc, name: str, key: str) -> Build:
    try:
        return Build.get(name)
    except ScenarioError as e:
        raise doc.fail(key, str(e)) from None


def _option_values(doc: _Doc, table: Mapping[str, Any], where: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for key in _OPTION_KEYS:
        if key not in table:
            continue
        if key == "smp" and isinstance(table[key], int) and not isinstance(table[key], bool):
            if table[key] < 1:
                raise doc.fail(f"{where}.smp", f"must be at least 1, got {table[key]}")
            values[key] = str(table[key])
            continue
        if key == "smp" and not isinstance(table[key], str):
            raise doc.fail(f"{where}.smp", f"expected an integer or a string such as '2,maxcpus=4', got {_type(table[key])}")
        v = doc.string(table, key, where)
        if v is not None and key != "options" and any(c.isspace() for c in v.strip()):
            raise doc.fail(f"{where}.{key}", f"must be one word (extra options go in '{where}.options'), got {v!r}")
        values[key] = v.strip() if v is not None else v  # type: ignore[assignment]
    return values


def _compose(doc: _Doc, values: Mapping[str, str], where: str) -> MachineConfig:
    try:
        return MachineConfig.compose(**values)
    except ConfigError as e:
        key = _key_of_option(e.option, values)
        raise doc.fail(f"{where}.{key}" if key else where, str(e)) from None


def _key_of_option(option: str, values: Mapping[str, str]) -> str:
    opt = option.split(" ")[0].lstrip("-")
    by_option = {"machine": "machine", "M": "machine", "cpu": "cpu", "smp": "smp", "m": "memory", "accel": "accel",
                 "host-cpu": "host_cpu", "kvm-host-caps": "kvm_host_caps"}
    key = by_option.get(opt)
    return key if key in values else ("options" if "options" in values else "")


def _expectation(doc: _Doc, d: Mapping[str, Any]) -> Expectation:
    expect = doc.string(d, "expect", "", required=True)
    if expect not in VERDICTS:
        close = difflib.get_close_matches(expect or "", VERDICTS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise doc.fail("expect", f"unknown verdict '{expect}' (verdicts: {', '.join(VERDICTS)}){hint}")
    history = doc.string(d, "history", "", required=True)
    detail = doc.string(d, "expect_detail", "")
    title = doc.string(d, "title", "")
    if title is not None and "\n" in title.strip():
        raise doc.fail("title", "must be one line")
    tags = d.get("tags", [])
    if not isinstance(tags, list):
        raise doc.fail("tags", f"expected an array of strings, got {_type(tags)}")
    for i, t in enumerate(tags):
        if not isinstance(t, str) or not _TAG_RE.fullmatch(t):
            raise doc.fail(f"tags[{i}]", f"expected a word of letters, digits, '_', '.', '-', got {t!r}")
    assert expect is not None and history is not None
    return Expectation(expect, history, detail, title, tuple(tags))


def _guest(doc: _Doc, d: Mapping[str, Any], base: Path) -> Guest:
    g = doc.table(d, "guest", "", required=True)
    assert g is not None
    doc.check_keys(g, _GUEST_KEYS, "guest")
    name = doc.string(g, "name", "guest")
    elf = doc.string(g, "elf", "guest")
    if (name is None) == (elf is None):
        raise doc.fail("guest", "give exactly one of 'name' (a built guest) and 'elf' (an image path)")
    params = doc.table(g, "params", "guest") or {}
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise doc.fail(f"guest.params.{key}", f"expected an integer, got {_type(value)}")
    try:
        if name is not None:
            return Guest.named(name, **params)
        assert elf is not None
        return Guest.from_elf(_resolve_path(doc, base, elf, "guest.elf"), **params)
    except ScenarioError as e:
        key = f"guest.params.{e.key}" if e.key else ("guest.name" if name is not None else "guest.elf")
        raise doc.fail(key, str(e)) from None


def _load(path: Path, file: str) -> Scenario:
    d = _read(path, file)
    doc = _Doc(file)
    if "expect" not in d:
        raise doc.fail("expect", "missing: a scenario file has a top-level 'expect' (changesets and matrix "
                                 "files are not scenarios)")
    doc.check_keys(d, _TOP_KEYS, "")
    expectation = _expectation(doc, d)
    base = path.parent
    guest = _guest(doc, d, base)

    src = doc.table(d, "source", "") or {}
    doc.check_keys(src, _SIDE_KEYS, "source")
    src_build = _build(doc, src, "source", base, None)
    src_values = _option_values(doc, src, "source")
    if "memory" not in src_values and not re.search(r"(^|\s)--?m(\s|$)", src_values.get("options", "")):
        src_values = {**src_values, "memory": DEFAULT_MEMORY}
    src_values = {k: src_values[k] for k in _OPTION_KEYS if k in src_values}
    src_config = _compose(doc, src_values, "source")

    if "hop" not in d:
        raise doc.fail("hop", "missing: at least one [[hop]] (a scenario migrates)")
    hops_raw = d["hop"]
    if not isinstance(hops_raw, list) or not hops_raw or not all(isinstance(h, dict) for h in hops_raw):
        raise doc.fail("hop", "expected one or more [[hop]] tables")

    run = doc.table(d, "run", "") or {}
    doc.check_keys(run, _RUN_KEYS, "run")
    budget = doc.integer(run, "budget_insns", "run", minimum=1) or DEFAULT_BUDGET
    ram_compare = doc.string(run, "ram_compare", "run") or "hash"
    if ram_compare not in ("hash", "exact"):
        raise doc.fail("run.ram_compare", f"expected 'hash' or 'exact', got {ram_compare!r}")

    hops: list[Hop] = []
    prev_build, prev_values, effective = src_build, src_values, src_config
    for i, h in enumerate(hops_raw):
        where = f"hop[{i}]"
        doc.check_keys(h, _HOP_KEYS, where)
        at = doc.integer(h, "at_insns", where, required=True)
        assert at is not None
        if hops and at <= hops[-1].at_insns:
            raise doc.fail(f"{where}.at_insns", f"must be greater than hop[{i - 1}]'s ({hops[-1].at_insns:,}), got {at:,}")
        if at >= budget:
            raise doc.fail(f"{where}.at_insns", f"must be below run.budget_insns ({budget:,}), got {at:,}")
        build = _build(doc, h, where, base, prev_build)
        given = _option_values(doc, h, where)
        if given:
            values = {**prev_values, **given}
            values = {k: values[k] for k in _OPTION_KEYS if k in values}
            effective = _compose(doc, values, where)
            prev_values = values
        # The spec's null means "the source's options"; a hop after one that changed them spells
        # them out.
        config = None if effective.text == src_config.text else effective
        pause = doc.integer(h, "pause_ticks", where) or 0
        pre = doc.table(h, "precopy", where)
        precopy = None
        if pre is not None:
            doc.check_keys(pre, _PRECOPY_KEYS, f"{where}.precopy")
            precopy = Precopy(doc.integer(pre, "bandwidth", f"{where}.precopy", minimum=1),
                              doc.integer(pre, "downtime_ns", f"{where}.precopy"),
                              doc.integer(pre, "max_iterations", f"{where}.precopy", minimum=1))
        hops.append(Hop(at, build, config, pause, precopy))
        prev_build = build

    try:
        return Scenario(guest, (src_build, src_config), hops, budget_insns=budget, ram_compare=ram_compare,
                        expectation=expectation, path=path)
    except ScenarioError as e:  # the checks above cover the file's keys; this is a backstop
        raise doc.fail("", str(e)) from None


# -- ids across a catalogue ---------------------------------------------------------------------

def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return -1, -1


@functools.lru_cache(maxsize=4096)
def _load_stamped(path: Path, file: str, stamp: tuple[int, int], build_dir: str) -> Scenario | ScenarioFileError:
    # Keyed by the file's stamp and the guests' location, so an edited file or another
    # $PPCMIG_BUILD_DIR is loaded afresh.
    try:
        return _load(path, file)
    except ScenarioFileError as e:
        return e


def _load_cached(path: Path, file: str) -> Scenario:
    value = _load_stamped(path.absolute(), file, _stamp(path), os.environ.get("PPCMIG_BUILD_DIR", ""))
    if isinstance(value, ScenarioFileError):
        raise value
    return value


def catalogue_root(path: Path) -> Path:
    """The directory whose scenario files a file's id must be unique among: the nearest ancestor
    named ``scenarios`` (its whole tree), else the file's own directory (that level only)."""
    p = path.absolute()
    for parent in p.parents:
        if parent.name == "scenarios":
            return parent
    return p.parent


def unique_ids(scenarios: Mapping[Path, Scenario]) -> dict[Path, str]:
    """Readable ids, unique among ``scenarios`` (keyed by file): an id two files share gets
    ``#<file stem>`` appended, and ``#<parent dir>/<stem>`` if the stems clash too."""
    def clashing(ids: Mapping[Path, str]) -> set[str]:
        seen: dict[str, int] = {}
        for v in ids.values():
            seen[v] = seen.get(v, 0) + 1
        return {v for v, n in seen.items() if n > 1}

    ids = {p: s.id for p, s in scenarios.items()}
    dup = clashing(ids)
    ids = {p: f"{v}#{p.stem}" if v in dup else v for p, v in ids.items()}
    dup = clashing(ids)
    return {p: f"{scenarios[p].id}#{p.parent.name}/{p.stem}" if v in dup else v for p, v in ids.items()}


@functools.lru_cache(maxsize=64)
def _catalogue_ids(root: Path, listing: tuple[tuple[Path, tuple[int, int]], ...], build_dir: str) -> dict[Path, str]:
    loaded: dict[Path, Scenario] = {}
    for f, stamp in listing:
        value = _load_stamped(f, str(f), stamp, build_dir)
        if isinstance(value, Scenario):  # a broken file is reported when it is loaded itself
            loaded[f] = value
    return unique_ids(loaded)


def _ids_in_catalogue(path: Path, scenario: Scenario) -> str:
    root = catalogue_root(path)
    key = path.absolute()
    # A scenarios/ tree is searched recursively; a loose file's directory only at its own level
    # (it may be /tmp or a home directory).
    candidates = root.rglob("*.toml") if root.name == "scenarios" else root.glob("*.toml")
    listing = tuple((f.absolute(), _stamp(f)) for f in sorted(candidates) if is_scenario_file(f))
    ids = _catalogue_ids(root, listing, os.environ.get("PPCMIG_BUILD_DIR", ""))
    if key in ids:
        return ids[key]
    return unique_ids({**{f: _load_cached(f, str(f)) for f in ids}, key: scenario})[key]


def load(path: str | os.PathLike[str]) -> Scenario:
    """Load a scenario file. Its name (the spec's ``name``, pytest id, table row) is the readable
    id, with ``#<file stem>`` appended when another scenario file of the same catalogue (the
    enclosing ``scenarios/`` directory, else the file's directory) has the same id. Raises
    :class:`ScenarioFileError` ``FILE: KEY: reason``."""
    p = Path(path)
    scenario = _load_cached(p, str(path))
    return scenario.with_name(_ids_in_catalogue(p, scenario))


def load_all(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, Scenario | ScenarioFileError]]:
    """Each scenario file of ``paths`` (files, or directories searched recursively) with its
    scenario or its error, in order."""
    for f in scenario_files(paths):
        try:
            yield f, load(f)
        except ScenarioFileError as e:
            yield f, e
