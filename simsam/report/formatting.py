"""Numbers as Swedish (or English) readers expect them in a report.

Swedish (Språkrådet, *Svenska skrivregler*): a space between thousands
(``1 234 567 kr``), a decimal comma (``2,6 mkr``), a space before the per cent
sign (``83 %``) and a real minus sign (``−4,8 mkr``). English: ``1,234,567 kr``,
``SEK 2.6m`` is avoided in favour of the same units as the Swedish text
(``2.6 Mkr``), ``83%``.

:class:`Formatter` holds the language and the space character: plain spaces
by default, no-break spaces (``"\\u00a0"``) in HTML so that a number never
breaks across lines.

>>> sv = Formatter("sv")
>>> sv.kr(1234567)
'1 234 567 kr'
>>> sv.mkr(2.6e6)
'2,6 mkr'
>>> sv.pct(0.834)
'83 %'
>>> Formatter("en").mkr(-4.8e6)
'−4.8 Mkr'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Formatter", "LANGUAGES", "MINUS"]

LANGUAGES = ("sv", "en")
MINUS = "\u2212"


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Formatter:
    """Formats numbers for one language.

    Parameters
    ----------
    lang : {"sv", "en"}
    space : str
        The space between thousands and before units (``"\\u00a0"`` in HTML).
    missing : str
        Shown for NaN or None.
    """

    lang: str = "sv"
    space: str = " "
    missing: str = "–"

    def __post_init__(self):
        if self.lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {LANGUAGES}, not {self.lang!r}")

    # -- plain numbers -------------------------------------------------------------------------
    def number(self, x, decimals: int = 0) -> str:
        """``1 234 567`` / ``1,234,567``; ``decimals`` after the decimal sign."""
        if not _finite(x):
            return self.missing
        x = float(x)
        text = f"{abs(x):,.{decimals}f}"
        if round(abs(x), decimals) == 0:
            x = 0.0  # no "−0"
        if self.lang == "sv":
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", self.space)
        return (MINUS if x < 0 else "") + text

    def decimal(self, x, decimals: int = 2) -> str:
        """A plain number with a fixed number of decimals, without thousands grouping."""
        if not _finite(x):
            return self.missing
        text = f"{abs(float(x)):.{decimals}f}"
        if self.lang == "sv":
            text = text.replace(".", ",")
        negative = float(x) < 0 and round(abs(float(x)), decimals) != 0
        return (MINUS if negative else "") + text

    def significant(self, x, digits: int = 3) -> str:
        """A number to about ``digits`` significant figures, thousands grouped (for inputs).

        >>> Formatter("sv").significant(18696), Formatter("en").significant(0.0665)
        ('18 700', '0.0665')
        """
        if not _finite(x):
            return self.missing
        x = float(x)
        if x == 0:
            return "0"
        magnitude = math.floor(math.log10(abs(x)))
        places = digits - 1 - magnitude  # negative: round to tens, hundreds, ...
        decimals = max(0, places)
        text = self.number(round(x, places), decimals)
        if decimals and self.lang == "sv" and "," in text:
            text = text.rstrip("0").rstrip(",")
        elif decimals and self.lang == "en" and "." in text:
            text = text.rstrip("0").rstrip(".")
        return text

    # -- money ---------------------------------------------------------------------------------
    def kr(self, x) -> str:
        """Whole kronor: ``1 234 567 kr``."""
        if not _finite(x):
            return self.missing
        return f"{self.number(x, 0)}{self.space}kr"

    def mkr(self, x, decimals: int | None = None) -> str:
        """Millions of kronor: ``2,6 mkr`` (Swedish) / ``2.6 Mkr`` (English).

        ``decimals`` defaults to one, or two below one million so that small
        amounts do not all read ``0,0 mkr``.
        """
        if not _finite(x):
            return self.missing
        if decimals is None:
            decimals = 1 if abs(float(x)) >= 0.995e6 or float(x) == 0 else 2
        unit = "mkr" if self.lang == "sv" else "Mkr"
        return f"{self.number(float(x) / 1e6, decimals)}{self.space}{unit}"

    def money(self, x) -> str:
        """Kronor in the unit a reader expects: ``mkr`` from 100 000 kr, whole tens of kronor from 1 000 kr.

        >>> Formatter("sv").money(2.64e6), Formatter("sv").money(48_321)
        ('2,6 mkr', '48 320 kr')
        """
        if not _finite(x):
            return self.missing
        return self.mkr(x) if abs(float(x)) >= 1e5 else self.kr(round(float(x), -1) if abs(float(x)) >= 1e3 else x)

    # -- shares and probabilities --------------------------------------------------------------
    def pct(self, p, decimals: int | None = None) -> str:
        """A share as per cent: ``83 %`` / ``83%``; one decimal below 10 % unless ``decimals``."""
        if not _finite(p):
            return self.missing
        value = 100 * float(p)
        if decimals is None:
            decimals = 1 if 0 < abs(value) < 9.95 else 0
        sign = f"{self.space}%" if self.lang == "sv" else "%"
        return f"{self.decimal(value, decimals)}{sign}"

    def prob(self, p) -> str:
        """A probability with two decimals, ``0,93``; ``> 0,99`` / ``< 0,01`` when rounding would claim certainty.

        >>> Formatter("sv").prob(0.934), Formatter("sv").prob(0.998), Formatter("en").prob(1.0)
        ('0,93', '> 0,99', '1.00')
        """
        if not _finite(p):
            return self.missing
        p = float(p)
        if 0 < p < 0.005:
            return f"<{self.space}{self.decimal(0.01)}"
        if 0.995 <= p < 1:
            return f">{self.space}{self.decimal(0.99)}"
        return self.decimal(p, 2)

    # -- time ----------------------------------------------------------------------------------
    def month_value(self, m, horizon: int) -> str:
        """A month count, or ``> 60`` when it is beyond the horizon (NaN)."""
        if not _finite(m):
            return f">{self.space}{horizon}"
        return self.number(m, 0)

    def months(self, m, horizon: int, long: bool = False) -> str:
        """``34 mån`` / ``34 months``; ``ej inom 60 mån`` / ``not within 60 months`` for NaN; ``long``: ``34 månader``."""
        unit = ("månader" if long else "mån") if self.lang == "sv" else "months"
        if not _finite(m):
            return f"ej inom {horizon}{self.space}{unit}" if self.lang == "sv" else f"not within {horizon}{self.space}{unit}"
        return f"{self.number(m, 0)}{self.space}{unit}"

    def month_interval(self, lo, hi, horizon: int, long: bool = False) -> str:
        """``20–58 mån``; ``20 – över 60 mån`` when the upper end is beyond the horizon (NaN); ``long``: ``månader``.

        >>> Formatter("sv").month_interval(20, 58, 60), Formatter("sv").month_interval(20, float("nan"), 60)
        ('20–58 mån', '20 – över 60 mån')
        """
        unit = ("månader" if long else "mån") if self.lang == "sv" else "months"
        if not _finite(lo):
            return f"{'över' if self.lang == 'sv' else 'over'} {horizon}{self.space}{unit}"
        if not _finite(hi):
            over = "över" if self.lang == "sv" else "over"
            return f"{self.number(lo)} – {over} {horizon}{self.space}{unit}"
        return f"{self.number(lo)}–{self.number(hi)}{self.space}{unit}"

    # -- intervals -----------------------------------------------------------------------------
    def interval(self, lo, hi, fmt) -> str:
        """``lo–hi`` formatted by ``fmt`` (e.g. :meth:`mkr`), the shared unit written once.

        With a negative end the dash would read as a minus: ``−1,2 till 3,4 mkr``.

        >>> sv = Formatter("sv")
        >>> sv.interval(1.2e6, 3.4e6, sv.mkr), sv.interval(-0.66e6, 15.18e6, sv.mkr)
        ('1,2–3,4 mkr', '−0,7 till 15,2 mkr')
        """
        if getattr(fmt, "__func__", None) is Formatter.mkr and _finite(lo) and _finite(hi):
            biggest = max(abs(float(lo)), abs(float(hi)))
            a, b = self.mkr(lo, 1 if biggest >= 0.995e6 else 2), self.mkr(hi, 1 if biggest >= 0.995e6 else 2)
        elif getattr(fmt, "__func__", None) is Formatter.pct and _finite(lo) and _finite(hi):
            biggest = max(abs(float(lo)), abs(float(hi)))
            a, b = self.pct(lo, 1 if 0 < biggest < 0.0995 else 0), self.pct(hi, 1 if 0 < biggest < 0.0995 else 0)
        else:
            a, b = fmt(lo), fmt(hi)
        joiner = "–"
        if a.startswith(MINUS) or b.startswith(MINUS) or a == self.missing or b == self.missing:
            joiner = " till " if self.lang == "sv" else " to "
        for unit in ("mkr", "Mkr", "kr", "%"):
            tail = (self.space if unit != "%" or self.lang == "sv" else "") + unit
            if a.endswith(tail) and b.endswith(tail) and a[: -len(tail)][-1:].isdigit():
                return f"{a[: -len(tail)]}{joiner}{b}"
        return f"{a}{joiner}{b}"
