"""Results by group (issue 16, item 2): groups with their own BEFORE, transitions and resource use, the group
breakdown of every result, and the cost attributed per participant."""

from __future__ import annotations

import json

import numpy as np
import pytest

import simsam
from simsam.cli import main
from simsam.config.build import build_config
from simsam.config.loading import read_config_string
from simsam.engine.evaluate import evaluate
from simsam.engine.inputs import group_cost_shares, kernel_arguments
from simsam.engine.sampling import ParameterSpace, Sample
from simsam.errors import ConfigError
from simsam.kernels.cohort import AGGREGATE, EXPECTED, PERSON

from .helpers import DATA
from .test_kernel import assert_kernel_matches_reference

#: Two groups of hand.toml (10 participants: 5 and 5) that differ in every way a group can.
TWO = """
[simulation]
cohort = "sampled"
[groups.a]
label = "Grupp A"
share = 0.5
shift = { work = 0.4 }
[groups.b]
label = "Grupp B"
share = 0.5
cost_weight = 3
before = { income = { sa = 1.0 }, resources = { visit = { dist = "uniform", low = 3, high = 5 } } }
transitions = { work = { improved = { dist = "uniform", low = 0.01, high = 0.05 } } }
resource_change = { work = { visit = -0.25 } }
"""


def extend(text: str, base: str = "hand.toml"):
    return build_config(read_config_string(f'extends = "{base}"\n' + text, DATA))


def _engine(cfg, engine: str):
    from simsam.config import override

    sim = {"cohort": "expected"} if engine == "expected" else {"cohort": "sampled", "engine": engine}
    return override(cfg, {"simulation": sim})


def _run(cfg, n: int = 300, seed: int = 3, engine: str | None = None):
    space = ParameterSpace.from_config(cfg)
    draws = np.arange(n)
    return evaluate(cfg, space, space.sample(seed, draws), draws, seed, engine=engine)


# --- the config ------------------------------------------------------------------------------


def test_group_keys_are_merged_over_the_config_and_named_as_the_groups_own():
    cfg = extend(TWO)
    a, b = cfg.groups["a"], cfg.groups["b"]
    assert not a.own and b.own and b.cost_weight == 3.0
    # The group's own quantities carry its key paths; every other one is the config's own object.
    assert b.before.resources["visit"].path == "groups.b.before.resources.visit"
    assert b.before.resources["handling"] is cfg.before.resources["handling"]
    assert b.before.income.path == "groups.b.before.income" and b.before.income.keys == ("sa",)
    assert b.transitions["work"]["improved"].path == "groups.b.transitions.work.improved"
    change = b.states["work"].resource_change
    assert change["visit"].path == "groups.b.resource_change.work.visit" and change["visit"].value == -0.25
    assert change["handling"].value == 0.0  # a table of changes: resources not named change by 0 (as an extending file would)
    assert b.states["improved"].income is cfg.outcomes.states["improved"].income
    assert b.states["work"].employment_rate is cfg.outcomes.states["work"].employment_rate
    names = ParameterSpace.from_config(cfg).names
    assert "groups.b.before.resources.visit" in names and "groups.b.transitions.work.improved" in names


@pytest.mark.parametrize(
    "text,match",
    [
        ("[groups.a]\nshare = 1.0\nbefore = { resources = { vist = 2 } }\n",
         r"groups\.a\.before\.resources\.vist: unknown resource 'vist' \(did you mean 'visit'\?\)"),
        ("[groups.a]\nshare = 1.0\ntransitions = { work = { improved = 0.7, work = 0.1 } }\n",
         r"groups\.a\.transitions\.work\.work: a state"),
        ("[groups.a]\nshare = 1.0\ntransitions = { work = { improved = 0.7 }, improved = { work = 0.6, improved = 0.5 } }\n",
         r"groups\.a\.transitions\.improved"),
        ("[transitions]\nwork = { improved = 0.6 }\n[groups.a]\nshare = 1.0\ntransitions = { work = { improved = 0.2 } }\n"
         "[groups.b]\nshare = 0.0\n", None),
        ("[groups.a]\nshare = 1.0\nresource_change = { wrk = -0.1 }\n", r"groups\.a\.resource_change\.wrk: unknown state 'wrk'"),
        ("[groups.a]\nshare = 1.0\nresource_change = { work = { visit = -1.5 } }\n", r"groups\.a\.resource_change\.work\.visit: -1\.5"),
        ("[groups.a]\nshare = 1.0\nbefore = 3\n", r"groups\.a\.before: must be a table"),
        ("[groups.a]\nshare = 1.0\ncost_weight = 0\n", r"groups\.a\.cost_weight"),
        ("[groups.a]\nshare = 1.0\nbefore = { income = { sa = 0.8, sb = 0.8 } }\n", r"groups\.a\.before\.income: shares sum to 1\.6"),
    ],
)
def test_bad_group_keys_name_the_groups_key(text, match):
    if match is None:  # a group may lower a row the config has (its row merged over the config's)
        cfg = extend(text)
        assert cfg.groups["a"].transitions["work"]["improved"].value == 0.2
        return
    with pytest.raises(ConfigError, match=match):
        extend(text)


def test_group_transitions_are_checked_in_every_draw():
    """A draw whose group row sums above 1 is refused, naming the group's row (sampling.check_rows)."""
    from simsam.engine.sampling import check_rows

    cfg = extend('[groups.a]\nshare = 1.0\ntransitions = { work = { improved = { dist = "uniform", low = 0.1, high = 0.9 } } }\n')
    space = ParameterSpace.from_config(cfg)
    values = space.sample(1, np.arange(3))
    check_rows(cfg, Sample(space, values), np.arange(3))
    values[1, space.names.index("groups.a.transitions.work.improved")] = 1.2
    with pytest.raises(ConfigError, match=r"groups\.a\.transitions\.work: outgoing probabilities sum to 1\.2 in draw 1"):
        check_rows(cfg, Sample(space, values), np.arange(3))


# --- the kernel on a block of states per group --------------------------------------------------


@pytest.mark.parametrize("engine", [PERSON, AGGREGATE, EXPECTED], ids=["person", "aggregate", "expected"])
def test_kernel_twin_with_per_group_transitions_and_flows(engine):
    """The kernel's inputs of a config whose groups have their own transitions and flows (a block of states per
    group): the numba kernel equals the NumPy twin on them, on every path, with staggered exits."""
    cfg = extend(TWO + "[project]\nparticipants = 23\nexits = { over_months = 20 }\n")
    space = ParameterSpace.from_config(cfg)
    draws = np.arange(30)
    x = kernel_arguments(cfg, Sample(space, space.sample(7, draws)), draws, 7)
    assert x.shares.shape == (30, 2, 4) and x.trans.shape == (30, 4, 4) and x.rel.shape == (30, 4, 3 * 8)
    np.testing.assert_array_equal(x.trans[:, :2, 2:], 0.0)  # no moves between groups
    np.testing.assert_array_equal(x.shares[:, 0, 2:], 0.0)
    rng = np.random.default_rng(5)
    assert_kernel_matches_reference(rng, tuple(x[:6]), x.participants, x.horizon, engine, exit_months=x.exit_months,
                                    cost_months=x.cost_months, groups=x.groups)


# --- group results sum to the cohort's ------------------------------------------------------


@pytest.mark.parametrize("engine", ["person", "aggregate", "expected"])
def test_group_results_sum_to_the_cohort_in_every_draw(engine):
    cfg = extend(TWO + "[project]\nparticipants = 37\n")
    out = _run(cfg, engine=engine)
    assert out.group_net_benefit.shape == (300, 2, 8, 5)
    np.testing.assert_allclose(out.group_revenue.sum(axis=1), out.revenue, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(out.group_net_benefit.sum(axis=1), out.net_benefit, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(out.group_cost.sum(axis=1), out.cost, rtol=1e-14, atol=0)
    # Society is the sum of the actors in every group, as in the cohort.
    np.testing.assert_allclose(out.group_net_benefit[:, :, :-1].sum(axis=2), out.group_net_benefit[:, :, -1], rtol=1e-12, atol=1e-6)
    # A payback month per group: NaN or a month of the horizon.
    pb = out.group_payback
    assert np.all(np.isnan(pb) | ((pb >= 1) & (pb <= 60) & (pb == np.round(pb))))


def test_cost_is_attributed_per_participant_weighted_by_cost_weight():
    """hand.toml's 10 participants in two groups of 5; group b's weight 3: b bears 5·3/(5·1 + 5·3) = 3/4 of every actor's cost."""
    cfg = extend(TWO)
    np.testing.assert_allclose(group_cost_shares(cfg), [0.25, 0.75], rtol=1e-15)
    out = _run(cfg, n=20)
    np.testing.assert_allclose(out.group_cost[:, 1], 0.75 * out.cost, rtol=1e-15)
    plain = extend("[groups.a]\nshare = 0.3\n[groups.b]\nshare = 0.7\n")
    np.testing.assert_allclose(group_cost_shares(plain), [0.3, 0.7], rtol=1e-15)  # 3 and 7 of 10: per participant


def test_a_group_with_its_own_before_basket_by_hand():
    """Expected cohort, no moves. Group b uses 4 visits a month before instead of 2 and a work state's visits fall by half:
    region (which pays visits at 1 000 kr × uplift 1.25) gains 4·1250·0.5 = 2 500 kr instead of 1 250 kr per
    participant-month in work. With 5 participants of b and shares work 0.4: group b's region revenue is
    12·5·0.4·(2 500 − 1 250) = 30 000 kr more per year than the same group with the config's basket; group a,
    every other actor, and the cost do not change."""
    plain = extend("[groups.a]\nshare = 0.5\n[groups.b]\nshare = 0.5\n")
    heavy = extend("[groups.a]\nshare = 0.5\n[groups.b]\nshare = 0.5\nbefore = { resources = { visit = 4 } }\n")
    p, h = _run(plain, n=1), _run(heavy, n=1)
    region = list(plain.actors).index("region")
    diff = h.group_revenue - p.group_revenue
    np.testing.assert_allclose(diff[0, 1, region], 30_000.0, rtol=1e-12)
    np.testing.assert_allclose(diff[0, 1, -1], 30_000.0, rtol=1e-12)  # society: the resources are real
    assert np.allclose(diff[0, 0], 0.0, atol=1e-9)
    others = [i for i in range(len(plain.actors)) if i != region]
    assert np.allclose(diff[0, 1, others], 0.0, atol=1e-9)
    np.testing.assert_array_equal(h.group_cost, p.group_cost)
    # The potential of group b counts its larger basket: (30 000·1.3 + 4·1 250 + 5·400·1.25) per participant-month.
    potential_b = 30_000 * 1.3 + 4 * 1250 + 5 * 400 * 1.25
    np.testing.assert_allclose(h.group_utilised_potential[0, 1], h.group_revenue[0, 1, -1, 0] / (potential_b * 12 * 5), rtol=1e-12)


def test_a_group_is_a_project_of_its_own_participants():
    """Expected cohort: a group with its own transitions, BEFORE mix and resource change gives exactly the results of a
    project of its 5 participants with those settings and its share of the cost (one kernel run, a block of states per group)."""
    own = ("before = { income = { sa = 1.0 } }\ntransitions = { work = { improved = 0.03 } }\n"
           "resource_change = { work = -0.8 }\n")
    cfg = extend(f"[groups.a]\nshare = 0.5\n[groups.b]\nshare = 0.5\ncost_weight = 3\n{own}")
    alone = extend("[project]\nparticipants = 5\ncost = 7.5e5\n[before]\nincome = { sa = 1.0 }\n[transitions]\n"
                   "work = { improved = 0.03 }\n[outcomes.states.work]\nresource_change = -0.8\n")
    rest = extend("[project]\nparticipants = 5\ncost = 2.5e5\n")
    out, b, a = _run(cfg, n=1), _run(alone, n=1), _run(rest, n=1)
    for got, want in ((out.group_net_benefit[0, 1], b.net_benefit[0]), (out.group_net_benefit[0, 0], a.net_benefit[0]),
                      (out.group_revenue[0, 1], b.revenue[0]), (out.group_cost[0, 1], b.cost[0])):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-6)
    np.testing.assert_array_equal(out.group_payback[0, 1], b.payback[0])


def test_one_group_without_shift_keeps_the_cohort_bit_for_bit():
    base = simsam.simulate(extend(""), draws=50, seed=2)
    one = simsam.simulate(extend("[groups.all]\nshare = 1.0\n"), draws=50, seed=2)
    for v in ("payback_months", "net_benefit", "revenue", "cost"):
        np.testing.assert_array_equal(base[v].values, one[v].values)
        np.testing.assert_array_equal(one[f"group_{v}"].values[:, 0], one[v].values)


# --- the Dataset, summaries, tables and report -----------------------------------------------


@pytest.fixture(scope="module")
def group_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("groups")
    path = folder / "two.toml"
    path.write_text(f'extends = "{(DATA / "hand.toml").as_posix()}"\n[meta]\nname = "två grupper"\n' + TWO, encoding="utf-8")
    out = folder / "run"
    assert main(["run", str(path), "--draws", "400", "--out", str(out), "--quiet"]) == 0
    return path, out


def test_results_file_has_the_group_variables_and_equals_simulate(group_run):
    from simsam.results import read_results

    path, out = group_run
    ds = read_results(out)
    mem = simsam.simulate(simsam.load_config(path), draws=400)
    for v in ("group_payback_months", "group_annual_revenue", "group_cost", "group_net_benefit", "group_revenue",
              "group_utilised_potential"):
        np.testing.assert_array_equal(ds[v].values, mem[v].values, err_msg=v)
    assert ds["group"].values.tolist() == ["a", "b"] and ds["group_label"].values.tolist() == ["Grupp A", "Grupp B"]
    assert ds["group_participants"].values.tolist() == [5, 5]
    assert ds["group_net_benefit"].dims == ("draw", "group", "actor", "year")
    no_groups = simsam.simulate(extend(""), draws=3)
    assert not any(str(v).startswith("group") for v in list(no_groups.data_vars) + list(no_groups.coords))


def test_summaries_by_group(group_run):
    import csv

    from simsam.analysis.summary import summarize
    from simsam.results import read_results

    _, out = group_run
    ds = read_results(out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["groups"]) == {"a", "b"}
    b = summary["groups"]["b"]
    assert b["participants"] == 5 and b["cost_share"] == 0.75 and b["label"] == "Grupp B"
    nb = ds["group_net_benefit"].sel(group="b", actor="society", year=5).values
    assert b["actors"]["society"]["metrics"]["net_benefit_5y"]["median"] == pytest.approx(float(np.quantile(nb, 0.5)), rel=1e-12)
    pb = ds["group_payback_months"].sel(group="b", actor="kommun").values
    assert b["actors"]["kommun"]["metrics"]["p_payback_36"]["mean"] == pytest.approx(float(np.mean(pb <= 36)), rel=1e-15)
    with open(out / "summary_groups.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["group"] for r in rows} == {"a", "b"} and len(rows) == 2 * len(list(csv.reader(open(out / "summary.csv")))[1:])
    frame = summarize(ds)
    assert set(frame.attrs["groups"]) == {"a", "b"}
    import openpyxl

    assert "Grupper" in openpyxl.load_workbook(out / "summary.xlsx", read_only=True).sheetnames


def test_terminal_table_has_the_groups(group_run, capsys):
    path, _ = group_run
    assert main(["run", str(path), "--draws", "200", "--out", str(path.parent / "t"), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "By group, for society" in text and "Grupp A" in text and "Grupp B" in text
    assert "weighted by cost_weight" in text  # b's weight 3


def test_report_has_who_it_pays_for(group_run):
    from simsam.report.figures import group_data
    from simsam.results import read_results

    _, out = group_run
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="grupper"' in html and "För vem lönar det sig?" in html and 'data-group="b"' in html
    assert html.count("Grupp B") >= 3
    ds = read_results(out)
    data = group_data(ds)
    per = ds["group_net_benefit"].sel(group="a", actor="society", year=5).values / 5
    assert float(data.sel(group="a", actor="society", quantile=0.5)) == pytest.approx(float(np.quantile(per, 0.5)), rel=1e-12)
    assert main(["report", str(out), "--lang", "en"]) == 0
    assert "Who does it pay for?" in (out / "report-en.html").read_text(encoding="utf-8")


def test_shipped_group_example_runs():
    from pathlib import Path

    cfg = simsam.load_config(Path(__file__).parents[1] / "experiments" / "data" / "samverkansteamet_groups.toml")
    out = _run(cfg, n=50)
    np.testing.assert_allclose(out.group_net_benefit.sum(axis=1), out.net_benefit, rtol=1e-12, atol=1e-6)
    assert cfg.groups["unga"].own and cfg.groups["aldre"].own


def test_one_draw_report_has_the_groups_without_intervals(tmp_path):
    """A point calculation with groups (samverkansteamet_point, one draw): the section is there, with the values and no
    intervals or probabilities (one draw has none), and no figure of intervals."""
    from simsam.config import override
    from simsam.report.html import build_report
    from simsam.workflows.run_folder import write_run

    cfg = simsam.load_config(DATA.parents[1] / "configs" / "samverkansteamet_point.toml")
    cfg = override(cfg, {"groups": {"a": {"label": "Första", "share": 0.5, "shift": {"work": 0.5}}, "b": {"label": "Andra", "share": 0.5}}})
    folder = write_run(simsam.simulate(cfg, draws=1), tmp_path / "point")
    html = build_report(folder, dpi=60).read_text(encoding="utf-8")
    section = html[html.index('<section id="grupper">'):]
    section = section[: section.index("</section>")]
    assert "Första" in section and "Andra" in section and "med sannolikheten" not in section
    assert '<span class="interval"></span>' in section and "<figure" not in section
