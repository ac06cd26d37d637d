"""Write the example follow-up export ``experiments/data/example_sus.csv``.

Fake participants, not real people: ids ``EX-001`` …, dates and statuses drawn
from a fixed-seed NumPy Generator, so the file is the same on every machine.
It imitates a SUS export of Samverkansteamet (seed 002: 81 participants who
ended between November 2014 and September 2016) with Swedish status codes;
``experiments/data/example_sus_map.toml`` maps them to
``configs/samverkansteamet.toml``'s benefits and outcome states.

    python experiments/make_example_sus.py            # rewrites the CSV
    simsam evidence experiments/data/example_sus.csv --map experiments/data/example_sus_map.toml
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent / "data" / "example_sus.csv"
SEED = 20_161_130
PARTICIPANTS = 81
FIRST_EXIT, LAST_EXIT = dt.date(2014, 11, 3), dt.date(2016, 9, 30)

#: Status at entry and its probability (the report: ~50 % social assistance,
#: ~37.5 % sickness insurance, ~12.5 % activity support; a few with none).
ENTRY = {"Försörjningsstöd": 0.47, "Sjukpenning": 0.36, "Aktivitetsstöd": 0.13, "Ingen ersättning": 0.04}
#: Status at exit and its probability (about 20 / 35 / 26 of 81 as in configs/samverkansteamet.toml, two moved away).
EXIT = {
    "Arbete": 0.14,
    "Arbete med lönebidrag": 0.10,
    "Studier": 0.08,
    "Arbetssökande med aktivitetsstöd": 0.24,
    "Arbetsträning": 0.11,
    "Sjukskriven": 0.17,
    "Sjuk- eller aktivitetsersättning": 0.14,
    "Flyttat": 0.02,
}


def participants(rng: np.random.Generator) -> list[dict[str, str]]:
    span = (LAST_EXIT - FIRST_EXIT).days
    exit_days = np.sort(rng.integers(0, span + 1, PARTICIPANTS))
    exit_days[0] = 0  # the first exit on FIRST_EXIT
    stay_days = rng.integers(90, 730, PARTICIPANTS)  # 3 months to 2 years in the project
    entry = rng.choice(list(ENTRY), size=PARTICIPANTS, p=list(ENTRY.values()))
    exit_ = rng.choice(list(EXIT), size=PARTICIPANTS, p=list(EXIT.values()))
    rows = []
    for i in range(PARTICIPANTS):
        out = FIRST_EXIT + dt.timedelta(days=int(exit_days[i]))
        rows.append(
            {
                "id": f"EX-{i + 1:03d}",
                "entry_date": (out - dt.timedelta(days=int(stay_days[i]))).isoformat(),
                "exit_date": out.isoformat(),
                "entry_status": str(entry[i]),
                "exit_status": str(exit_[i]),
            }
        )
    order = rng.permutation(PARTICIPANTS)  # an export is not sorted by exit
    return [rows[j] for j in order]


def main() -> None:
    rows = participants(np.random.default_rng(SEED))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "entry_date", "exit_date", "entry_status", "exit_status"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} fake participants)")


if __name__ == "__main__":
    main()
