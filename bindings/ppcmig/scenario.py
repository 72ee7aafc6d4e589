"""Scenarios: a guest, a source side and one or more migration hops, as the runner's JSON spec.

>>> s = Scenario(Guest.named("cas_boot", rounds=8),
...              source=(Build.get("2.7"), MachineConfig.parse("-machine pseries-2.7 -cpu POWER8")),
...              hops=[(Build.get("2.8"), None)], plan=MigrationPlan(at_insns=1_000_000))
>>> s.id
'2.7->2.8/pseries-2.7/POWER8/cas_boot'

:meth:`Scenario.to_spec` is the spec of engine/src/runner/README.md; ``ppcmig.run`` runs it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence, Union

from . import _ppcmig
from .guest_elf import GuestImageError, param_names
from .machine_config import MachineConfig

__all__ = ["Build", "Guest", "Precopy", "MigrationPlan", "Hop", "Expectation", "Scenario", "ScenarioError",
           "VERDICTS", "shipped_builds", "guests_dir", "available_guests"]

#: Every verdict the runner gives, in the order of engine/src/runner/README.md.
VERDICTS = ("ok", "load_fail", "start_fail", "program_interrupt", "divergence", "hang", "crash", "unsupported")

SPEC_FORMAT = "ppcmig-scenario"
SPEC_VERSION = 1
DEFAULT_BUDGET = 2_000_000_000  # virtual time; every guest powers off long before
_INT64_MIN, _UINT64_LIMIT = -(1 << 63), 1 << 64


class ScenarioError(ValueError):
    """A scenario (or one of its parts) that cannot be run as given; the message says what and why.
    ``key`` names the offending item where there is one (a guest parameter)."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def _int(what: str, value: object, minimum: int | None = 0) -> int:
    # bool is an int subclass; True as a budget is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{what}: expected an integer, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ScenarioError(f"{what}: must be at least {minimum:,}, got {value:,}")
    return value


def shipped_builds() -> list[str] | None:
    """The engine's builds in order (``_ppcmig.builds()``); ``None`` when this module predates it."""
    fn = getattr(_ppcmig, "builds", None)
    return list(fn()) if fn is not None else None


# -- builds -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Build:
    """One side's engine build: a shipped build (``2.7``), a user changeset on a build, or an
    external ``ppcmig-engine`` binary (driven over the serve protocol) and the build inside it."""

    name: str = "head"
    changeset: Path | None = None
    engine: Path | None = None

    @classmethod
    def get(cls, name: str) -> "Build":
        """A shipped build, checked against ``_ppcmig.builds()`` when the module provides it."""
        cls._check_shipped(name)
        return cls(name)

    @classmethod
    def from_changeset(cls, base: str, path: str | os.PathLike[str]) -> "Build":
        """The shipped build ``base`` plus the user changeset at ``path`` (a TOML file,
        engine/src/builds/CHANGESETS.md)."""
        cls._check_shipped(base)
        p = Path(path).absolute()
        if not p.is_file():
            raise ScenarioError(f"changeset {path}: no such file")
        return cls(base, changeset=p)

    @classmethod
    def external(cls, engine_path: str | os.PathLike[str], build: str | None = None) -> "Build":
        """The build ``build`` (default ``head``) of another ``ppcmig-engine`` binary, e.g. one
        compiled from another git revision. Its build names are its own, so they are not checked."""
        p = Path(engine_path).absolute()
        if not p.is_file() or not os.access(p, os.X_OK):
            raise ScenarioError(f"engine {engine_path}: not an executable file")
        if build is not None and (not isinstance(build, str) or not build):
            raise ScenarioError(f"engine {engine_path}: build must be a non-empty string")
        return cls(build or "head", engine=p)

    @staticmethod
    def _check_shipped(name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ScenarioError(f"build: expected a build name such as '2.7', got {name!r}")
        known = shipped_builds()
        if known is not None and name not in known:
            raise ScenarioError(f"unknown build '{name}' (builds: {', '.join(known)})")

    @property
    def label(self) -> str:
        """The build in ids and tables: ``2.7``, ``2.7+drop_vsx`` (changeset), ``ext:head``."""
        label = self.name
        if self.changeset is not None:
            label += f"+{self.changeset.stem}"
        if self.engine is not None:
            label = f"ext:{label}"
        return label

    @property
    def marker(self) -> str:
        """The pytest marker: ``build_2_7`` (a changeset's base build; dots and dashes become ``_``)."""
        return "build_" + re.sub(r"[^A-Za-z0-9_]", "_", self.name)

    def spec(self) -> dict[str, object]:
        return {"build": self.name,
                "changeset": None if self.changeset is None else str(self.changeset),
                "engine": None if self.engine is None else str(self.engine)}


# -- guests -------------------------------------------------------------------------------------

def guests_dir() -> Path:
    """Where built guests are: ``$PPCMIG_BUILD_DIR/guests`` (default ``build/guests``)."""
    return Path(os.environ.get("PPCMIG_BUILD_DIR", "build")) / "guests"


def available_guests() -> list[str]:
    """Names of the built guests (``cas_boot``, ``cas_boot_le``, …)."""
    d = guests_dir()
    return sorted(p.stem for p in d.glob("*.elf")) if d.is_dir() else []


@dataclass(frozen=True)
class Guest:
    """A bare-metal guest image and the ``P_<key>`` parameter fields the machine patches."""

    elf: Path
    params: Mapping[str, int] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", dict(sorted(self.params.items())))
        if not self.name:
            object.__setattr__(self, "name", self.elf.stem)

    def __hash__(self) -> int:
        return hash((self.elf, tuple(self.params.items()), self.name))

    @classmethod
    def named(cls, name: str, **params: int) -> "Guest":
        """A guest of scenarios/guests by name (``cas_boot``, ``compat_idle_le``…), from
        ``$PPCMIG_BUILD_DIR/guests/<name>.elf`` (default ``build/guests``)."""
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise ScenarioError(f"guest name {name!r}: expected a name such as 'cas_boot'")
        d = guests_dir()
        p = d / f"{name}.elf"
        if not p.is_file():
            have = available_guests()
            if not have:
                raise ScenarioError(f"unknown guest '{name}': no guests built in {d} (build the 'guests' "
                                    f"target, or point $PPCMIG_BUILD_DIR at the build directory)")
            raise ScenarioError(f"unknown guest '{name}' (guests in {d}: {', '.join(have)})")
        return cls._make(p.absolute(), name, params)

    @classmethod
    def from_elf(cls, path: str | os.PathLike[str], **params: int) -> "Guest":
        """A guest image by path (absolute, or relative to the current directory)."""
        p = Path(path)
        if not p.is_file():
            raise ScenarioError(f"guest image {path}: no such file")
        return cls._make(p.absolute(), p.stem, params)

    @classmethod
    def _make(cls, elf: Path, name: str, params: Mapping[str, int]) -> "Guest":
        for key, value in params.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise ScenarioError(f"guest {name}: parameter {key}: expected an integer, got "
                                    f"{type(value).__name__} {value!r}")
            if not _INT64_MIN <= value < _UINT64_LIMIT:
                raise ScenarioError(f"guest {name}: parameter {key}: {value} does not fit a 64-bit field")
        try:
            known = param_names(elf)
        except GuestImageError as e:
            raise ScenarioError(f"guest {name}: {e}") from None
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ScenarioError(f"guest {name}: unknown parameter{'s' if len(unknown) > 1 else ''} "
                                f"{', '.join(unknown)} (the image has: {', '.join(known) or 'none'})", unknown[0])
        return cls(elf, dict(params), name)

    def spec(self) -> dict[str, object]:
        return {"elf": str(self.elf), "params": dict(self.params)}


# -- migration plan and hops --------------------------------------------------------------------

@dataclass(frozen=True)
class Precopy:
    """Live pre-copy of one hop: RAM iterations while the guest keeps running. ``None`` fields
    are the runner's defaults."""

    bandwidth: int | None = None     # bytes per virtual millisecond
    downtime_ns: int | None = None   # the downtime the final iteration must fit
    max_iterations: int | None = None

    def __post_init__(self) -> None:
        for name in ("bandwidth", "downtime_ns", "max_iterations"):
            v = getattr(self, name)
            if v is not None:
                _int(f"precopy.{name}", v, 1 if name != "downtime_ns" else 0)

    def spec(self) -> dict[str, int]:
        return {k: v for k, v in (("bandwidth", self.bandwidth), ("downtime_ns", self.downtime_ns),
                                  ("max_iterations", self.max_iterations)) if v is not None}


@dataclass(frozen=True)
class MigrationPlan:
    """When and how the hops migrate: ``at_insns`` is one virtual time per hop (TB ticks, rounded
    up to the scheduling quantum by the runner), strictly increasing; ``precopy`` and its
    parameters and ``pause_ticks`` (the VM stopped that long before migrating) apply to every hop."""

    at_insns: int | Sequence[int]
    precopy: bool = False
    downtime_ns: int | None = None
    bandwidth: int | None = None
    max_iterations: int | None = None
    pause_ticks: int = 0

    def points(self) -> tuple[int, ...]:
        pts = (self.at_insns,) if isinstance(self.at_insns, int) else tuple(self.at_insns)
        if not pts:
            raise ScenarioError("plan.at_insns: no migration point")
        for i, p in enumerate(pts):
            _int(f"plan.at_insns[{i}]", p)
            if i and p <= pts[i - 1]:
                raise ScenarioError(f"plan.at_insns[{i}]: must be greater than at_insns[{i - 1}] ({pts[i - 1]:,}), "
                                    f"got {p:,}")
        return pts

    def precopy_spec(self) -> Precopy | None:
        if not self.precopy:
            given = [n for n in ("downtime_ns", "bandwidth", "max_iterations") if getattr(self, n) is not None]
            if given:
                raise ScenarioError(f"plan: {', '.join(given)} given without precopy=True")
            return None
        return Precopy(self.bandwidth, self.downtime_ns, self.max_iterations)


@dataclass(frozen=True)
class Hop:
    """One migration: at virtual time ``at_insns`` the VM moves to ``build`` with ``config``
    (``None``: the previous side's options, parsed by this build)."""

    at_insns: int
    build: Build
    config: MachineConfig | None = None
    pause_ticks: int = 0
    precopy: Precopy | None = None

    def spec(self) -> dict[str, object]:
        return {"at_insns": self.at_insns, **self.build.spec(),
                "options": None if self.config is None else self.config.text,
                "pause_ticks": self.pause_ticks,
                "precopy": None if self.precopy is None else self.precopy.spec()}


@dataclass(frozen=True)
class Expectation:
    """What a scenario file says should happen, and why (the sentence of history)."""

    expect: str
    history: str
    expect_detail: str | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()

    def problems(self, verdict: str, summary: str, details_text: str) -> list[str]:
        """Why a result does not meet this expectation (``[]`` when it does)."""
        out = []
        if verdict != self.expect:
            out.append(f"expected verdict {self.expect}, got {verdict}")
        if self.expect_detail is not None and self.expect_detail not in summary and self.expect_detail not in details_text:
            out.append(f"expected detail {self.expect_detail!r} is not in the summary or details")
        return out


# -- scenarios ----------------------------------------------------------------------------------

SideArg = Union[Build, str]
HopArg = Union[Hop, tuple]


def _as_build(value: SideArg, what: str) -> Build:
    if isinstance(value, Build):
        return value
    if isinstance(value, str):
        return Build.get(value)
    raise ScenarioError(f"{what}: expected a Build or a build name, got {type(value).__name__}")


def _as_config(value: MachineConfig | str | None, what: str) -> MachineConfig | None:
    if value is None or isinstance(value, MachineConfig):
        return value
    if isinstance(value, str):
        return MachineConfig.parse(value)
    raise ScenarioError(f"{what}: expected a MachineConfig, options text or None, got {type(value).__name__}")


class Scenario:
    """A guest on a source side, migrated along ``hops``; compared by the runner with a run that
    never migrates.

    ``source`` is ``(build, config)``; ``hops`` are ``(build, config_or_None)`` pairs timed by
    ``plan``, or :class:`Hop` values (which carry their own time, pause and pre-copy; ``plan`` is
    then not needed). Builds may be given by name, configs as option text.
    """

    def __init__(self, guest: Guest, source: tuple[SideArg, MachineConfig | str], hops: Sequence[HopArg],
                 plan: MigrationPlan | None = None, budget_insns: int = DEFAULT_BUDGET, name: str | None = None,
                 ram_compare: str = "hash", expectation: Expectation | None = None,
                 path: Path | None = None) -> None:
        if not isinstance(guest, Guest):
            raise ScenarioError(f"guest: expected a Guest, got {type(guest).__name__}")
        if not isinstance(source, tuple) or len(source) != 2:
            raise ScenarioError("source: expected (build, config)")
        self.guest = guest
        self.source_build = _as_build(source[0], "source build")
        config = _as_config(source[1], "source config")
        self.source_config = config if config is not None else MachineConfig.parse("")
        self.hops = self._make_hops(hops, plan)
        self.budget_insns = _int("budget_insns", budget_insns, 1)
        if self.hops[-1].at_insns >= self.budget_insns:
            raise ScenarioError(f"hop[{len(self.hops) - 1}].at_insns: {self.hops[-1].at_insns:,} is not below "
                                f"budget_insns ({self.budget_insns:,})")
        if ram_compare not in ("hash", "exact"):
            raise ScenarioError(f"ram_compare: expected 'hash' or 'exact', got {ram_compare!r}")
        self.ram_compare = ram_compare
        self.name = name
        self.expectation = expectation
        self.path = path

    @staticmethod
    def _make_hops(hops: Sequence[HopArg], plan: MigrationPlan | None) -> tuple[Hop, ...]:
        if isinstance(hops, (str, bytes)) or not isinstance(hops, Sequence) or not hops:
            raise ScenarioError("hops: expected one or more hops")
        if all(isinstance(h, Hop) for h in hops):
            if plan is not None:
                raise ScenarioError("plan: not used with Hop values (each carries its own time)")
            out = tuple(hops)  # type: ignore[arg-type]
        elif any(isinstance(h, Hop) for h in hops):
            raise ScenarioError("hops: give either Hop values or (build, config) pairs, not both")
        else:
            if plan is None:
                raise ScenarioError("plan: required with (build, config) hops (it says when they migrate)")
            points = plan.points()
            if len(points) != len(hops):
                raise ScenarioError(f"plan.at_insns: {len(points)} migration point(s) for {len(hops)} hop(s)")
            precopy = plan.precopy_spec()
            _int("plan.pause_ticks", plan.pause_ticks)
            pairs = []
            for i, h in enumerate(hops):
                if not isinstance(h, tuple) or len(h) != 2:
                    raise ScenarioError(f"hops[{i}]: expected (build, config_or_None)")
                pairs.append(Hop(points[i], _as_build(h[0], f"hops[{i}] build"),
                                 _as_config(h[1], f"hops[{i}] config"), plan.pause_ticks, precopy))
            out = tuple(pairs)
        for i, h in enumerate(out):
            _int(f"hop[{i}].at_insns", h.at_insns)
            _int(f"hop[{i}].pause_ticks", h.pause_ticks)
            if i and h.at_insns <= out[i - 1].at_insns:
                raise ScenarioError(f"hop[{i}].at_insns: must be greater than hop[{i - 1}]'s ({out[i - 1].at_insns:,})")
        return out

    # -- identity ---------------------------------------------------------------------------
    @property
    def id(self) -> str:
        """``2.7->2.8/pseries-2.7/POWER8/compat=power7/kvm-hv/cas_boot``: the builds along the
        chain, the source's machine, CPU, max-cpu-compat and accelerator (when kvm-hv), the guest."""
        chain = "->".join([self.source_build.label, *(h.build.label for h in self.hops)])
        return "/".join([chain, *self.source_config.id_parts(), self.guest.name])

    @property
    def title(self) -> str:
        """The name the runner reports (``name`` when given, else :attr:`id`)."""
        return self.name if self.name is not None else self.id

    def with_name(self, name: str | None) -> "Scenario":
        """A copy reported under another name (the name is part of the result's digest)."""
        other = object.__new__(Scenario)
        other.__dict__.update(self.__dict__)
        other.name = name
        return other

    def builds(self) -> list[Build]:
        """Every side's build, source first."""
        return [self.source_build, *(h.build for h in self.hops)]

    def configs(self) -> list[MachineConfig]:
        """Every side's effective options (a hop without its own repeats the previous side's)."""
        out = [self.source_config]
        for h in self.hops:
            out.append(h.config if h.config is not None else out[-1])
        return out

    def markers(self) -> list[str]:
        """pytest markers: ``build_<name>`` per build, ``machine_<version>`` per machine,
        ``verdict_<expected>`` and the tags (dots and dashes become ``_``)."""
        names = [b.marker for b in self.builds()]
        names += ["machine_" + marker_safe(c.machine_version) for c in self.configs()]
        if self.expectation is not None:
            names.append(f"verdict_{self.expectation.expect}")
            names += [marker_safe(t) for t in self.expectation.tags]
        return list(dict.fromkeys(names))

    # -- the runner's spec -----------------------------------------------------------------
    def to_spec(self) -> dict[str, object]:
        """The scenario spec of engine/src/runner/README.md (``artifacts`` null; ``run`` sets it)."""
        return {
            "format": SPEC_FORMAT, "format_version": SPEC_VERSION,
            "name": self.title,
            "guest": self.guest.spec(),
            "source": {**self.source_build.spec(), "options": self.source_config.text},
            "hops": [h.spec() for h in self.hops],
            "budget_insns": self.budget_insns,
            "ram_compare": self.ram_compare,
            "artifacts": None,
        }

    def __repr__(self) -> str:
        return f"Scenario({self.title!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self.to_spec() == other.to_spec()

    __hash__ = None  # type: ignore[assignment]


def marker_safe(text: str) -> str:
    """A marker name from free text: every character but letters, digits and ``_`` becomes ``_``."""
    return re.sub(r"[^A-Za-z0-9_]", "_", text)

