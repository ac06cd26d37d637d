"""``[correlations]``: the Gaussian copula keeps marginals, hits the target rank correlations, and bad tables fail."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import simsam
from simsam.analysis.sensitivity.model import design_groups
from simsam.cli import main
from simsam.config.correlations import normal_to_spearman, spearman_to_normal
from simsam.engine.copula import gaussian_copula
from simsam.engine.sampling import ParameterSpace

DATA = Path(__file__).parent / "data"
EMP = "outcomes.states.work.employment_rate"
SUB = "outcomes.states.work.wage_subsidy"
PAIRS = {
    f"{EMP} ~ {SUB}": -0.5,
    "economy.wage ~ project.cost": 0.7,
    "project.cost ~ benefits.social_assistance.monthly": 0.3,
}


def engine(table: str = "", base: str | None = None):
    text = (DATA / "engine.toml").read_text(encoding="utf-8") if base is None else base
    return simsam.loads(text + ("\n[correlations]\n" + table if table else ""), DATA)


def pairs_table(pairs=PAIRS) -> str:
    return "".join(f'"{k}" = {v}\n' for k, v in pairs.items())


@pytest.fixture(scope="module")
def correlated():
    return engine(pairs_table())


def test_conversion_is_exact_for_the_normal_copula():
    rho = np.linspace(-1, 1, 21)
    np.testing.assert_allclose(normal_to_spearman(spearman_to_normal(rho)), rho, atol=1e-12)
    assert spearman_to_normal(0.5) == pytest.approx(2 * math.sin(math.pi / 12))
    assert np.max(np.abs(spearman_to_normal(rho) - rho)) < 0.02


def test_achieved_rank_correlation_within_sampling_error(correlated):
    """Spearman's r of n draws: atanh(r) has standard error about sqrt(1.06 / (n − 3)) (Fieller et al. 1957)."""
    n = 20_000
    space = ParameterSpace.from_config(correlated)
    values = space.sample(7, np.arange(n))
    col = {name: j for j, name in enumerate(space.names)}
    se = math.sqrt(1.06 / (n - 3))
    for key, target in PAIRS.items():
        a, b = (s.strip() for s in key.split("~"))
        r = stats.spearmanr(values[:, col[a]], values[:, col[b]])[0]
        assert abs(math.atanh(r) - math.atanh(target)) < 4 * se, (key, r)
    # A pair not given stays uncorrelated (wage and social assistance are linked only through the cost).
    r = stats.spearmanr(values[:, col["economy.wage"]], values[:, col[EMP]])[0]
    assert abs(r) < 4 * se


def test_marginals_unchanged(correlated):
    """KS test of each correlated input against its own distribution; uncorrelated inputs identical."""
    plain = engine()
    space, space0 = ParameterSpace.from_config(correlated), ParameterSpace.from_config(plain)
    draws = np.arange(5000)
    values, values0 = space.sample(3, draws), space0.sample(3, draws)
    assert space.names == space0.names
    correlated_names = set(correlated.correlations.names)
    for j, q in enumerate(space.scalars):
        if q.path in correlated_names:
            assert stats.kstest(values[:, j], q.dist.frozen.cdf).pvalue > 0.01, q.path
        else:
            np.testing.assert_array_equal(values[:, j], values0[:, j], err_msg=q.path)
    shares = slice(len(space.scalars), space.size)
    np.testing.assert_array_equal(values[:, shares], values0[:, shares])


def test_draws_are_chunk_independent(correlated):
    space = ParameterSpace.from_config(correlated)
    whole = space.sample(5, np.arange(300))
    parts = np.vstack([space.sample(5, np.arange(0, 120)), space.sample(5, np.arange(120, 300))])
    np.testing.assert_array_equal(whole, parts)
    for i in (0, 77, 299):
        np.testing.assert_array_equal(space.sample(5, np.array([i]))[0], whole[i])
    ds = simsam.simulate(correlated, draws=300, seed=5, chunk_draws=70)
    np.testing.assert_array_equal(ds.inputs.values, whole)


def test_copula_is_per_draw_and_keeps_uniforms_in_range():
    u = np.array([[1e-300, 0.5], [0.5, 1 - 2**-53], [0.3, 0.3]])
    chol = np.linalg.cholesky(np.array([[1.0, 0.9], [0.9, 1.0]]))
    c = gaussian_copula(u, chol)
    assert np.all((c > 0) & (c < 1))
    np.testing.assert_array_equal(gaussian_copula(u[2:], chol), c[2:])
    assert c[2, 0] == pytest.approx(0.3)  # the first input keeps its own uniform


def test_correlations_merge_through_extends(tmp_path):
    (tmp_path / "base.toml").write_text((DATA / "engine.toml").read_text() + "\n[correlations]\n" + pairs_table(), encoding="utf-8")
    (tmp_path / "case.toml").write_text('extends = "base.toml"\n[correlations]\n"economy.wage ~ project.cost" = -0.2\n', encoding="utf-8")
    cfg = simsam.load_config(tmp_path / "case.toml")
    got = {(a, b): rho for a, b, rho in cfg.correlations.pairs}
    assert got[("economy.wage", "project.cost")] == -0.2 and got[(EMP, SUB)] == -0.5 and len(got) == 3


def test_correlated_inputs_form_one_design_group(correlated):
    space = ParameterSpace.from_config(correlated)
    groups = dict(zip(space.names, design_groups(space)))
    trio = "economy.wage ~ benefits.social_assistance.monthly ~ project.cost"
    assert groups["economy.wage"] == groups["project.cost"] == groups["benefits.social_assistance.monthly"] == trio
    assert groups[EMP] == groups[SUB] == f"{EMP} ~ {SUB}"
    assert groups["outcomes.shares.work"] == "outcomes.shares"
    assert list(space.group_of) == list(ParameterSpace.from_config(engine()).group_of)  # the result Dataset's groups are unchanged


@pytest.mark.parametrize(
    "table, message",
    [
        (
            '"economy.wag ~ project.cost" = 0.3',
            r"""^correlations\."economy\.wag ~ project\.cost": unknown uncertain input 'economy\.wag' """
            r"""\(did you mean 'economy\.wage'\?\)$""",
        ),
        (
            '"economy.payroll_tax ~ project.cost" = 0.3',
            r"""^correlations\."economy\.payroll_tax ~ project\.cost": 'economy\.payroll_tax' is a fixed number, not a distribution""",
        ),
        (
            '"outcomes.shares.work ~ project.cost" = 0.3',
            r"""'outcomes\.shares\.work' is a Dirichlet share, tied to the other shares of its table""",
        ),
        (
            '"economy.wage ~ project.cost" = 1.5',
            r"""^correlations\."economy\.wage ~ project\.cost": 1\.5 is out of range \(must be between -1 and 1\)$""",
        ),
        ('"economy.wage ~ project.cost" = "high"', r"""^correlations\."economy\.wage ~ project\.cost": must be a number, not a string$"""),
        (
            '"economy.wage, project.cost" = 0.3',
            r"""^correlations\."economy\.wage, project\.cost": must name two uncertain inputs as "A ~ B\"""",
        ),
        ('"economy.wage ~ economy.wage" = 0.3', r"an input cannot be correlated with itself"),
        (
            '"economy.wage ~ project.cost" = 0.3\n"project.cost ~ economy.wage" = 0.2',
            r"""^correlations\."project\.cost ~ economy\.wage": the pair is given twice \(also as "economy\.wage ~ project\.cost"\)$""",
        ),
        (
            '"economy.wage ~ project.cost" = 0.9\n"project.cost ~ economy.uplift" = 0.9\n"economy.uplift ~ economy.wage" = -0.9',
            r"^correlations: matrix is not positive definite: the correlations of 'project\.cost' with 'economy\.uplift', "
            r"'economy\.wage' cannot hold",
        ),
    ],
)
def test_bad_correlations(tmp_path, capsys, table, message):
    with pytest.raises(simsam.ConfigError, match=message):
        engine(table)
    path = tmp_path / "bad.toml"
    path.write_text((DATA / "engine.toml").read_text() + "\n[correlations]\n" + table + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: correlations") and err.count("\n") == 1


def test_correlations_must_be_a_table():
    with pytest.raises(simsam.ConfigError, match="^correlations: must be a table, not an integer$"):
        simsam.loads((DATA / "engine.toml").read_text().replace("[actors]", "correlations = 3\n[actors]", 1), DATA)
