"""Follow-up data import: ``simsam evidence`` and ``outcomes.shares = { dist = "dirichlet", counts_file = .., counts_map = .. }``."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from pathlib import Path

import pytest

import simsam
from simsam.cli import main
from simsam.config.followup import BadRows, read_followup, read_mapping

from .helpers import DATA

EVIDENCE = DATA / "evidence"
EXPERIMENTS = Path(__file__).parents[1] / "experiments"
SMALL_COUNTS = {"work": 3, "improved": 2, "not_improved": 2}  # by hand from small.csv (A8 moved away: excluded)
FROM_FILE = 'shares = { dist = "dirichlet", counts_file = "small.csv", counts_map = "small_map.toml" }'
SHARES_LINE = 'shares = { dist = "dirichlet", counts = { work = 20, improved = 35, not_improved = 26 }, prior = 1.0 }'


def test_small_file_counts_by_hand():
    fu = read_followup(EVIDENCE / "small.csv", read_mapping(EVIDENCE / "small_map.toml"))
    assert fu.outcome_counts() == SMALL_COUNTS
    assert fu.excluded == {"FLYTT": 1}
    assert fu.entry_counts() == {"social_assistance": 4, "sickness_benefit": 2, "none": 1}
    # first exit 2020-06-30 (A1); A7 exits 2021-06 = month 12; A8 (excluded) is not counted
    assert fu.exit_months() == [0, 2, 3, 7, 8, 9, 12]
    assert fu.unused_columns == ("age_group",)


def test_example_csv_counts_equal_a_hand_count():
    """The shipped example, counted independently with the csv module and the mapping read by tomllib."""
    data = EXPERIMENTS / "data"
    mapping = tomllib.loads((data / "example_sus_map.toml").read_text(encoding="utf-8"))
    with open(data / "example_sus.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hand = Counter(mapping["exit"][r["exit_status"]] for r in rows)
    excluded = hand.pop("exclude", 0)
    fu = read_followup(data / "example_sus.csv", read_mapping(data / "example_sus_map.toml"))
    assert fu.outcome_counts() == dict(hand)
    assert len(rows) == 81 and sum(hand.values()) + excluded == 81
    assert dict(hand) == {"work": 24, "improved": 32, "not_improved": 21} and excluded == 4  # pinned


def test_example_csv_is_what_the_script_writes(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_example_sus", EXPERIMENTS / "make_example_sus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path / "x.csv")
    module.main()
    assert (tmp_path / "x.csv").read_text(encoding="utf-8") == (EXPERIMENTS / "data" / "example_sus.csv").read_text(encoding="utf-8")


def test_posterior_equals_counts_plus_prior(make_config):
    files = {n: (EVIDENCE / n).read_text(encoding="utf-8") for n in ("small.csv", "small_map.toml")}
    for prior in (1.0, 0.5):
        path = make_config(
            main=[
                (
                    SHARES_LINE,
                    f'shares = {{ dist = "dirichlet", counts_file = "small.csv", counts_map = "small_map.toml", prior = {prior} }}',
                )
            ],
            files=files,
        )
        shares = simsam.load_config(path).outcomes.shares
        assert shares.kind == "dirichlet" and shares.path == "outcomes.shares"
        assert dict(zip(shares.keys, shares.alpha)) == {k: c + prior for k, c in SMALL_COUNTS.items()}


def test_counts_file_gives_the_same_config_as_written_counts(make_config):
    files = {n: (EVIDENCE / n).read_text(encoding="utf-8") for n in ("small.csv", "small_map.toml")}
    a = simsam.load_config(make_config(main=[(SHARES_LINE, FROM_FILE)], files=files))
    b = simsam.load_config(
        make_config(
            main=[(SHARES_LINE, 'shares = { dist = "dirichlet", counts = { work = 3, improved = 2, not_improved = 2 }, prior = 1.0 }')]
        )
    )
    assert (a.outcomes.shares.keys, a.outcomes.shares.alpha) == (b.outcomes.shares.keys, b.outcomes.shares.alpha)


def test_bad_rows_all_reported_by_line_number():
    with pytest.raises(BadRows) as info:
        read_followup(EVIDENCE / "bad.csv", read_mapping(EVIDENCE / "small_map.toml"))
    lines = {i: p for i, p in info.value.problems}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]  # lines 2 and 10 are fine
    assert "before entry" in lines[3]
    assert "'ARBETE' is not in the mapping's [exit] (did you mean 'ARB'?)" in lines[4]
    assert "duplicate id 'B1' (first on line 2)" in lines[5]
    assert "'2020-13-05' is not a date" in lines[6]
    assert "exit_date is empty" in lines[7]
    assert "entry_status 'XX'" in lines[8]
    assert "4 fields" in lines[9]
    assert str(info.value).startswith(f"{EVIDENCE / 'bad.csv'}: 7 bad rows, nothing imported:\n  line 3:")


def test_bad_rows_in_a_config_are_one_line(make_config):
    files = {
        "bad.csv": (EVIDENCE / "bad.csv").read_text(encoding="utf-8"),
        "small_map.toml": (EVIDENCE / "small_map.toml").read_text(encoding="utf-8"),
    }
    path = make_config(main=[(SHARES_LINE, FROM_FILE.replace("small.csv", "bad.csv"))], files=files)
    with pytest.raises(
        simsam.ConfigError, match=r"^outcomes\.shares\.counts_file: bad\.csv: 7 bad rows \(nothing imported\): line 3: .*; line 9: 4 fields"
    ) as info:
        simsam.load_config(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "edit, match",
    [
        ('counts_file = "small.csv"', r"outcomes\.shares\.counts_map: missing: counts_file and counts_map go together"),
        (
            'counts_file = "small.csv", counts_map = "small_map.toml", counts = { work = 1, improved = 1 }',
            r"outcomes\.shares\.counts: give counts_file \(with counts_map\) or counts or mean, not two",
        ),
        ('counts_map = "small_map.toml"', r"outcomes\.shares\.counts_file: missing: counts_file and counts_map go together"),
        ('counts_file = "nope.csv", counts_map = "small_map.toml"', r"outcomes\.shares\.counts_file: follow-up file 'nope\.csv' not found"),
        ('counts_file = "small.csv", counts_map = "nope.toml"', r"outcomes\.shares\.counts_map: file 'nope\.toml' not found"),
        (
            'counts_file = "small.csv", counts_map = "other_map.toml"',
            r"outcomes\.shares\.counts_map: unknown state \(in other_map\.toml, exit\.\"ARB\"\) 'wrk' \(did you mean 'work'\?\)",
        ),
        ('counts_file = "small.csv", counts_map = "small_map.toml", prior = -1', r"outcomes\.shares\.prior: -1 is negative"),
        (
            'counts_file = "small.csv", counts_map = "small_map.toml", priro = 1',
            r"outcomes\.shares\.priro: unknown dirichlet key 'priro' \(did you mean 'prior'\?\)",
        ),
    ],
)
def test_counts_file_errors(make_config, edit, match):
    files = {n: (EVIDENCE / n).read_text(encoding="utf-8") for n in ("small.csv", "small_map.toml")}
    files["other_map.toml"] = files["small_map.toml"].replace('ARB = "work"', 'ARB = "wrk"')
    with pytest.raises(simsam.ConfigError, match=match):
        simsam.load_config(make_config(main=[(SHARES_LINE, 'shares = { dist = "dirichlet", ' + edit + " }")], files=files))


def test_cli_writes_snippet_that_fits_the_config(tmp_path, capsys):
    out = tmp_path / "ev"
    code = main(
        [
            "evidence",
            str(EVIDENCE / "small.csv"),
            "--map",
            str(EVIDENCE / "small_map.toml"),
            "--config",
            str(DATA / "minimal.toml"),
            "--prior",
            "0.5",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "7 counted, 1 excluded (FLYTT: 1)" in text and "columns not used: age_group" in text
    assert sorted(p.name for p in out.iterdir()) == ["evidence.json", "evidence.toml", "exits.csv", "report.txt"]
    snippet = tomllib.loads((out / "evidence.toml").read_text(encoding="utf-8"))
    assert snippet["outcomes"]["shares"] == {"dist": "dirichlet", "counts": SMALL_COUNTS, "prior": 0.5}
    assert snippet["project"]["participants"] == 7
    assert snippet["before"]["income"] == pytest.approx({"social_assistance": 4 / 7, "sickness_benefit": 2 / 7})
    cfg = simsam.config.override(simsam.load_config(DATA / "minimal.toml"), snippet)
    assert dict(zip(cfg.outcomes.shares.keys, cfg.outcomes.shares.alpha)) == {k: c + 0.5 for k, c in SMALL_COUNTS.items()}
    with open(out / "exits.csv", newline="", encoding="utf-8") as f:
        assert [int(r["exit_month"]) for r in csv.DictReader(f)] == [0, 2, 3, 7, 8, 9, 12]  # file order (A1..A7)


def test_cli_before_dirichlet(tmp_path):
    csv_text = (EVIDENCE / "small.csv").read_text(encoding="utf-8").replace("INGEN", "SP")
    (tmp_path / "s.csv").write_text(csv_text, encoding="utf-8")
    assert (
        main(
            [
                "evidence",
                str(tmp_path / "s.csv"),
                "--map",
                str(EVIDENCE / "small_map.toml"),
                "--before-dirichlet",
                "--out",
                str(tmp_path / "o"),
                "--quiet",
            ]
        )
        == 0
    )
    snippet = tomllib.loads((tmp_path / "o" / "evidence.toml").read_text(encoding="utf-8"))
    assert snippet["before"]["income"] == {"dist": "dirichlet", "counts": {"social_assistance": 4, "sickness_benefit": 3}, "prior": 1}


@pytest.mark.parametrize(
    "args, match",
    [
        (["bad.csv"], "bad.csv: 7 bad rows, nothing imported:\n  line 3: exit 2020-01-15 is before entry 2020-02-01\n"),
        (["small.csv", "--before-dirichlet"], "--before-dirichlet: 1 participants had no benefit at entry"),
        (["small.csv", "--prior", "-1"], "--prior: must be a number ≥ 0"),
        (["nope.csv"], "follow-up file '.*nope.csv' not found"),
        (["small.csv", "--config", str(DATA / "hand.toml")], "unknown"),
    ],
)
def test_cli_errors_exit_2_and_write_nothing(tmp_path, capsys, args, match):
    import re

    args = [str(EVIDENCE / args[0])] + args[1:]
    out = tmp_path / "ev"
    assert main(["evidence", *args, "--map", str(EVIDENCE / "small_map.toml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(match, err), err
    assert not out.exists()


def test_cli_example_with_its_config(tmp_path, capsys):
    data = EXPERIMENTS / "data"
    assert main(["evidence", str(data / "example_sus.csv"), "--map", str(data / "example_sus_map.toml"), "--out", str(tmp_path / "o")]) == 0
    text = capsys.readouterr().out
    assert "for Samverkansteamet" in text and "81 participants, 77 counted, 4 excluded" in text


def test_counts_file_in_a_base_config_is_relative_to_the_base(make_config):
    """A base file's counts_file is found beside the base; an extending file's shares replace it whole."""
    files = {f"data/{n}": (EVIDENCE / n).read_text(encoding="utf-8") for n in ("small.csv", "small_map.toml")}
    files["sub/case.toml"] = 'extends = "../minimal.toml"\n'
    path = make_config(main=[(SHARES_LINE, FROM_FILE.replace('"small', '"data/small'))], files=files)
    case = simsam.load_config(path.parent / "sub" / "case.toml")
    assert case.outcomes.shares.alpha == (4.0, 3.0, 3.0)
    swapped = simsam.config.override(case, {"outcomes": {"shares": {"work": 0.5, "improved": 0.25, "not_improved": 0.25}}})
    assert swapped.outcomes.shares.kind == "fixed"


def test_shipped_example_config_reads_the_example_csv():
    cfg = simsam.load_config(EXPERIMENTS / "data" / "samverkansteamet_sus.toml")
    assert dict(zip(cfg.outcomes.shares.keys, cfg.outcomes.shares.alpha)) == {"work": 25.0, "improved": 33.0, "not_improved": 22.0}
    assert set(cfg.scenarios) == {"arbete_plus10", "lonebidrag_30", "inga_overgangar"}  # the scenarios still build


def test_columns_renamed_semicolons_and_bom(tmp_path):
    (tmp_path / "sus.csv").write_text(
        "\ufeffLöpnummer;Startdatum;Slutdatum;Ersättning start;Status "
        "slut\nP1;2021-01-04;2021-05-31;FS;ARB\nP2;2021-02-01;2021-07-01;SP;SJ\n",
        encoding="utf-8",
    )
    mapping = (EVIDENCE / "small_map.toml").read_text(encoding="utf-8") + (
        '\n[columns]\nid = "Löpnummer"\nentry_date = "Startdatum"\nexit_date = "Slutdatum"\nentry_status = "Ersättning '
        'start"\nexit_status = "Status slut"\n'
    )
    (tmp_path / "map.toml").write_text(mapping, encoding="utf-8")
    fu = read_followup(tmp_path / "sus.csv", read_mapping(tmp_path / "map.toml"))
    assert fu.outcome_counts() == {"work": 1, "improved": 0, "not_improved": 1} and fu.exit_months() == [0, 2]


@pytest.mark.parametrize(
    "text, match",
    [
        ('[exit]\nARB = "work"\n[entry]\nFS = "social_assistance"\n[extra]\n', r"^extra: unknown key 'extra'"),
        ('[entry]\nFS = "social_assistance"\n', r"^exit: missing or empty"),
        ('[exit]\nARB = "work"\n[entry]\nFS = 1\n', r'^entry\."FS": must be a name'),
        (
            '[columns]\nidd = "x"\n[exit]\nARB = "work"\n[entry]\nFS = "none"\n',
            r"^columns\.idd: unknown column 'idd' \(did you mean 'id'\?\)",
        ),
    ],
)
def test_mapping_errors(tmp_path, text, match):
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    with pytest.raises(simsam.ConfigError, match=match):
        read_mapping(tmp_path / "m.toml")


def test_header_without_a_column_is_one_error(tmp_path):
    (tmp_path / "x.csv").write_text("id,entry_date,exit_date,entry_status\nA,2020-01-01,2020-02-01,FS\n", encoding="utf-8")
    with pytest.raises(simsam.ConfigError, match=r"x\.csv: line 1: the header lacks the column 'exit_status'"):
        read_followup(tmp_path / "x.csv", read_mapping(EVIDENCE / "small_map.toml"))
