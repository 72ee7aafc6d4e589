"""QEMU-style machine options (``-machine … -cpu … -smp … -m … -accel …``) as a value type.

:class:`MachineConfig` keeps the option text exactly as the engine will parse it (each build parses
it with its own rules: machine versions, CPU models, caps) and derives the properties a scenario's
id, markers and reports need. Only the option *syntax* is checked here — unknown options, missing
values, malformed numbers — so that a typo fails before a run with a message naming the option.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

__all__ = ["MachineConfig", "ConfigError", "OPTIONS"]


class ConfigError(ValueError):
    """Machine options that cannot be parsed: ``option`` is the offending token (or ``""``)."""

    def __init__(self, option: str, reason: str) -> None:
        super().__init__(f"{option}: {reason}" if option else reason)
        self.option = option
        self.reason = reason


#: The options the engine's pseries machine accepts (``engine/src/machine/config.cpp``) and whether
#: each takes a value. ``--name`` is accepted for ``-name`` as QEMU does.
OPTIONS: Mapping[str, bool] = {
    "-machine": True, "-M": True, "-cpu": True, "-smp": True, "-m": True, "-accel": True,
    "-enable-kvm": False, "-host-cpu": True, "-kvm-host-caps": True,
}

# Keyword of with_()/compose() -> the option it sets (the order compose() writes them in).
_KEYWORD_OPTION = {
    "machine": "-machine", "cpu": "-cpu", "smp": "-smp", "memory": "-m", "accel": "-accel",
    "host_cpu": "-host-cpu", "kvm_host_caps": "-kvm-host-caps",
}
_ALIASES = {"-M": "-machine"}
_RAM_RE = re.compile(r"[0-9]+([KkMmGgTt][Bb]?)?")
_SMP_KEYS = ("cpus", "maxcpus", "cores", "threads", "sockets")


def _tokenize(text: str) -> list[str]:
    """Whitespace-separated tokens; quotes group (no escapes), as the engine's tokenizer does."""
    tokens: list[str] = []
    cur: list[str] = []
    in_token = False
    quote = ""
    for c in text:
        if quote:
            if c == quote:
                quote = ""
            else:
                cur.append(c)
        elif c in "\"'":
            quote, in_token = c, True
        elif c.isspace():
            if in_token:
                tokens.append("".join(cur))
            cur, in_token = [], False
        else:
            cur.append(c)
            in_token = True
    if quote:
        raise ConfigError("", f"unterminated {quote} quote in {text!r}")
    if in_token:
        tokens.append("".join(cur))
    return tokens


def _render(token: str) -> str:
    return f"'{token}'" if not token or any(c.isspace() or c == '"' for c in token) else token


def _canonical(option: str) -> str:
    opt = option[1:] if option.startswith("--") else option
    return _ALIASES.get(opt, opt)


def _check_value(option: str, value: str) -> None:
    if option == "-m":
        if not _RAM_RE.fullmatch(value):
            raise ConfigError(f"-m {value}", "expected a size such as 512M, 1G or 1024 (MiB)")
    elif option == "-smp":
        for part in value.split(","):
            key, eq, val = part.partition("=")
            if not eq:
                key, val = "cpus", part
            if key not in _SMP_KEYS:
                raise ConfigError(f"-smp {value}", f"invalid parameter '{key}' (have: {', '.join(_SMP_KEYS)})")
            if not val.isdigit():
                raise ConfigError(f"-smp {value}", f"parameter '{key}' expects a number")
    elif option == "-accel":
        name = value.split(",")[0]
        if name not in ("tcg", "kvm", "kvm-hv"):
            raise ConfigError(f"-accel {value}", f"invalid accelerator {name} (have: tcg, kvm-hv)")
    elif option == "-cpu" and not value.split(",")[0]:
        raise ConfigError(f"-cpu {value}", "missing CPU model name")


def _split_props(value: str) -> tuple[str | None, list[tuple[str, str]]]:
    """``pseries-2.7,max-cpu-compat=power7`` -> (``pseries-2.7``, [(max-cpu-compat, power7)])."""
    parts = value.split(",")
    name: str | None = None
    props: list[tuple[str, str]] = []
    for k, part in enumerate(parts):
        if not part:
            continue
        key, eq, val = part.partition("=")
        if k == 0 and not eq:
            name = part
        elif key == "type":
            name = val
        else:
            props.append((key, val if eq else "on"))
    return name, props


@dataclass(frozen=True)
class MachineConfig:
    """One side's machine options, e.g.
    ``MachineConfig.parse("-machine pseries-2.7,max-cpu-compat=power7 -cpu POWER8 -smp 2 -m 512M")``.

    ``text`` is what the engine gets; the properties are derived from it. Options that are not
    given are the build's defaults (the newest ``pseries`` version and its default CPU, one vCPU,
    512 MiB, TCG) and the derived properties say so (``None`` where the default depends on the
    build).
    """

    text: str
    options: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str) -> "MachineConfig":
        """Parse QEMU-style options; raises :class:`ConfigError` for an unknown option, a missing
        value or a malformed ``-m``/``-smp``/``-accel`` value."""
        if not isinstance(text, str):
            raise ConfigError("", f"machine options must be a string, not {type(text).__name__}")
        tokens = _tokenize(text)
        opts: list[tuple[str, str | None]] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            opt = _canonical(tok)
            if opt not in OPTIONS:
                known = ", ".join(o for o in OPTIONS)
                hint = " (options start with '-')" if not tok.startswith("-") else ""
                raise ConfigError(tok, f"unknown option{hint}; the engine accepts {known}")
            value: str | None = None
            if OPTIONS[opt]:
                if i + 1 >= len(tokens):
                    raise ConfigError(tok, "missing value (it is the last word)")
                nxt = tokens[i + 1]
                if _canonical(nxt) in OPTIONS:
                    raise ConfigError(tok, f"missing value (followed by the option {nxt})")
                value = nxt
                _check_value(opt, value)
                i += 1
            opts.append((opt, value))
            i += 1
        return cls(text, tuple(opts))

    @classmethod
    def compose(cls, *, machine: str | None = None, cpu: str | None = None, smp: int | str | None = None,
                memory: str | None = None, accel: str | None = None, host_cpu: str | None = None,
                kvm_host_caps: str | None = None, options: str = "") -> "MachineConfig":
        """Options from keywords, written ``-machine M -cpu C -smp S -m MEM -accel A -host-cpu H
        -kvm-host-caps K <options>`` (only those given)."""
        values = {"machine": machine, "cpu": cpu, "smp": smp, "memory": memory, "accel": accel,
                  "host_cpu": host_cpu, "kvm_host_caps": kvm_host_caps}
        words = [f"{_KEYWORD_OPTION[k]} {_render(str(v))}" for k, v in values.items() if v is not None]
        if options:
            words.append(options)
        return cls.parse(" ".join(words))

    def with_(self, **changes: int | str | None) -> "MachineConfig":
        """A copy with options replaced: keywords ``machine``, ``cpu``, ``smp``, ``memory``,
        ``accel``, ``host_cpu``, ``kvm_host_caps`` replace the whole option (``None`` removes it);
        ``max_cpu_compat`` sets (or with ``None`` removes) that ``-machine`` property."""
        opts = list(self.options)
        compat = changes.pop("max_cpu_compat", ...)
        for key, value in changes.items():
            if key not in _KEYWORD_OPTION:
                raise TypeError(f"with_(): unknown option keyword {key!r} (have: "
                                f"{', '.join([*_KEYWORD_OPTION, 'max_cpu_compat'])})")
            option = _KEYWORD_OPTION[key]
            if option == "-accel":  # -enable-kvm and machine accel= would contradict the new value
                opts = [(o, v) for o, v in opts if o != "-enable-kvm"]
            kept = [(o, v) for o, v in opts if o != option]
            if value is not None:
                first = next((n for n, (o, _) in enumerate(opts) if o == option), None)
                pos = len(kept) if first is None else sum(1 for o, _ in opts[:first] if o != option)
                kept.insert(pos, (option, str(value)))
            opts = kept
        if compat is not ...:
            opts = self._with_machine_prop(opts, "max-cpu-compat", compat)
        return MachineConfig.parse(" ".join(o if v is None else f"{o} {_render(v)}" for o, v in opts))

    @staticmethod
    def _with_machine_prop(opts: list[tuple[str, str | None]], key: str,
                           value: object) -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = []
        done = False
        for o, v in opts:
            if o == "-machine" and v is not None:
                parts = [p for p in v.split(",") if p and not p.startswith(f"{key}=")]
                if value is not None and not done:
                    parts.append(f"{key}={value}")
                    done = True
                if not parts:
                    continue
                v = ",".join(parts)
            out.append((o, v))
        if value is not None and not done:
            out.insert(0, ("-machine", f"{key}={value}"))
        return out

    # -- derived properties ---------------------------------------------------------------
    def _values(self, option: str) -> list[str]:
        return [v for o, v in self.options if o == option and v is not None]

    @property
    def machine(self) -> str:
        """The machine type: ``pseries-2.7``, or ``pseries`` (the build's newest) when not given."""
        name = "pseries"
        for v in self._values("-machine"):
            n, _ = _split_props(v)
            if n is not None:
                name = n
        return name

    @property
    def machine_version(self) -> str:
        """``2.7`` for ``pseries-2.7``; ``latest`` for the ``pseries`` alias."""
        m = self.machine
        return m[len("pseries-"):] if m.startswith("pseries-") else ("latest" if m == "pseries" else m)

    @property
    def machine_properties(self) -> dict[str, str]:
        """``-machine`` properties in order (``max-cpu-compat``, ``cap-*``, ``ic-mode``, …); the
        last of several ``-machine`` options wins per property, as in QEMU."""
        props: dict[str, str] = {}
        for v in self._values("-machine"):
            props.update(_split_props(v)[1])
        return props

    @property
    def cpu(self) -> str | None:
        """The ``-cpu`` model (``POWER8``, ``host``…); ``None``: the machine version's default."""
        values = self._values("-cpu")
        return values[-1].split(",")[0] if values else None

    @property
    def max_cpu_compat(self) -> str | None:
        """``max-cpu-compat`` (or the legacy ``-cpu X,compat=Y``), e.g. ``power7``."""
        compat = self.machine_properties.get("max-cpu-compat")
        if compat is None:
            for v in self._values("-cpu"):
                for part in v.split(",")[1:]:
                    key, _, val = part.partition("=")
                    if key == "compat":
                        compat = val
        return compat

    @property
    def smp(self) -> int:
        """The number of vCPUs (``-smp 2`` or ``-smp cpus=2,maxcpus=4`` -> 2; default 1)."""
        cpus = 1
        for v in self._values("-smp"):
            for part in v.split(","):
                key, eq, val = part.partition("=")
                if not eq:
                    cpus = int(part)
                elif key == "cpus":
                    cpus = int(val)
        return cpus

    @property
    def memory(self) -> str | None:
        """The ``-m`` text (``512M``); ``None`` when not given (the engine's 512 MiB)."""
        values = self._values("-m")
        return values[-1] if values else None

    @property
    def memory_bytes(self) -> int:
        """RAM in bytes (a bare number is MiB, as in QEMU)."""
        m = self.memory
        if m is None:
            return 512 << 20
        digits = m.rstrip("BbKkMmGgTt")
        unit = m[len(digits):len(digits) + 1].upper() or "M"
        return int(digits) << {"K": 10, "M": 20, "G": 30, "T": 40}[unit]

    @property
    def accel(self) -> str:
        """``tcg`` or ``kvm-hv`` (``-accel kvm``, ``-enable-kvm`` and ``-machine accel=`` included)."""
        accel = "tcg"
        for o, v in self.options:
            if o == "-accel" and v is not None:
                accel = v.split(",")[0]
            elif o == "-enable-kvm":
                accel = "kvm-hv"
            elif o == "-machine" and v is not None:
                accel = dict(_split_props(v)[1]).get("accel", accel)
        return "kvm-hv" if accel == "kvm" else accel

    @property
    def host_cpu(self) -> str | None:
        """``-host-cpu``: the modelled KVM host's CPU (what ``-cpu host`` means); ``None``: POWER9."""
        values = self._values("-host-cpu")
        return values[-1] if values else None

    @property
    def kvm_host_caps(self) -> str | None:
        """``-kvm-host-caps``: what the modelled host's KVM supports."""
        values = self._values("-kvm-host-caps")
        return values[-1] if values else None

    def id_parts(self) -> list[str]:
        """``[pseries-2.7, POWER8, compat=power7, kvm-hv]``: this side's part of a scenario id."""
        cpu = self.cpu or "default-cpu"
        if cpu == "host":
            cpu = f"host={self.host_cpu or 'POWER9'}"
        parts = [self.machine, cpu]
        if self.max_cpu_compat:
            parts.append(f"compat={self.max_cpu_compat}")
        if self.accel == "kvm-hv":
            parts.append("kvm-hv")
        return parts

    def __str__(self) -> str:
        return self.text

