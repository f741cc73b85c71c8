"""Agreement between the theme coding and a human coder: the reliability figures.

Content analysts report how far their coding agrees with careful human
coding of a sample (KH Coder leaves this to the user).  Each theme is a
present/absent variable on every passage of the sample; the statistics are
precision, recall and F1 of the coding against the human coder, Cohen's κ
and Krippendorff's α (nominal, two coders, the `krippendorff` package),
per theme and pooled (micro: every (passage, theme) decision pooled; macro:
the mean of the per-theme figures), each with a bootstrap 95 % interval
(passages resampled with a fixed seed).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import AnalysisError, ThemeError

#: The statistics reported, each with ``_low`` and ``_high`` interval bounds.
STATISTICS = ("precision", "recall", "f1", "kappa", "alpha")
#: Columns of :func:`stat_coding_agreement`.
AGREEMENT_COLUMNS = (
    "theme_id",
    "label",
    "n_units",
    "n_gold",
    "n_coded",
    "tp",
    "fp",
    "fn",
    "tn",
    *(f"{name}{suffix}" for name in STATISTICS for suffix in ("", "_low", "_high")),
)
#: Key columns that identify a passage, in order of preference.
UNIT_KEYS = (("plan_id", "line_start", "line_end"), ("plan_id", "seg_id"))


def stat_coding_agreement(
    coded: pd.DataFrame,
    gold: pd.DataFrame,
    themes: Sequence[str] | None = None,
    *,
    on: Sequence[str] | None = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Agreement of a theme coding with a reference (human) coding of the same passages.

    Parameters
    ----------
    coded
        The coding to judge: one row per passage, one boolean (or 0/1)
        column per theme, e.g. :func:`compare.themes_wide`.
    gold
        The reference coding in the same form (e.g. a filled coding sheet);
        its passages must all be in ``coded`` (extra rows of ``coded`` are
        ignored).
    themes
        Theme ids to judge; default: ``gold.attrs["themes"]`` or
        ``coded.attrs["themes"]``, else every column the two share besides
        the keys.
    on
        Columns identifying a passage in both tables; default
        ``plan_id, line_start, line_end`` when both have them, else
        ``plan_id, seg_id``, else the row order (same length required).
    n_boot
        Bootstrap resamples of the passages for the intervals (0: none).
    confidence
        Coverage of the percentile intervals.
    random_state
        Seed of the bootstrap (same seed, same intervals).

    Returns
    -------
    pandas.DataFrame
        One row per theme (in order), then ``micro`` and ``macro``.  Columns:
        ``theme_id``, ``label``, ``n_units`` (passages), ``n_gold`` and
        ``n_coded`` (passages the reference / the coding marks), ``tp``,
        ``fp``, ``fn``, ``tn`` (micro and macro rows: summed over themes),
        then ``precision``, ``recall``, ``f1``, ``kappa`` (Cohen's κ),
        ``alpha`` (Krippendorff's α, nominal), each followed by ``_low`` and
        ``_high`` bounds.  A statistic that is undefined (no passage marked
        by either side, every passage alike) is NaN; macro figures average
        the defined per-theme values.  ``attrs`` records ``n_boot``,
        ``confidence`` and ``random_state``.

    Raises
    ------
    AnalysisError
        No theme to compare, a theme column missing, a value other than
        0/1/True/False, or reference passages absent from ``coded``.
    """
    if not 0 < confidence < 1:
        raise AnalysisError("confidence must lie between 0 and 1, e.g. 0.95")
    if n_boot < 0:
        raise AnalysisError("n_boot must be zero or positive")
    ids = _theme_ids(coded, gold, themes, on)
    left, right = _aligned(coded, gold, ids, on)
    labels = {**coded.attrs.get("labels", {}), **gold.attrs.get("labels", {})}
    counts = _counts(left, right)  # (4, T): tp, fp, fn, tn per theme
    point = _table(counts)
    point[4] = _package_alpha(left, right)
    rows = []
    bounds = _bootstrap(left, right, n_boot, confidence, random_state)
    names = [*ids, "micro", "macro"]
    for j, name in enumerate(names):
        if j < len(ids):
            tp, fp, fn, tn = (int(v) for v in counts[:, j])
            label = labels.get(name, name)
        else:
            tp, fp, fn, tn = (int(v) for v in counts.sum(axis=1))
            label = name
        row: dict[str, Any] = {
            "theme_id": name,
            "label": label,
            "n_units": len(left),
            "n_gold": tp + fn,
            "n_coded": tp + fp,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
        }
        for k, stat in enumerate(STATISTICS):
            row[stat] = point[k, j]
            row[f"{stat}_low"] = bounds[0][k, j]
            row[f"{stat}_high"] = bounds[1][k, j]
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))
    out.attrs = {"n_boot": n_boot, "confidence": confidence, "random_state": random_state}
    return out


# --------------------------------------------------------------------------- inputs


def _keys(coded: pd.DataFrame, gold: pd.DataFrame, on: Sequence[str] | None) -> list[str]:
    if on is not None:
        keys = [on] if isinstance(on, str) else list(on)
        for name, frame in (("coded", coded), ("gold", gold)):
            missing = [k for k in keys if k not in frame.columns]
            if missing:
                raise AnalysisError(
                    f"the {name} table lacks the key column(s) {', '.join(missing)}"
                )
        return keys
    for keys in UNIT_KEYS:
        if all(k in coded.columns and k in gold.columns for k in keys):
            return list(keys)
    return []


def _theme_ids(
    coded: pd.DataFrame, gold: pd.DataFrame, themes: Sequence[str] | None, on: Any
) -> list[str]:
    if themes is not None:
        ids = [themes] if isinstance(themes, str) else list(themes)
    elif gold.attrs.get("themes") or coded.attrs.get("themes"):
        ids = list(gold.attrs.get("themes") or coded.attrs["themes"])
    else:
        keys = set(_keys(coded, gold, on))
        ids = [c for c in gold.columns if c in coded.columns and c not in keys]
    if not ids:
        raise AnalysisError("no theme column to compare; pass themes=[...] with the theme ids")
    for name, frame in (("coded", coded), ("gold", gold)):
        missing = [t for t in ids if t not in frame.columns]
        if missing:
            raise AnalysisError(f"the {name} table has no column for theme(s) {', '.join(missing)}")
    return ids


def _binary(frame: pd.DataFrame, ids: list[str], name: str) -> np.ndarray:
    values = frame[ids]
    out = np.zeros(values.shape, dtype=bool)
    for j, theme in enumerate(ids):
        column = values[theme]
        if column.isna().any():
            row = int(np.flatnonzero(column.isna().to_numpy())[0])
            raise AnalysisError(f"the {name} table has no value for theme {theme!r} in row {row}")
        as_float = pd.to_numeric(column.astype(object), errors="coerce")
        bad = ~as_float.isin([0, 1])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise AnalysisError(
                f"the {name} table has {_plain(column.iloc[row])!r} for theme {theme!r} in row "
                f"{row}; "
                "use 0/1 or True/False"
            )
        out[:, j] = as_float.to_numpy() == 1
    return out


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _aligned(
    coded: pd.DataFrame, gold: pd.DataFrame, ids: list[str], on: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray]:
    """(coded, gold) as boolean arrays, one row per reference passage."""
    keys = _keys(coded, gold, on)
    if not keys:
        if len(coded) != len(gold):
            raise AnalysisError(
                f"the tables have {len(coded)} and {len(gold)} rows and no common key columns "
                "(plan_id with line_start/line_end or seg_id); pass on=[...]"
            )
        return _binary(coded, ids, "coded"), _binary(gold, ids, "gold")
    if gold.duplicated(keys).any():
        row = gold[gold.duplicated(keys)].iloc[0]
        raise AnalysisError(f"the gold table lists passage {_key_text(row, keys)} twice")
    left = coded.drop_duplicates(keys).set_index(keys)
    wanted = pd.MultiIndex.from_frame(gold[keys]) if len(keys) > 1 else pd.Index(gold[keys[0]])
    absent = ~wanted.isin(left.index)
    if absent.any():
        first = gold[absent].iloc[0]
        raise AnalysisError(
            f"{int(absent.sum())} passage(s) of the gold table are not in the coded table, "
            f"e.g. {_key_text(first, keys)}"
        )
    return _binary(left.loc[wanted].reset_index(), ids, "coded"), _binary(gold, ids, "gold")


def _key_text(row: pd.Series, keys: list[str]) -> str:
    return ", ".join(f"{k}={row[k]}" for k in keys)


# --------------------------------------------------------------------------- statistics


def _counts(coded: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """tp, fp, fn, tn per theme: an array of shape (4, themes)."""
    tp = (coded & gold).sum(axis=0)
    fp = (coded & ~gold).sum(axis=0)
    fn = (~coded & gold).sum(axis=0)
    tn = (~coded & ~gold).sum(axis=0)
    return np.stack([tp, fp, fn, tn]).astype(float)


def agreement_from_counts(
    tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, tn: np.ndarray
) -> np.ndarray:
    """Precision, recall, F1, Cohen's κ and Krippendorff's α from 2×2 counts.

    Vectorised over any shape of count arrays; returns an array with a
    leading axis of five statistics.  Krippendorff's α (nominal, two coders,
    no missing values) in closed form: with N units, d = fp + fn
    disagreements and the pooled value counts n₁ = 2·tp + d and n₀ = 2·tn + d,
    α = 1 − (2N − 1)·d / (n₀·n₁) (Krippendorff 2011, eq. for the coincidence
    matrix of two coders); it equals ``krippendorff.alpha`` (tested).
    """
    tp, fp, fn, tn = (np.asarray(x, dtype=float) for x in (tp, fp, fn, tn))
    n = tp + fp + fn + tn
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        recall = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
        observed = (tp + tn) / n
        expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
        kappa = np.where(expected < 1, (observed - expected) / (1 - expected), np.nan)
        d = fp + fn
        n1, n0 = 2 * tp + d, 2 * tn + d
        alpha = np.where(n0 * n1 > 0, 1 - (2 * n - 1) * d / (n0 * n1), np.nan)
    return np.stack([precision, recall, f1, kappa, alpha])


def _table(counts: np.ndarray) -> np.ndarray:
    """Statistics (5, themes + 2): per theme, micro (pooled counts), macro (mean)."""
    per_theme = agreement_from_counts(*counts)
    micro = agreement_from_counts(*counts.sum(axis=1))
    macro = _nanmean(per_theme, axis=-1)
    return np.concatenate([per_theme, micro[:, None], macro[:, None]], axis=1)


def _package_alpha(coded: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Krippendorff's α per theme, micro (pooled decisions) and macro, by `krippendorff`."""
    import krippendorff

    def alpha(a: np.ndarray, b: np.ndarray) -> float:
        if len(a) == 0 or len(np.unique(np.concatenate([a, b]))) < 2:
            return np.nan  # one value only: α is undefined
        data = np.vstack([a, b]).astype(float)
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))

    per_theme = np.array([alpha(coded[:, j], gold[:, j]) for j in range(coded.shape[1])])
    micro = alpha(coded.ravel(), gold.ravel())
    return np.concatenate([per_theme, [micro, _nanmean(per_theme, axis=0)]])


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    defined = ~np.isnan(values)
    total = np.where(defined, values, 0.0).sum(axis=axis)
    count = defined.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _bootstrap(
    coded: np.ndarray, gold: np.ndarray, n_boot: int, confidence: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bounds (low, high), each (5, themes + 2), from resampled passages."""
    shape = (len(STATISTICS), coded.shape[1] + 2)
    if n_boot == 0 or len(coded) == 0:
        return np.full(shape, np.nan), np.full(shape, np.nan)
    rng = np.random.default_rng(seed)
    n = len(coded)
    cells = np.stack([coded & gold, coded & ~gold, ~coded & gold, ~coded & ~gold]).astype(
        float
    )  # (4, N, T)
    draws = []
    for start in range(0, n_boot, 200):
        size = min(200, n_boot - start)
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=size).astype(float)  # (B, N)
        counts = np.einsum("bn,knt->kbt", weights, cells)  # (4, B, T)
        per_theme = agreement_from_counts(*counts)  # (5, B, T)
        micro = agreement_from_counts(*counts.sum(axis=2))  # (5, B)
        macro = _nanmean(per_theme, axis=2)
        draws.append(np.concatenate([per_theme, micro[..., None], macro[..., None]], axis=2))
    samples = np.concatenate(draws, axis=1)  # (5, n_boot, T + 2)
    tail = 100 * (1 - confidence) / 2
    with np.errstate(invalid="ignore"):
        low = _nanpercentile(samples, tail)
        high = _nanpercentile(samples, 100 - tail)
    return low, high


def _nanpercentile(samples: np.ndarray, q: float) -> np.ndarray:
    out = np.full((samples.shape[0], samples.shape[2]), np.nan)
    for k in range(samples.shape[0]):
        for j in range(samples.shape[2]):
            values = samples[k, :, j]
            values = values[~np.isnan(values)]
            if len(values):
                out[k, j] = np.percentile(values, q)
    return out


# --------------------------------------------------------------------------- coding sheets


def validate_coding_sheet(
    path: str | os.PathLike,
    *,
    catalog: Any = None,
    themes: Any = None,
    n_boot: int = 1000,
    random_state: int = 0,
) -> pd.DataFrame:
    """Agreement of the current theme coding with a filled coding sheet.

    The sheet (:func:`compare.themes.sheet.write_coding_sheet`) is read and
    checked; its passages are found again in the corpus (``catalog``, by
    default the one recorded in the sheet) and coded with ``themes`` (by
    default those recorded in the sheet), so the figures describe the rules
    as they are now.

    Returns
    -------
    pandas.DataFrame
        :func:`stat_coding_agreement` of the coding against the sheet.
        ``attrs`` adds ``sheet`` (file name), ``n_passages`` (coded rows),
        ``n_changed`` (passages whose coding differs from the predictions
        stored in the sheet when it was written), ``catalog`` and ``themes``.

    Raises
    ------
    ThemeError
        The sheet is invalid (see :func:`compare.themes.sheet.read_coding_sheet`),
        a theme of the sheet is not in the catalogue, or a row's passage no
        longer exists in the corpus (naming the sheet, row and column).
    """
    from compare.structure.segment import read_corpus
    from compare.themes.coding import resolve_themes, themes_wide
    from compare.themes.sheet import CODING, read_coding_sheet

    sheet = read_coding_sheet(path)
    catalog = catalog if catalog is not None else (sheet.about.get("catalog") or None)
    themes = themes if themes is not None else (sheet.about.get("themes") or None)
    theme_list, _ = resolve_themes(themes)
    known = {t.id for t in theme_list}
    unknown = [t for t in sheet.themes if t not in known]
    if unknown:
        raise ThemeError(
            f"{sheet.path}: theme column(s) {', '.join(unknown)} of the sheet are not in the theme "
            f"catalogue ({', '.join(sorted(known))}); pass the catalogue the sheet was made with"
        )
    chosen = [t for t in theme_list if t.id in sheet.themes]
    wide = themes_wide(read_corpus(_sheet_plans(sheet, catalog)), chosen, warn_unmatched=False)
    rows = _locate_passages(sheet, wide, CODING)
    coded = wide.iloc[rows].reset_index(drop=True)
    coded["passage"] = sheet.human["passage"].to_numpy()
    human = sheet.human.copy()
    human.attrs = {"themes": sheet.themes, "labels": wide.attrs.get("labels", {})}
    out = stat_coding_agreement(
        coded, human, sheet.themes, on=["passage"], n_boot=n_boot, random_state=random_state
    )
    stored = sheet.predictions[sheet.themes].to_numpy(dtype=bool)
    now = coded[sheet.themes].to_numpy(dtype=bool)
    out.attrs.update(
        {
            "sheet": sheet.path.name,
            "n_passages": len(human),
            "n_changed": int((stored != now).any(axis=1).sum()),
            "catalog": _source(catalog),
            "themes": _source(themes),
        }
    )
    return out


def _source(value: Any) -> str:
    """How a catalogue or theme argument is recorded: its path, or what it was."""
    if value is None or (isinstance(value, str) and not value):
        return "bundled"
    if isinstance(value, str | os.PathLike):
        return str(value)
    return f"given {type(value).__name__}"


def _sheet_plans(sheet: Any, catalog: Any) -> pd.DataFrame:
    """The catalogue rows of the plans the sheet samples (only those are read again)."""
    from compare.io.catalog import read_catalog
    from compare.themes.sheet import CODING

    table = catalog if isinstance(catalog, pd.DataFrame) else read_catalog(catalog)
    known = set(table["plan_id"].astype(str))
    for record in sheet.human.itertuples(index=False):
        if record.plan_id not in known:
            raise ThemeError(
                f"{sheet.path}, sheet '{CODING}', row {record.row}, column B: plan "
                f"{record.plan_id!r} of passage {record.passage} is not in the catalogue; pass "
                "the catalogue the sheet was made from (--catalog)"
            )
    wanted = set(sheet.human["plan_id"])
    chosen = table[table["plan_id"].astype(str).isin(wanted)].reset_index(drop=True)
    chosen.attrs = dict(table.attrs)
    return chosen


def _locate_passages(sheet: Any, wide: pd.DataFrame, sheet_name: str) -> list[int]:
    """The row of ``wide`` holding each passage of the sheet (same plan, lines and text)."""
    index: dict[tuple[str, int, int], list[int]] = {}
    for i, (plan, first, last) in enumerate(
        zip(wide["plan_id"].astype(str), wide["line_start"], wide["line_end"], strict=True)
    ):
        index.setdefault((plan, int(first), int(last)), []).append(i)
    texts = wide["text"].fillna("").astype(str).map(_squash).tolist()
    plans = set(wide["plan_id"].astype(str))
    found = []
    for record in sheet.human.itertuples(index=False):
        where = f"{sheet.path}, sheet '{sheet_name}', row {record.row}, column A"
        if record.plan_id not in plans:
            raise ThemeError(
                f"{where}: passage {record.passage}: plan {record.plan_id!r} is not in the corpus; "
                "pass the catalogue the sheet was made from (--catalog)"
            )
        wanted = _squash(record.text)
        hits = [
            i
            for i in index.get((record.plan_id, record.line_start, record.line_end), [])
            if texts[i] == wanted
        ]
        if not hits:
            raise ThemeError(
                f"{where}: passage {record.passage} no longer exists in the corpus (no passage of "
                f"{record.plan_id} at these lines with this text: the plan or its segmentation "
                "changed); make a new coding sheet"
            )
        found.append(hits[0])
    return found


def _squash(text: str) -> str:
    """Text compared without whitespace and control characters (as a sheet stores it)."""
    return "".join(re.sub(r"[\x00-\x1f]", " ", str(text)).split())


__all__ = ["agreement_from_counts", "stat_coding_agreement", "validate_coding_sheet"]
