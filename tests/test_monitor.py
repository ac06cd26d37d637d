"""Monitoring a running project (issue 16, item 5): ``simsam monitor CONFIG --followup SUS.csv --as-of DATE``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

import simsam
from simsam.analysis.monitor import monitored_config, observe, run_monitor
from simsam.cli import main
from simsam.config import override
from simsam.config.followup import BadRows, read_followup, read_mapping
from simsam.engine.evaluate import evaluate
from simsam.engine.sampling import ParameterSpace, Sample
from simsam.errors import ConfigError

from .helpers import DATA

EVIDENCE = DATA / "evidence"
ROOT = Path(__file__).parents[1]

CONFIG = f"""extends = "{(DATA / "base.toml").as_posix()}"
[meta]
name = "uppföljd"
[simulation]
draws = 500
seed = 4
{{timing}}
[project]
participants = {{participants}}
cost = {{{{ dist = "pert", min = 1.5e6, mode = 2.0e6, max = 2.5e6 }}}}
cost_split = {{{{ kommun = 0.5, fk = 0.5 }}}}
{{exits}}
[before]
income = {{{{ social_assistance = 0.6, sickness_benefit = 0.4 }}}}
resources = {{{{ primary_care_visit = 1.0, case_handling = 2 }}}}
[outcomes]
shares = {{{{ dist = "dirichlet", counts = {{{{ work = 0, improved = 0, not_improved = 0 }}}}, prior = 1.0 }}}}
[outcomes.states.work]
income = {{{{}}}}
employment_rate = {{{{ dist = "beta", mean = 0.75, sd = 0.08 }}}}
resource_change = -0.2
[outcomes.states.improved]
income = {{{{ activity_support = 1.0 }}}}
[outcomes.states.not_improved]
income = {{{{ sickness_compensation = 0.5, activity_compensation = 0.5 }}}}
{{transitions}}
"""


def write_config(folder: Path, *, participants=10, exits="", timing="", transitions="[transitions]\nwork = { improved = 0.01 }\n",
                 name="c.toml") -> Path:
    path = folder / name
    path.write_text(CONFIG.format(participants=participants, exits=exits, timing=timing, transitions=transitions), encoding="utf-8")
    return path


def small(mapping_text: str | None = None, folder: Path | None = None):
    mapping = read_mapping(EVIDENCE / "small_map.toml") if mapping_text is None else None
    if mapping_text is not None:
        (folder / "m.toml").write_text(mapping_text, encoding="utf-8")
        mapping = read_mapping(folder / "m.toml")
    return read_followup(EVIDENCE / "small.csv", mapping, open_rows=True)


# --- the follow-up as of a date, by hand -----------------------------------------------------------


def test_observation_by_hand(tmp_path):
    """small.csv as of 2020-12-31: A1, A2 (work), A3 (improved) and A8 (moved away: excluded) have left; A4-A7 are still in;
    the config plans 10, so 2 are not yet in the file. 7 exit states are drawn: 4 still in, 2 not yet in, 1 excluded."""
    cfg = simsam.load_config(write_config(tmp_path))
    obs = observe(cfg, small(), dt.date(2020, 12, 31))
    assert obs.start == dt.date(2020, 1, 15) and obs.month == 11
    assert obs.counts == {"work": 2, "improved": 1, "not_improved": 0} and obs.excluded == {"FLYTT": 1}
    assert (obs.in_project, obs.not_in_file, obs.in_file, obs.participants, obs.known, obs.unknown) == (4, 2, 8, 10, 3, 7)
    assert [(i, s, m) for i, s, m in obs.exited] == [("A1", "work", 5), ("A2", "work", 7), ("A3", "improved", 8), ("A8", None, 11)]
    now, known = monitored_config(cfg, obs)
    assert known.tolist() == [0, 0, 1, -1, -1, -1, -1, -1, -1, -1]
    assert now.outcomes.shares.alpha == (3.0, 2.0, 1.0)  # the flat prior 1 + the counts 2, 1, 0
    assert now.outcomes.shares.path == cfg.outcomes.shares.path and now.outcomes.shares.keys == cfg.outcomes.shares.keys


def test_project_timing_fixes_the_observed_months_and_keeps_the_rest_after_the_as_of_month(tmp_path):
    """Planned exits evenly over 12 months: floor(12 i / 10) = 0 1 2 3 4 6 7 8 9 10. The four out take the four earliest
    slots and keep their own months (5, 7, 8, 11 from the start 2020-01); the six others keep the later planned months
    4 6 7 8 9 10, delayed by as much as the project is behind (the first of them at the as-of month 11: + 7)."""
    cfg = simsam.load_config(write_config(tmp_path, exits="exits = { over_months = 12 }"))
    assert cfg.simulation.timing == "project"
    obs = observe(cfg, small(), dt.date(2020, 12, 31))
    now, _ = monitored_config(cfg, obs)
    assert now.project.exit_months == (5, 7, 8, 11, 11, 13, 14, 15, 16, 17)
    # As of 2020-09-01 (month 8): A1, A2, A3 out (months 5, 7, 8); the 7 others keep 3 4 6 7 8 9 10, + 5.
    obs = observe(cfg, small(), dt.date(2020, 9, 1))
    now, _ = monitored_config(cfg, obs)
    assert now.project.exit_months == (5, 7, 8, 8, 9, 11, 12, 13, 14, 15)
    # Ahead of a plan over 40 months (0 4 8 … 36: 3 by month 11, 4 out): nothing is delayed, the plan's 16 … 36 stay.
    cfg = simsam.load_config(write_config(tmp_path, exits="exits = { over_months = 40 }", name="slow.toml"))
    now, _ = monitored_config(cfg, observe(cfg, small(), dt.date(2020, 12, 31)))
    assert now.project.exit_months == (5, 7, 8, 11, 16, 20, 24, 28, 32, 36)


def test_as_of_filters_entries_and_later_exits():
    fu = small().as_of(dt.date(2020, 3, 1))
    assert [p.id for p in fu.participants] == ["A1", "A2", "A3", "A4"]
    assert all(p.exit_date is None and p.exit_status == "" for p in fu.participants)
    assert fu.included == () and fu.excluded == {}


def test_open_rows_are_read_only_when_asked(tmp_path):
    text = (EVIDENCE / "small.csv").read_text(encoding="utf-8").replace("2021-06-30,FS,SJ", ",FS,")
    (tmp_path / "running.csv").write_text(text, encoding="utf-8")
    mapping = read_mapping(EVIDENCE / "small_map.toml")
    fu = read_followup(tmp_path / "running.csv", mapping, open_rows=True)
    assert [p.id for p in fu.in_project] == ["A7"] and len(fu.included) == 6
    with pytest.raises(BadRows, match=r"line 9: exit_date is empty; exit_status is empty"):
        read_followup(tmp_path / "running.csv", mapping)
    (tmp_path / "half.csv").write_text(text.replace("2020-05-01,,FS,,", "2020-05-01,,FS,SJ,"), encoding="utf-8")
    with pytest.raises(BadRows) as exc:
        read_followup(tmp_path / "half.csv", mapping, open_rows=True)
    assert exc.value.problems == [(9, "exit_date is empty")]


# --- everyone out: the evidence import, and the fixed part fixed -------------------------------------


ALL_KNOWN = '[entry]\nFS = "social_assistance"\nSP = "sickness_benefit"\nINGEN = "none"\n' \
            '[exit]\nARB = "work"\nAKT = "improved"\nSJ = "not_improved"\nFLYTT = "not_improved"\n'


def test_everyone_out_equals_the_evidence_import_in_every_draw(tmp_path):
    """With every participant out, the shares' posterior is the evidence import's Dirichlet (counts + the flat prior 1):
    the same α and input names, so the same shares in every draw (not only in distribution)."""
    cfg = simsam.load_config(write_config(tmp_path, participants=8))
    fu = small(ALL_KNOWN, tmp_path)
    obs = observe(cfg, fu, dt.date(2022, 1, 1))
    assert obs.counts == {"work": 3, "improved": 2, "not_improved": 3} and obs.unknown == 0
    now, known = monitored_config(cfg, obs)
    assert (known >= 0).all()
    imported = override(cfg, {"outcomes": {"shares": {"dist": "dirichlet", "counts": fu.outcome_counts(cfg.states), "prior": 1.0}}})
    assert now.outcomes.shares.alpha == imported.outcomes.shares.alpha == (4.0, 3.0, 4.0)
    draws = np.arange(2000)
    a, b = ParameterSpace.from_config(now), ParameterSpace.from_config(imported)
    assert a.names == b.names
    va, vb = a.sample(9, draws), b.sample(9, draws)
    np.testing.assert_array_equal(Sample(a, va).shares(now.outcomes.shares), Sample(b, vb).shares(imported.outcomes.shares))
    x = Sample(a, va).shares(now.outcomes.shares)
    np.testing.assert_allclose(x.mean(axis=0), np.array([4, 3, 4]) / 11, atol=4 * 0.15 / np.sqrt(2000))  # Dirichlet means


@pytest.mark.parametrize("engine", ["person", "aggregate", "expected"])
def test_the_participants_out_are_fixed_in_every_draw(tmp_path, engine):
    """Everyone out, no moves: every draw's cohort is the observed 3/2/3, whatever its shares; so its revenue is the
    expected cohort's with the shares fixed at 3/8, 2/8, 3/8, on the same input values, in every draw."""
    path = write_config(tmp_path, participants=8, transitions="")
    cfg = override(simsam.load_config(path), {"simulation": {"cohort": "expected"} if engine == "expected"
                                              else {"cohort": "sampled", "engine": engine}})
    obs = observe(cfg, small(ALL_KNOWN, tmp_path), dt.date(2022, 1, 1))
    now, known = monitored_config(cfg, obs)
    space = ParameterSpace.from_config(now)
    draws = np.arange(300)
    out = evaluate(now, space, space.sample(5, draws), draws, 5, exit_states=known)
    fixed = override(cfg, {"outcomes": {"shares": {"work": 0.375, "improved": 0.25, "not_improved": 0.375}},
                           "simulation": {"cohort": "expected"}})
    fspace = ParameterSpace.from_config(fixed)
    want = evaluate(fixed, fspace, fspace.sample(5, draws), draws, 5)
    np.testing.assert_allclose(out.revenue, want.revenue, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(out.net_benefit, want.net_benefit, rtol=1e-12, atol=1e-6)


def test_start_is_the_config_as_it_stood_and_now_moves_with_the_data(tmp_path):
    cfg = simsam.load_config(write_config(tmp_path))
    obs = observe(cfg, small(), dt.date(2020, 12, 31))
    r = run_monitor(cfg, obs, draws=400, seed=3)
    plain = simsam.simulate(cfg, draws=400, seed=3)
    np.testing.assert_array_equal(r.start["payback_months"].values, plain["payback_months"].values)
    s = r.summary()
    soc = s["actors"]["society"]["p_payback"]["60"]
    assert soc["start"] == pytest.approx(float(np.mean(plain["payback_months"].sel(actor="society").values <= 60)), abs=0)
    assert soc["now"] == pytest.approx(float(np.mean(r.now.payback[:, -1] <= 60)), abs=0)
    assert soc["difference"] == pytest.approx(soc["now"] - soc["start"], abs=1e-12)
    # Posterior shares of the summary: Beta(α_k, α₀ − α_k) means of (1 + counts) / (3 + 3).
    assert s["states"]["work"]["posterior_mean"] == pytest.approx(3 / 6, rel=1e-15)
    assert s["states"]["work"]["prior_mean"] == pytest.approx(1 / 3, rel=1e-15)
    # The predictive counts: 3 known, 7 drawn; final counts add the known.
    assert np.all(r.so_far.sum(axis=1) == 3) and np.all(r.remaining.sum(axis=1) == 7)
    assert s["states"]["work"]["final"]["median"] >= 2 and s["participants"]["drawn"] == 7


# --- the command line ---------------------------------------------------------------------------


def test_monitor_command_writes_its_folder_and_the_report_has_the_section(tmp_path, capsys):
    path = write_config(tmp_path)
    out = tmp_path / "mon"
    code = main(["monitor", str(path), "--followup", str(EVIDENCE / "small.csv"), "--map", str(EVIDENCE / "small_map.toml"),
                 "--as-of", "2020-12-31", "--draws", "300", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "uppföljning per 2020-12-31" in printed and "P(återbetald inom M mån)" in printed
    for name in ("monitor.json", "monitor.csv", "monitor.nc", "exits.csv", "results.nc", "summary.json"):
        assert (out / name).is_file(), name
    m = json.loads((out / "monitor.json").read_text(encoding="utf-8"))
    assert m["participants"]["exited"] == 4 and m["states"]["work"]["observed"] == 2
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="uppfoljning"' in html and "Uppföljning: håller projektet kursen?" in html
    assert main(["report", str(out), "--lang", "en"]) == 0
    assert "Follow-up: is the project on course?" in (out / "report-en.html").read_text(encoding="utf-8")


def _monitor(tmp_path, *args, config=None) -> tuple[int, str]:
    path = config or write_config(tmp_path)
    return main(["monitor", str(path), "--followup", str(EVIDENCE / "small.csv"), "--map", str(EVIDENCE / "small_map.toml"),
                 "--draws", "50", "--out", str(tmp_path / "out"), *args]), str(tmp_path / "out")


@pytest.mark.parametrize(
    "args,match",
    [
        (["--as-of", "2020-05-01"],
         r"error: --as-of: no participant has left the project by 2020-05-01 \(the first exit in .* is 2020-06-30\)"),
        (["--as-of", "2020-13-01"], r"error: --as-of: must be a date YYYY-MM-DD, not '2020-13-01'"),
        (["--as-of", "2020-12-31", "--start", "2020-02-01"], r"error: --start: 2020-02-01 is after the first entry"),
    ],
)
def test_bad_monitor_input_exits_2_naming_the_option(tmp_path, capsys, args, match):
    code, out = _monitor(tmp_path, *args)
    assert code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and __import__("re").search(match, err), err
    assert not Path(out).exists()


def test_monitor_refuses_groups_and_a_config_that_already_counts_the_file(tmp_path, capsys):
    grouped = tmp_path / "g.toml"
    grouped.write_text(write_config(tmp_path).read_text(encoding="utf-8") + "[groups.a]\nshare = 1.0\n", encoding="utf-8")
    assert _monitor(tmp_path, "--as-of", "2020-12-31", config=grouped)[0] == 2
    assert capsys.readouterr().err.startswith("error: groups: monitor cannot place")
    data = ROOT / "experiments" / "data"
    code = main(["monitor", str(data / "samverkansteamet_sus.toml"), "--followup", str(data / "example_sus.csv"), "--as-of", "2015-06-30",
                 "--out", str(tmp_path / "x")])
    assert code == 2 and capsys.readouterr().err.startswith("error: --followup: Samverkansteamet (outcomes from example_sus.csv)'s outcome")
    # Without --map, the mapping beside the file (<stem>_map.toml) is used; without one there, --map is named.
    assert main(["monitor", str(ROOT / "configs" / "samverkansteamet.toml"), "--followup", str(data / "example_sus.csv"), "--as-of",
                 "2015-06-30", "--draws", "30", "--out", str(tmp_path / "y"), "--quiet"]) == 0
    (tmp_path / "copy.csv").write_bytes((data / "example_sus.csv").read_bytes())
    assert main(["monitor", str(ROOT / "configs" / "samverkansteamet.toml"), "--followup", str(tmp_path / "copy.csv"), "--as-of",
                 "2015-06-30", "--out", str(tmp_path / "z")]) == 2
    assert capsys.readouterr().err.startswith("error: --map: missing")


def test_observe_refuses_a_state_without_a_share(tmp_path):
    cfg = simsam.load_config(write_config(tmp_path))
    cfg = override(cfg, {"outcomes": {"shares": {"dist": "dirichlet", "counts": {"work": 1, "improved": 1}, "prior": 1.0}}})
    fu = small()
    with pytest.raises(ConfigError, match=r"--followup: 2 participants left to 'not_improved', to which outcomes\.shares gives no share"):
        observe(cfg, fu, dt.date(2021, 12, 31))
