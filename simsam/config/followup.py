"""Reading follow-up data (SUS): a participant-level CSV and the mapping of its status codes.

Coordination associations record each participant's status at entry and at
exit in their follow-up system (SUS). This module reads such an export, one row
per participant, and maps the statuses onto a config's benefits and outcome
states. It is the config layer's reader: a config's outcome shares may come
from such a file (:mod:`simsam.config.build`)::

    [outcomes]
    shares = { dist = "dirichlet", counts_file = "sus.csv", counts_map = "sus_map.toml", prior = 1.0 }

which is the Dirichlet posterior ``counts + prior`` of the file's exit statuses,
exactly as if the counts had been written by hand (paths relative to the config
file that sets them). ``simsam evidence`` uses it too, to write a config snippet
and a report. Errors about a file as a whole carry an empty key path: the caller
names the option (``--map``) or config key (``outcomes.shares.counts_map``) that
gave the file.
The CSV (comma or semicolon separated; header row first)
--------------------------------------------------------
Its encoding is found by :func:`decode_export` and reported: UTF-8 (with or
without the byte-order mark Excel writes for "CSV UTF-8"), UTF-16 (Excel's
"Unicode text", with or without a BOM) and Windows-1252 / Latin-1 (what Excel
on a Swedish Windows writes for plain "CSV"), in that order.
==================  ==========================================================
column              meaning
==================  ==========================================================
``id``              participant id (any text, unique; a pseudonym, never a
                    personal identity number)
``entry_date``      date of entry, ISO ``YYYY-MM-DD``
``exit_date``       date of exit, ISO ``YYYY-MM-DD``, not before ``entry_date``
``entry_status``    status code at entry (mapped to a benefit by ``[entry]``)
``exit_status``     status code at exit (mapped to an outcome state by ``[exit]``)
==================  ==========================================================

Other columns are allowed and listed as not used. A SUS export with its own
column names is read through the mapping's ``[columns]`` table.

The mapping (TOML)
------------------
::

    config = "../../configs/samverkansteamet.toml"   # optional: names are checked against it
    [columns]            # optional: our column name = the file's column name
    id = "Löpnummer"
    [entry]              # status at entry = a benefit of the config, or "none" (no benefit)
    "Försörjningsstöd" = "social_assistance"
    "Ingen ersättning" = "none"
    [exit]               # status at exit = an outcome state, or "exclude"
    "Arbete" = "work"
    "Flyttat" = "exclude"

A participant whose exit status maps to ``"exclude"`` (moved away, deceased) is
left out of the outcome counts, the BEFORE mix and the exit months, and counted
as excluded in every report: nothing is dropped silently. Rows that cannot be
used (a missing field, an unknown status, an unparseable date, an exit before
entry, a duplicate id) stop the import, every one of them reported by its line
number (:class:`BadRows`).

Exit months are whole calendar months from the first exit:
``12·(year − year₀) + (month − month₀)``.

A running project's export (``simsam monitor``) also has participants who have
not left yet: read with ``open_rows=True``, a row whose ``exit_date`` and
``exit_status`` are both empty is a participant still in the project
(``exit_date`` None); one of the two empty is still a bad row.
:meth:`FollowUp.as_of` gives the file as it stood on a date.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ConfigError, unknown_key_error
from .loading import decode_toml

__all__ = [
    "COLUMNS",
    "NO_BENEFIT",
    "EXCLUDE",
    "Mapping",
    "Participant",
    "FollowUp",
    "BadRows",
    "read_mapping",
    "read_followup",
    "decode_export",
]

#: The columns of a follow-up CSV, in the order written by the example generator.
COLUMNS = ("id", "entry_date", "exit_date", "entry_status", "exit_status")
#: ``[entry]`` value: the participant had no benefit at entry.
NO_BENEFIT = "none"
#: ``[exit]`` value: the participant is left out of the counts (and reported as such).
EXCLUDE = "exclude"
MAPPING_KEYS = ("config", "columns", "entry", "exit")


class BadRows(ConfigError):
    """Rows of a follow-up CSV that cannot be used, all of them, by line number.

    ``str()`` is a multi-line report (for ``simsam evidence``); :meth:`one_line`
    the same on one line (for a config's ``counts_file``).

    Attributes
    ----------
    file : str
    problems : list of (int, str)
        ``(line number, what is wrong)``; line 1 is the header.
    """

    def __init__(self, file: str, problems: list[tuple[int, str]], encoding: str = "UTF-8"):
        self.file = file
        self.problems = problems
        self.encoding = encoding
        super().__init__("", self.one_line())

    def _read_as(self) -> str:
        # A wrong guess between 8-bit encodings shows as mangled status codes: say what was assumed.
        return "" if self.encoding.startswith("UTF") else f" (read as {self.encoding})"

    def one_line(self) -> str:
        n = len(self.problems)
        return f"{self.file}: {n} bad row{'s' if n != 1 else ''} (nothing imported){self._read_as()}: " + "; ".join(
            f"line {i}: {p}" for i, p in self.problems
        )

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{self.file}: {n} bad row{'s' if n != 1 else ''}, nothing imported{self._read_as()}:"
        return "\n".join([head] + [f"  line {i}: {p}" for i, p in self.problems])


@dataclass(frozen=True)
class Mapping:
    """A mapping TOML: status codes → benefits and outcome states.

    Attributes
    ----------
    path : Path
    columns : dict
        Our column name → the file's column name.
    entry : dict
        Entry status code → benefit id or :data:`NO_BENEFIT`.
    exit : dict
        Exit status code → state id or :data:`EXCLUDE`.
    config : Path or None
        The config it is written for (resolved), if it says so.
    """

    path: Path
    columns: dict[str, str]
    entry: dict[str, str]
    exit: dict[str, str]
    config: Path | None = None

    def check(self, benefits, states, label: str) -> None:
        """Every mapped benefit and state must be one of the config's.

        Raises
        ------
        ConfigError
            Naming the mapping's key and the nearest valid name.
        """

        for table, valid, special, what in (("entry", benefits, NO_BENEFIT, "benefit"), ("exit", states, EXCLUDE, "state")):
            for code, name in getattr(self, table).items():
                if name != special and name not in valid:
                    err = unknown_key_error(
                        f'{table}."{code}"', name, list(valid) + [special], what=f"{what} of {label}", source=str(self.path)
                    )
                    raise err


@dataclass(frozen=True)
class Participant:
    id: str
    line: int
    entry_date: dt.date
    exit_date: dt.date | None  # None: still in the project (a running project's export, ``open_rows``)
    entry_status: str
    exit_status: str  # "" while still in the project


@dataclass(frozen=True)
class FollowUp:
    """A validated follow-up file, mapped.

    Attributes
    ----------
    file : str
    participants : tuple of Participant
        Every row, in file order (excluded ones too).
    mapping : Mapping
    unused_columns : tuple of str
    encoding : str
        How the file was decoded (:func:`decode_export`), e.g. ``"Windows-1252 (Latin-1)"``.
    """

    file: str
    participants: tuple[Participant, ...]
    mapping: Mapping
    unused_columns: tuple[str, ...] = ()
    encoding: str = "UTF-8"

    @property
    def included(self) -> tuple[Participant, ...]:
        """Participants who have left with a status that counts (not excluded, not still in the project)."""
        return tuple(p for p in self.exited if self.mapping.exit[p.exit_status] != EXCLUDE)

    @property
    def excluded(self) -> dict[str, int]:
        """Excluded participants per exit status code."""
        return dict(Counter(p.exit_status for p in self.exited if self.mapping.exit[p.exit_status] == EXCLUDE))

    @property
    def exited(self) -> tuple[Participant, ...]:
        """Participants who have left the project (with any exit status)."""
        return tuple(p for p in self.participants if p.exit_date is not None)

    @property
    def in_project(self) -> tuple[Participant, ...]:
        """Participants who have entered and not left (rows without an exit, ``open_rows``)."""
        return tuple(p for p in self.participants if p.exit_date is None)

    def as_of(self, date: dt.date) -> FollowUp:
        """The file as it stood on ``date``: participants who entered after it left out, exits after it still open."""
        rows = tuple(
            p if p.exit_date is None or p.exit_date <= date else replace(p, exit_date=None, exit_status="")
            for p in self.participants
            if p.entry_date <= date
        )
        return replace(self, participants=rows)

    def outcome_counts(self, states=()) -> dict[str, int]:
        """Participants per outcome state: ``states`` first (zero if absent), then the mapping's other states."""
        order = list(states) + [s for s in self.mapping.exit.values() if s != EXCLUDE]
        counts = Counter(self.mapping.exit[p.exit_status] for p in self.included)
        return {s: counts.get(s, 0) for s in dict.fromkeys(order)}

    def entry_counts(self) -> dict[str, int]:
        """Included participants per benefit at entry (:data:`NO_BENEFIT` for none), mapping order."""
        counts = Counter(self.mapping.entry[p.entry_status] for p in self.included)
        return {b: counts[b] for b in dict.fromkeys(self.mapping.entry.values()) if counts.get(b)}

    def exit_months(self) -> list[int]:
        """Included participants' exit months after the first exit (calendar months), sorted."""
        dates = [p.exit_date for p in self.included]
        if not dates:
            return []
        first = min(dates)
        return sorted(12 * (d.year - first.year) + d.month - first.month for d in dates)

    @property
    def first_exit(self) -> dt.date | None:
        return min((p.exit_date for p in self.included), default=None)


def _table(data: dict, key: str, path: Path) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(key, "must be a table of status code = name", str(path))
    for code, name in value.items():
        if not isinstance(name, str) or not name:
            raise ConfigError(f'{key}."{code}"', "must be a name (a string)", str(path))
    return dict(value)


def read_mapping(path: str | Path, label: str | None = None) -> Mapping:
    """Read a mapping TOML (see the module docstring).

    Parameters
    ----------
    path : str or Path
    label : str, optional
        How the file is named in messages (default: ``path`` as given).

    Raises
    ------
    ConfigError
        A missing or unreadable file (empty key path: the caller names the
        option or key that gave the file), invalid TOML, an unknown key, or an
        empty ``[exit]`` (key paths inside the mapping, its file as source).
    """

    path = Path(path)
    label = label or str(path)
    try:
        data = tomllib.loads(decode_toml(path.read_bytes(), label))
    except FileNotFoundError:
        raise ConfigError("", f"file '{label}' not found") from None
    except OSError as exc:
        raise ConfigError("", f"cannot read '{label}': {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{label} is not valid TOML: {exc}") from None
    for key in data:
        if key not in MAPPING_KEYS:
            raise unknown_key_error(key, key, MAPPING_KEYS, source=str(path))
    columns = _table(data, "columns", path)
    for col in columns:
        if col not in COLUMNS:
            raise unknown_key_error(f"columns.{col}", col, COLUMNS, what="column", source=str(path))
    entry, exit_ = _table(data, "entry", path), _table(data, "exit", path)
    if not exit_:
        raise ConfigError("exit", "missing or empty: map each status at exit to an outcome state", str(path))
    if not entry:
        raise ConfigError("entry", f"missing or empty: map each status at entry to a benefit, or to \"{NO_BENEFIT}\"", str(path))
    config = data.get("config")
    if config is not None and (not isinstance(config, str) or not config):
        raise ConfigError("config", "must be the path of a config file, relative to the mapping", str(path))
    return Mapping(path, columns, entry, exit_, (path.parent / config).resolve() if config else None)


#: Characters that are not text: C0 controls but tab, line feed and carriage return; C1 controls (Latin-1's 0x80-0x9F).
_NOT_TEXT = {c for c in range(0x20) if c not in (9, 10, 13)} | set(range(0x7F, 0xA0))


def _first_not_text(text: str) -> int | None:
    for i, ch in enumerate(text):
        if ord(ch) in _NOT_TEXT:
            return i
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``-be`` when every other byte is NUL (ASCII-heavy text without a BOM), else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    if odd > 0.6 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.6 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def decode_export(data: bytes, label: str) -> tuple[str, str]:
    """A follow-up export's bytes as text, and the encoding found.

    Tried in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without
    one (every other byte NUL); UTF-8; Windows-1252, reported as
    ``Latin-1 (ISO-8859-1)`` when the file has none of the bytes 0x80-0x9F
    where the two differ. A decoding that yields control characters (a binary
    file, a spreadsheet saved as .csv) is refused.

    Returns
    -------
    (str, str)
        The text (without a BOM) and the encoding's name as people know it.

    Raises
    ------
    ConfigError
        No encoding gives text, naming the line of the first byte that is not.
    """
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (little-endian, with BOM)"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (big-endian, with BOM)"),
    )
    candidates = [(codec, name) for bom, codec, name in boms if data.startswith(bom)][:1]
    if not candidates:
        utf16 = _utf16_without_bom(data)
        if utf16:
            candidates.append((utf16, f"UTF-16 ({'little' if utf16.endswith('le') else 'big'}-endian, no BOM)"))
        latin1 = not any(0x80 <= b <= 0x9F for b in data)
        candidates += [("utf-8", "UTF-8"), ("cp1252", "Latin-1 (ISO-8859-1)" if latin1 else "Windows-1252")]
    first_bad = None  # byte offset of the first byte the last (most forgiving) candidate could not read as text
    for codec, name in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            first_bad = exc.start + (len(codecs.BOM_UTF8) if codec == "utf-8-sig" else 0)  # utf-8-sig counts after its BOM
            continue
        bad = _first_not_text(text)
        if bad is None:
            return text, name
        first_bad = len(text[:bad].encode(codec))  # with the codec's own BOM, as in the file
    line, byte = 1, ""
    if first_bad is not None and first_bad < len(data):
        line = data.count(b"\n", 0, first_bad) + 1
        byte = f" has the byte 0x{data[first_bad]:02x}"
    hint = " (it looks like an Excel workbook)" if data.startswith(b"PK\x03\x04") else ""
    raise ConfigError(
        "",
        f"follow-up file '{label}' is not text in UTF-8, UTF-16 or Windows-1252/Latin-1: line {line}{byte}{hint}; "
        "save it from Excel as CSV UTF-8",
    )


def _date(text: str, column: str) -> tuple[dt.date | None, str | None]:
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, f"{column} '{text}' is not a date YYYY-MM-DD"


def _unknown(code: str, table: dict, column: str, section: str) -> str:

    close = difflib.get_close_matches(code, list(table), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{column} '{code}' is not in the mapping's [{section}]{hint}"


def read_followup(path: str | Path, mapping: Mapping, label: str | None = None, *, open_rows: bool = False) -> FollowUp:
    """Read and check a follow-up CSV; every bad row is reported, none dropped.

    Parameters
    ----------
    path : str or Path
    mapping : Mapping
    label : str, optional
        How the file is named in messages (default: ``path`` as given).
    open_rows : bool
        Accept participants still in the project: ``exit_date`` and ``exit_status`` both empty.

    Raises
    ------
    ConfigError
        The file is missing or unreadable, or its header lacks a column.
    BadRows
        One or more rows cannot be used; all are listed by line number.
    """
    path = Path(path)
    label = label or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("", f"follow-up file '{label}' not found") from None
    except OSError as exc:
        raise ConfigError("", f"cannot read follow-up file '{label}': {exc.strerror}") from None
    text, encoding = decode_export(data, label)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise ConfigError("", f"follow-up file '{label}' is empty: expected a header row {','.join(COLUMNS)}")
    header = [h.strip() for h in header]
    names = {c: mapping.columns.get(c, c) for c in COLUMNS}
    missing = [n for n in names.values() if n not in header]
    if missing:
        raise ConfigError(
            "",
            f"{label}: line 1: the header lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} (it has {', '.join(header)})",
        )
    index = {c: header.index(n) for c, n in names.items()}
    unused = tuple(h for h in header if h not in names.values())
    problems: list[tuple[int, str]] = []
    rows: list[Participant] = []
    seen: dict[str, int] = {}
    line = 1
    for record in reader:
        line = reader.line_num
        if not record or all(not f.strip() for f in record):
            continue  # a blank line is no participant
        if len(record) != len(header):
            problems.append((line, f"{len(record)} fields, the header has {len(header)}"))
            continue
        f = {c: record[i].strip() for c, i in index.items()}
        still_in = open_rows and not f["exit_date"] and not f["exit_status"]
        errors = [f"{names[c]} is empty" for c in COLUMNS if not f[c] and not (still_in and c in ("exit_date", "exit_status"))]
        entry, exit_ = None, None
        if f["entry_date"]:
            entry, e = _date(f["entry_date"], names["entry_date"])
            errors += [e] if e else []
        if f["exit_date"]:
            exit_, e = _date(f["exit_date"], names["exit_date"])
            errors += [e] if e else []
        if entry and exit_ and exit_ < entry:
            errors.append(f"exit {exit_} is before entry {entry}")
        if f["entry_status"] and f["entry_status"] not in mapping.entry:
            errors.append(_unknown(f["entry_status"], mapping.entry, names["entry_status"], "entry"))
        if f["exit_status"] and f["exit_status"] not in mapping.exit:
            errors.append(_unknown(f["exit_status"], mapping.exit, names["exit_status"], "exit"))
        if f["id"]:
            if f["id"] in seen:
                errors.append(f"duplicate id '{f['id']}' (first on line {seen[f['id']]})")
            else:
                seen[f["id"]] = line
        if errors:
            problems.append((line, "; ".join(errors)))
            continue
        rows.append(Participant(f["id"], line, entry, exit_, f["entry_status"], f["exit_status"]))  # type: ignore[arg-type]
    if problems:
        raise BadRows(label, problems, encoding)
    if not rows:
        raise ConfigError("", f"follow-up file '{label}' has no participants (only a header)")
    return FollowUp(label, tuple(rows), mapping, unused, encoding)
