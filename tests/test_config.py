"""Config loading: ``extends`` merging, origins, Dirichlet shares, resource changes, suggestions."""

from __future__ import annotations

import pytest

import simsam
from simsam.cli import main
from simsam.config import read_config

from .helpers import DATA

MINIMAL = DATA / "minimal.toml"
EXTENDS = 'extends = "base.toml"'
SHARES = 'shares = { dist = "dirichlet", counts = { work = 20, improved = 35, not_improved = 26 }, prior = 1.0 }'


def test_minimal_loads_through_extends():
    cfg = simsam.load_config(MINIMAL)
    assert list(cfg.actors) == ["kommun", "region", "fk", "af", "stat", "individ", "arbetsgivare"]
    assert cfg.name == "minimal"
    assert cfg.states == ("work", "improved", "not_improved")
    assert cfg.economy.wage.value == 26000 and cfg.economy.wage.path == "economy.wage"
    assert cfg.project.cost.dist.kind == "pert" and cfg.project.cost.path == "project.cost"
    assert cfg.resources["case_handling"].payer == {"kommun": 0.5, "fk": 0.25, "af": 0.25}
    assert cfg.resources["primary_care_visit"].payer == {"region": 1.0}
    assert cfg.simulation.horizon_months == 60 and cfg.simulation.draws == 10_000
    assert cfg.raw.files == (str(MINIMAL), "base.toml")
    # Only the base file's keys have an origin; the top file's are None.
    assert cfg.raw.origins["economy"] == "base.toml"
    assert cfg.raw.origins["project"] is None
    assert "extends" not in cfg.raw.data


def test_same_as_the_single_file(tmp_path):
    """Splitting a config over extends changes nothing: the merged tables equal the whole file's."""
    whole = tmp_path / "whole.toml"
    whole.write_text((DATA / "base.toml").read_text() + (DATA / "minimal.toml").read_text().replace(EXTENDS, ""))
    assert read_config(whole).data == read_config(MINIMAL).data


def test_validate_prints_ok_and_the_counts(capsys):
    assert main(["validate", str(MINIMAL)]) == 0
    assert capsys.readouterr().out == "ok: config minimal: 7 actors, 3 outcome states, 81 participants, 7 uncertain inputs\n"


# --- extends: key-by-key merge, whole replacement of distributions and share tables ---------------------


def test_child_value_wins_untouched_base_keys_stay(make_config):
    path = make_config(main=[(None, "\n[economy]\nwage = 30000\n\n[economy.income_tax]\nkommun = 0.3\n")])
    cfg = simsam.load_config(path)
    assert cfg.economy.wage.value == 30000  # the child's value
    assert cfg.economy.average_wage.value == 37000  # untouched base keys stay
    assert cfg.economy.employer == "arbetsgivare"
    assert cfg.economy.income_tax["kommun"].value == 0.3  # nested tables merge key by key too
    assert cfg.economy.income_tax["region"].value == 0.115
    assert cfg.raw.origins["economy.wage"] is None and cfg.raw.origins["economy"] == "base.toml"


def test_distribution_replaces_number_whole(make_config):
    path = make_config(main=[(None, '\n[economy]\nwage = { dist = "normal", mean = 26000, sd = 2000, low = 0 }\n')])
    wage = simsam.load_config(path).economy.wage
    assert not wage.fixed and wage.dist.kind == "normal"
    assert wage.dist.p == {"mean": 26000, "sd": 2000, "low": 0}


def test_number_replaces_distribution_whole(make_config):
    path = make_config(
        base=[("wage = 26000", 'wage = { dist = "normal", mean = 26000, sd = 2000, low = 0 }')],
        main=[(None, "\n[economy]\nwage = 30000\n")],
    )
    wage = simsam.load_config(path).economy.wage
    assert wage.fixed and wage.value == 30000


def test_distribution_replaces_distribution_whole(make_config):
    # Merged key by key, the uniform would keep the normal's mean and sd and be rejected.
    path = make_config(
        base=[("wage = 26000", 'wage = { dist = "normal", mean = 26000, sd = 2000, low = 0 }')],
        main=[(None, '\n[economy]\nwage = { dist = "uniform", low = 24000, high = 28000 }\n')],
    )
    wage = simsam.load_config(path).economy.wage
    assert wage.dist.kind == "uniform" and wage.dist.p == {"low": 24000, "high": 28000}


CHILD = 'extends = "minimal.toml"\n'


@pytest.mark.parametrize(
    "child, check",
    [
        ("[project]\ncost_split = { kommun = 1.0 }\n", lambda c: c.project.cost_split == {"kommun": 1.0}),
        ("[before]\nincome = { social_assistance = 1.0 }\n", lambda c: c.before.income.keys == ("social_assistance",)),
        (
            "[outcomes.states.improved]\nincome = { sickness_benefit = 0.5 }\n",
            lambda c: c.outcomes.states["improved"].income.keys == ("sickness_benefit",),
        ),
        ("[resources.case_handling]\npayer = { kommun = 1.0 }\n", lambda c: c.resources["case_handling"].payer == {"kommun": 1.0}),
        (
            "[resources.primary_care_visit]\npayer = { kommun = 0.5, region = 0.5 }\n",
            lambda c: c.resources["primary_care_visit"].payer == {"kommun": 0.5, "region": 0.5},
        ),
        (
            "[outcomes]\nshares = { work = 0.2, improved = 0.5, not_improved = 0.3 }\n",
            lambda c: c.outcomes.shares.kind == "fixed" and c.outcomes.shares.mean() == {"work": 0.2, "improved": 0.5, "not_improved": 0.3},
        ),
    ],
    ids=["cost_split", "before.income", "state income", "payer split", "payer actor to split", "dirichlet to fixed shares"],
)
def test_share_tables_replace_whole(make_config, child, check):
    """Merging two share tables key by key would make their sum wrong; the child's table is taken whole."""
    path = make_config(files={"child.toml": CHILD + child})
    cfg = simsam.load_config(path.parent / "child.toml")
    assert check(cfg)


def test_fixed_shares_to_dirichlet_replace_whole(make_config):
    fixed = "shares = { work = 0.2, improved = 0.5, not_improved = 0.3 }"
    path = make_config(main=[(SHARES, fixed)], files={"child.toml": CHILD + "[outcomes]\n" + SHARES + "\n"})
    shares = simsam.load_config(path.parent / "child.toml").outcomes.shares
    assert shares.kind == "dirichlet" and shares.alpha == (21.0, 36.0, 27.0)


def test_list_valued_extends(make_config):
    override = '[economy]\nwage = 30000\naverage_wage = 40000\n\n[benefits.social_assistance]\nmonthly = 9500\n'
    path = make_config(
        main=[(EXTENDS, 'extends = ["base.toml", "override.toml"]'), (None, "\n[economy]\naverage_wage = 41000\n")],
        files={"override.toml": override},
    )
    cfg = simsam.load_config(path)
    assert cfg.economy.wage.value == 30000  # the later base wins over the earlier
    assert cfg.economy.average_wage.value == 41000  # and the file itself over both
    assert cfg.economy.uplift.value == 1.25  # the first base's untouched keys stay
    assert cfg.benefits["social_assistance"].monthly.value == 9500
    assert cfg.benefits["social_assistance"].payer == "kommun"
    assert cfg.raw.files == (str(path), "base.toml", "override.toml")
    assert cfg.raw.origins["economy.wage"] == "override.toml"
    assert cfg.raw.origins["economy.average_wage"] is None
    assert cfg.raw.origins["economy"] == "base.toml"


# --- origins: which file an error is in -------------------------------------------------------------------


def test_error_in_base_names_the_base(make_config):
    path = make_config(base=[("unit_cost = 500", "unit_cost = -500")])
    with pytest.raises(simsam.ConfigError) as info:
        simsam.load_config(path)
    err = info.value
    assert (err.path, err.source) == ("resources.case_handling.unit_cost", "base.toml")
    assert str(err) == "resources.case_handling.unit_cost: -500 is negative (must be ≥ 0) (in base.toml)"


def test_error_in_child_of_a_base_table_names_no_base(make_config):
    """The top file overriding one key of a base table: its error is not blamed on the base."""
    path = make_config(main=[(None, "\n[economy]\nwage = -1\n")])
    with pytest.raises(simsam.ConfigError) as info:
        simsam.load_config(path)
    assert str(info.value) == "economy.wage: -1 is negative (must be ≥ 0)" and info.value.source is None


def test_unknown_key_in_child_of_a_base_table_names_no_base(make_config):
    path = make_config(main=[(None, "\n[economy]\nwag = 30000\n")])
    with pytest.raises(simsam.ConfigError) as info:
        simsam.load_config(path)
    assert str(info.value) == "economy.wag: unknown key 'wag' (did you mean 'wage'?)"


def test_origins_through_a_chain(make_config):
    """top → mid/mid.toml → ../base.toml: each error names the file it is in, relative to the top file."""
    mid = 'extends = "../base.toml"\n\n[benefits.sickness_benefit]\nmonthly = -1\n'
    path = make_config(main=[(EXTENDS, 'extends = "mid/mid.toml"')], files={"mid/mid.toml": mid})
    with pytest.raises(simsam.ConfigError) as info:
        simsam.load_config(path)
    assert str(info.value) == "benefits.sickness_benefit.monthly: -1 is negative (must be ≥ 0) (in mid/mid.toml)"
    fixed = 'extends = "../base.toml"\n\n[benefits.sickness_benefit]\nmonthly = 15000\n'
    path = make_config(
        main=[(EXTENDS, 'extends = "mid/mid.toml"')], base=[("unit_cost = 500", "unit_cost = -500")], files={"mid/mid.toml": fixed}
    )
    with pytest.raises(simsam.ConfigError) as info:
        simsam.load_config(path)
    assert info.value.source == "base.toml"
    path = make_config(main=[(EXTENDS, 'extends = "mid/mid.toml"')], files={"mid/mid.toml": fixed})
    cfg = simsam.load_config(path)
    assert cfg.benefits["sickness_benefit"].monthly.value == 15000
    assert cfg.raw.files == (str(path), "mid/mid.toml", "base.toml")
    assert cfg.raw.origins["benefits.sickness_benefit.monthly"] == "mid/mid.toml"
    assert cfg.raw.origins["actors"] == "base.toml"


def test_error_in_dirichlet_of_a_base(make_config):
    base_shares = '\n[outcomes]\nshares = { dist = "dirichlet", counts = { work = 20, improved = -35 } }\n'
    path = make_config(main=[(SHARES + "\n", "")], base=[(None, base_shares)])
    with pytest.raises(simsam.ConfigError) as info:
        simsam.load_config(path)
    assert str(info.value) == "outcomes.shares.counts.improved: -35 is negative (must be ≥ 0) (in base.toml)"


def test_loads_with_folder():
    text = (DATA / "minimal.toml").read_text()
    cfg = simsam.loads(text, folder=DATA)
    assert cfg.name == "config" and cfg.raw.path is None
    assert cfg.economy.wage.value == 26000


# --- Dirichlet shares ------------------------------------------------------------------------------------------


def test_dirichlet_from_counts_and_prior(make_config):
    path = make_config(main=[(SHARES, SHARES.replace("prior = 1.0", "prior = 0.5"))])
    shares = simsam.load_config(path).outcomes.shares
    assert shares.kind == "dirichlet" and shares.keys == ("work", "improved", "not_improved")
    assert shares.alpha == (20.5, 35.5, 26.5)  # counts + prior
    assert shares.mean() == pytest.approx({"work": 20.5 / 82.5, "improved": 35.5 / 82.5, "not_improved": 26.5 / 82.5})
    assert shares.names == ("outcomes.shares.work", "outcomes.shares.improved", "outcomes.shares.not_improved")


def test_dirichlet_prior_defaults_to_1(make_config):
    path = make_config(main=[(SHARES, SHARES.replace(", prior = 1.0", ""))])
    assert simsam.load_config(path).outcomes.shares.alpha == (21.0, 36.0, 27.0)


def test_dirichlet_from_mean_and_concentration(make_config):
    mean = 'shares = { dist = "dirichlet", mean = { work = 0.25, improved = 0.45, not_improved = 0.30 }, concentration = 80 }'
    shares = simsam.load_config(make_config(main=[(SHARES, mean)])).outcomes.shares
    assert shares.alpha == pytest.approx((20.0, 36.0, 24.0))  # mean * concentration
    assert sum(shares.alpha) == pytest.approx(80)
    assert shares.mean() == pytest.approx({"work": 0.25, "improved": 0.45, "not_improved": 0.30})


def test_dirichlet_in_share_groups():
    cfg = simsam.load_config(MINIMAL)
    assert [g.path for g in cfg.share_groups()] == ["outcomes.shares"]


# --- resource_change: one number for all resources, or a table ---------------------------------------------------


def test_resource_change_scalar_applies_to_every_resource():
    work = simsam.load_config(MINIMAL).outcomes.states["work"]
    assert set(work.resource_change) == {"primary_care_visit", "case_handling"}
    assert all(q.value == -0.2 for q in work.resource_change.values())
    improved = simsam.load_config(MINIMAL).outcomes.states["improved"]
    assert all(q.value == 0 for q in improved.resource_change.values())  # default: no change


def test_resource_change_table(make_config):
    change = 'resource_change = { primary_care_visit = -0.1, case_handling = { dist = "uniform", low = -0.5, high = 0.5 } }'
    cfg = simsam.load_config(make_config(main=[("resource_change = -0.2", change)]))
    work = cfg.outcomes.states["work"].resource_change
    assert work["primary_care_visit"].value == -0.1
    assert work["case_handling"].dist.kind == "uniform"
    assert work["case_handling"].path == "outcomes.states.work.resource_change.case_handling"


def test_resource_change_table_missing_resource_is_zero(make_config):
    cfg = simsam.load_config(make_config(main=[("resource_change = -0.2", "resource_change = { case_handling = -0.3 }")]))
    work = cfg.outcomes.states["work"].resource_change
    assert work["case_handling"].value == -0.3 and work["primary_care_visit"].value == 0.0


def test_resource_change_distribution_scalar(make_config):
    change = 'resource_change = { dist = "uniform", low = -0.4, high = 0.0 }'
    work = simsam.load_config(make_config(main=[("resource_change = -0.2", change)])).outcomes.states["work"]
    q = work.resource_change["primary_care_visit"]
    assert q.dist.kind == "uniform" and work.resource_change["case_handling"] is q  # one input serving both


# --- suggestions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            ('employment_rate = {', 'employment_rat = {'),
            "outcomes.states.work.employment_rat: unknown key 'employment_rat' (did you mean 'employment_rate'?)",
        ),
        (
            ('dist = "beta", mean = 0.75', 'dist = "Beta", mean = 0.75'),
            "outcomes.states.work.employment_rate.dist: unknown distribution 'Beta' (did you mean 'beta'?)",
        ),
        (('subsidy_payer = "af"', 'subsidy_payer = "AF"'), "outcomes.states.work.subsidy_payer: unknown actor 'AF' (did you mean 'af'?)"),
        (  # a label where the id belongs
            ('subsidy_payer = "af"', 'subsidy_payer = "Arbetsförmedlingen"'),
            "outcomes.states.work.subsidy_payer: unknown actor 'Arbetsförmedlingen' (did you mean 'af'?)",
        ),
        (("[transitions]", "[transition]"), "transition: unknown section 'transition' (did you mean 'transitions'?)"),
        (
            ("resource_change = -0.2", "resource_changes = -0.2"),
            "outcomes.states.work.resource_changes: unknown key 'resource_changes' (did you mean 'resource_change'?)",
        ),
    ],
)
def test_unknown_name_suggests_nearest(make_config, edit, message):
    with pytest.raises(simsam.ConfigError) as info:
        simsam.load_config(make_config(main=[edit]))
    assert str(info.value) == message


# --- accepted edge cases -------------------------------------------------------------------------------------------


def test_horizon_multiple_of_12_and_float_integers(make_config):
    cfg = simsam.load_config(make_config(main=[(None, "\n[simulation]\nhorizon_months = 24.0\ndraws = 100\n")]))
    assert cfg.simulation.horizon_months == 24 and isinstance(cfg.simulation.horizon_months, int)


def test_income_mix_may_sum_below_1_and_be_empty(make_config):
    cfg = simsam.load_config(make_config(main=[("income = { activity_support = 1.0 }", "income = {}")]))
    assert cfg.outcomes.states["improved"].income.keys == ()
    assert cfg.outcomes.states["work"].income.keys == ()  # absent: no benefit


def test_meta_is_free_form(make_config):
    cfg = simsam.load_config(make_config(main=[(EXTENDS, EXTENDS + '\n\n[meta]\nname = "Test"\nanything = [1, 2]\n')]))
    assert cfg.name == "Test" and cfg.meta["anything"] == [1, 2]


def test_config_error_is_a_value_error():
    err = simsam.ConfigError("a.b", "bad\nthing", "base.toml")
    assert isinstance(err, ValueError)
    assert str(err) == "a.b: bad thing (in base.toml)"
    assert simsam.ConfigError("", "file 'x' not found").args == ("file 'x' not found",)


def test_override_merges_like_an_extending_file(make_config):
    from simsam.config import override

    cfg = simsam.load_config(make_config())
    changed = override(cfg, {"project": {"participants": 100}, "outcomes": {"shares": {"work": 0.5, "improved": 0.5}}})
    assert changed.project.participants == 100
    assert changed.outcomes.shares.kind == "fixed" and changed.outcomes.shares.keys == ("work", "improved")
    assert changed.economy.wage.value == cfg.economy.wage.value  # untouched keys stay
    assert cfg.project.participants == 81  # the original is unchanged
    with pytest.raises(simsam.ConfigError, match=r"^project\.participants: must be at least 1, not 0 \(in scenario x\)$"):
        override(cfg, {"project": {"participants": 0}}, label="scenario x")
