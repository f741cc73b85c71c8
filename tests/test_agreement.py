"""stat_coding_agreement: hand-computed values, the krippendorff package, bootstrap intervals."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from compare import stat_coding_agreement
from compare.errors import AnalysisError
from compare.stats.agreement import agreement_from_counts


def _tables(coded: dict[str, list[int]], gold: dict[str, list[int]]) -> tuple[pd.DataFrame, ...]:
    n = len(next(iter(gold.values())))
    keys = {"plan_id": ["p"] * n, "seg_id": list(range(n))}
    return pd.DataFrame({**keys, **coded}), pd.DataFrame({**keys, **gold})


# Ten passages, one theme: tp 4 (rows 0, 4, 8, 9), fp 1 (row 1), fn 1 (row 5), tn 4.
CODED = [1, 1, 0, 0, 1, 0, 0, 0, 1, 1]
GOLD = [1, 0, 0, 0, 1, 1, 0, 0, 1, 1]


def test_hand_computed_values() -> None:
    coded, gold = _tables({"a": CODED}, {"a": GOLD})
    row = stat_coding_agreement(coded, gold, ["a"], n_boot=0).set_index("theme_id").loc["a"]
    assert (row.tp, row.fp, row.fn, row.tn) == (4, 1, 1, 4)
    assert (row.n_gold, row.n_coded, row.n_units) == (5, 5, 10)
    assert row.precision == pytest.approx(0.8)
    assert row.recall == pytest.approx(0.8)
    assert row.f1 == pytest.approx(0.8)
    # observed agreement 0.8, chance agreement 0.5*0.5 + 0.5*0.5 = 0.5
    assert row.kappa == pytest.approx((0.8 - 0.5) / (1 - 0.5))
    # coincidences: 2 disagreeing units, n0 = n1 = 10 values, n = 20: 1 - 19 * 2 / 100
    assert row.alpha == pytest.approx(0.62)
    assert math.isnan(row.alpha_low)  # no bootstrap asked


def test_against_the_krippendorff_package_and_sklearn() -> None:
    rng = np.random.default_rng(7)
    gold = {t: (rng.random(80) < p).astype(int).tolist() for t, p in (("a", 0.2), ("b", 0.5))}
    coded = {t: [v if rng.random() > 0.2 else 1 - v for v in values] for t, values in gold.items()}
    left, right = _tables(coded, gold)
    table = stat_coding_agreement(left, right, n_boot=0).set_index("theme_id")
    for theme in ("a", "b"):
        data = np.array([coded[theme], gold[theme]], dtype=float)
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert table.loc[theme, "alpha"] == pytest.approx(expected)
        assert table.loc[theme, "kappa"] == pytest.approx(
            cohen_kappa_score(coded[theme], gold[theme])
        )
        counts = table.loc[theme, ["tp", "fp", "fn", "tn"]].to_numpy(dtype=float)
        assert agreement_from_counts(*counts)[4] == pytest.approx(expected)  # closed form
    pooled = np.array([coded["a"] + coded["b"], gold["a"] + gold["b"]], dtype=float)
    assert table.loc["micro", "alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=pooled, level_of_measurement="nominal")
    )
    assert table.loc["micro", "kappa"] == pytest.approx(cohen_kappa_score(*pooled))
    assert table.loc["macro", "f1"] == pytest.approx(table.loc[["a", "b"], "f1"].mean())
    assert table.loc["micro", "tp"] == table.loc[["a", "b"], "tp"].sum()


def test_bootstrap_intervals_are_fixed_by_the_seed_and_hold_the_estimate() -> None:
    rng = np.random.default_rng(3)
    gold = {"a": (rng.random(120) < 0.3).astype(int).tolist()}
    coded = {"a": [v if rng.random() > 0.15 else 1 - v for v in gold["a"]]}
    left, right = _tables(coded, gold)
    first = stat_coding_agreement(left, right, n_boot=300, random_state=5)
    again = stat_coding_agreement(left, right, n_boot=300, random_state=5)
    other = stat_coding_agreement(left, right, n_boot=300, random_state=6)
    pd.testing.assert_frame_equal(first, again)
    assert not first["f1_low"].equals(other["f1_low"])
    for stat in ("precision", "recall", "f1", "kappa", "alpha"):
        row = first.iloc[0]
        assert row[f"{stat}_low"] <= row[stat] <= row[f"{stat}_high"]
        assert row[f"{stat}_high"] - row[f"{stat}_low"] > 0
    assert first.attrs == {"n_boot": 300, "confidence": 0.95, "random_state": 5}


def test_undefined_statistics_are_nan() -> None:
    coded, gold = _tables({"a": [0] * 6}, {"a": [0] * 6})
    row = stat_coding_agreement(coded, gold, n_boot=50).iloc[0]
    for stat in ("precision", "recall", "f1", "kappa", "alpha"):
        assert math.isnan(row[stat]), stat


def test_rows_are_matched_on_the_passage_keys() -> None:
    coded, gold = _tables({"a": CODED}, {"a": GOLD})
    shuffled = coded.iloc[::-1].reset_index(drop=True)
    extra = pd.concat([shuffled, pd.DataFrame({"plan_id": ["q"], "seg_id": [0], "a": [1]})])
    base = stat_coding_agreement(coded, gold, n_boot=0)
    pd.testing.assert_frame_equal(stat_coding_agreement(extra, gold, n_boot=0), base)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c, g: (c[c["seg_id"] != 3], g), r"1 passage\(s\) of the gold table are not in"),
        (lambda c, g: (c, g.assign(a=[2, *GOLD[1:]])), r"has 2 for theme 'a' in row 0"),
        (lambda c, g: (c.drop(columns="a"), g), r"coded table has no column for theme\(s\) a"),
    ],
)
def test_bad_input_is_named(change, message: str) -> None:
    coded, gold = _tables({"a": CODED}, {"a": GOLD})
    left, right = change(coded, gold)
    with pytest.raises(AnalysisError, match=message):
        stat_coding_agreement(left, right, ["a"], n_boot=0)
