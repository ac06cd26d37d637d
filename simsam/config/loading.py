"""Reading TOML files and resolving ``extends``.

A config may say ``extends = "base/sweden.toml"`` (or a list of such paths,
merged in order), relative to its own folder. Tables merge key by key and the
extending file wins, with two kinds of table taken whole, never merged:

* a distribution (a table with a ``dist`` key): ``wage = 26000`` replaces
  ``wage = { dist = "normal", ... }`` and vice versa;
* a table of shares that must sum to 1 (``outcomes.shares``, income mixes,
  ``project.cost_split``, a resource's payer split): merging two such tables
  would silently make their sum wrong.
"""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError

__all__ = ["RawConfig", "read_config", "read_config_string", "decode_toml"]

#: Key paths whose tables replace rather than merge ('*' matches any name).
WHOLE_TABLES = (
    ("outcomes", "shares"),
    ("project", "cost_split"),
    ("before", "income"),
    ("outcomes", "states", "*", "income"),
    ("resources", "*", "payer"),
)


@dataclass(frozen=True)
class RawConfig:
    """A config's merged tables, before validation.

    Attributes
    ----------
    data : dict
        The merged tables (``extends`` removed).
    origins : dict
        Dotted key path → the file (relative to the top file's folder) that set
        it, or None for the top file itself. Entries may be coarse (``economy``
        for a whole table): the nearest enclosing path with an entry decides,
        so the top file's own keys must stay (as None) to shadow a base table.
    text : str
        The top file's own text.
    path : Path or None
        The top file, or None for a config read from a string.
    files : tuple of str
        Every file read, top file first.
    price_levels : dict
        File (as in ``origins``: None for the top file) → the year whose kronor that file's own
        amounts are written in: its ``[meta] price_level``, or, when it states none, the level
        its bases give (the last base with one, as ``[meta]`` merges), or None. Values are as
        written (the builder checks them); ``own_price_levels`` holds only the files that state one.
    """

    data: dict
    origins: dict
    text: str
    path: Path | None
    files: tuple[str, ...]
    price_levels: dict = field(default_factory=dict)
    own_price_levels: dict = field(default_factory=dict)

    def with_layer(self, data: dict, origins: dict, label: str, layer: dict) -> RawConfig:
        """These tables with ``layer`` (an override or a scenario, labelled ``label`` in ``origins``)
        merged over them as ``data``: the layer's own price level is its ``[meta] price_level``, or
        the top file's (its keys are written as if in the top file)."""
        meta = layer.get("meta")
        own = meta.get("price_level") if isinstance(meta, dict) else None
        levels = {**self.price_levels, label: own if own is not None else self.price_levels.get(None)}
        owns = {**self.own_price_levels, **({label: own} if own is not None else {})}
        return RawConfig(data, origins, self.text, self.path, self.files, levels, owns)

    def price_level_of(self, dotted: str):
        """The price level of the file that set the key ``dotted`` (the top file's for a key
        of no known file, e.g. one a scenario or an override set)."""
        label = _lookup(self.origins, dotted)
        return self.price_levels.get(label, self.price_levels.get(None))


_TOP = "\0top"  # the top file's label in origins while merging (no file path can equal it)


def _whole(path: tuple[str, ...]) -> bool:
    return any(len(p) == len(path) and all(a in ("*", b) for a, b in zip(p, path)) for p in WHOLE_TABLES)


def _lookup(origins: dict, dotted: str) -> str | None:
    while dotted:
        if dotted in origins:
            return origins[dotted]
        dotted = dotted.rpartition(".")[0]
    return None


def _merge(base: dict, child: dict, origins: dict, child_origins: dict | str, prefix: tuple = ()) -> dict:
    """Merge ``child`` into a copy of ``base``.

    ``origins`` maps each key path set so far to its file; ``child_origins`` is
    the child's own map, or one file label for all of the child's keys.
    """
    out = dict(base)
    for key, value in child.items():
        path = prefix + (key,)
        dotted = ".".join(path)
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and "dist" not in value and "dist" not in old and not _whole(path):
            out[key] = _merge(old, value, origins, child_origins, path)
            continue
        out[key] = value
        for k in [k for k in origins if k == dotted or k.startswith(dotted + ".")]:
            del origins[k]
        if isinstance(child_origins, str):
            origins[dotted] = child_origins
        else:
            for k, v in child_origins.items():
                if k == dotted or k.startswith(dotted + "."):
                    origins[k] = v
            if dotted not in origins and (inherited := _lookup(child_origins, dotted)) is not None:
                origins[dotted] = inherited
    return out


def _parse(text: str, label: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{label} is not valid TOML: {exc}") from None


def decode_toml(data: bytes, label: str) -> str:
    """A TOML file's bytes as text: UTF-8, with or without the byte-order mark Windows editors write.

    TOML is UTF-8 by its specification; a BOM (``EF BB BF``, which Notepad
    and Excel put first) is not TOML, and is dropped here.

    Raises
    ------
    ConfigError
        Not UTF-8, naming the line and the first byte that is not.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)  # utf-8-sig counts after the BOM
        line = data.count(b"\n", 0, at) + 1
        hint = " (UTF-16: save it as UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else " (save it as UTF-8)"
        raise ConfigError("", f"'{label}' is not UTF-8 text: line {line} has the byte 0x{data[at]:02x}{hint}") from None


def _read_text(path: Path, label: str, referrer: str, source: str | None = None) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(referrer, f"file '{label}' not found", source) from None
    except IsADirectoryError:
        raise ConfigError(referrer, f"'{label}' is a folder, not a config file", source) from None
    except OSError as exc:
        raise ConfigError(referrer, f"cannot read '{label}': {exc.strerror}", source) from None
    try:
        return decode_toml(data, label)
    except ConfigError as exc:
        raise ConfigError(referrer, exc.problem, source) from None


def _extends_list(data: dict, source: str | None) -> list[str]:
    ext = data.pop("extends", [])
    if isinstance(ext, str):
        ext = [ext]
    if not isinstance(ext, list) or not all(isinstance(e, str) and e for e in ext):
        raise ConfigError("extends", "must be a file path or a list of file paths", source)
    return ext


def _resolve(
    data: dict, folder: Path, top: Path, stack: tuple[Path, ...], files: list[str], label: str, source: str | None, levels: dict
) -> tuple[dict, dict]:
    """One file's bases merged in order, then the file itself; and the origins.

    ``label`` names the file in origins; ``source`` is the same for a base
    file and None for the top file (errors in it need no file name).
    ``levels`` collects ``(own, effective)`` price levels by label.
    """
    merged: dict = {}
    origins: dict = {}
    meta = data.get("meta")
    own = meta.get("price_level") if isinstance(meta, dict) else None
    inherited = None
    for rel in _extends_list(data, source):
        target = (folder / rel).resolve()
        shown = os.path.relpath(target, top)
        if target in stack:
            chain = " → ".join(os.path.relpath(p, top) for p in stack + (target,))
            raise ConfigError("extends", f"cycle: {chain}", source)
        text = _read_text(target, shown, "extends", source)
        files.append(shown)
        base_data, base_origins = _resolve(_parse(text, shown), target.parent, top, stack + (target,), files, shown, shown, levels)
        merged = _merge(merged, base_data, origins, base_origins)
        if levels[shown][1] is not None:
            inherited = levels[shown][1]
    merged = _merge(merged, data, origins, label)
    levels[label] = (own, own if own is not None else inherited)
    return merged, origins


def read_config(path: str | os.PathLike) -> RawConfig:
    """Read a config file and its ``extends`` chain into merged tables.

    Raises
    ------
    ConfigError
        Missing or unreadable file, invalid TOML, or a cycle of ``extends``.
    """
    path = Path(path)
    top = path.resolve()
    text = _read_text(top, str(path), "")  # '' path: the message is about the file itself
    return _finish(text, top.parent, top, str(path))


def read_config_string(text: str, folder: str | os.PathLike = ".") -> RawConfig:
    """Like :func:`read_config` for TOML text; ``extends`` is relative to ``folder``."""
    folder = Path(folder).resolve()
    return _finish(text.removeprefix("\ufeff"), folder, None, "the config")


def _finish(text: str, folder: Path, top: Path | None, label: str) -> RawConfig:
    data = _parse(text, label)
    files = [label]
    stack = (top,) if top is not None else ()
    levels: dict = {}
    merged, origins = _resolve(copy.deepcopy(data), folder, folder, stack, files, _TOP, None, levels)
    # Keys of the top file need no origin in messages, but keep their entries
    # (as None) so that they shadow a base file's entry for an enclosing table.
    origins = {k: (None if v == _TOP else v) for k, v in origins.items()}
    levels = {(None if k == _TOP else k): v for k, v in levels.items()}
    return RawConfig(
        merged,
        origins,
        text,
        top,
        tuple(files),
        price_levels={k: v[1] for k, v in levels.items()},
        own_price_levels={k: v[0] for k, v in levels.items() if v[0] is not None},
    )
