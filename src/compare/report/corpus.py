"""The corpus model of the briefing report: one way to build it, whatever the corpus size.

:func:`load_corpus` runs :func:`compare.pipeline.run_pipeline` on the
catalogue, which keeps per-plan results only (theme counts, the sparse plan ×
word matrix, quotation candidates, outlines), and reads the full segment and
token tables of at most ``ReportSettings.text_plans`` plans and
``ReportSettings.text_chars`` characters for the sections that need the text
itself (co-occurrence network, goal alignment, policy matrix, outlines).
Within both limits every plan is read; above them, :func:`text_sample`
chooses a deterministic sample and the sections that read it say which plans
they read.

What the comparisons compare (``ReportSettings.group_by``) is a stated
setting, not a hidden route: plans, or municipalities (the plans of one
municipality summed) — by default plans up to ``max_plans_compared``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import CatalogError, ReportError
from compare.report.model import Corpus, ReportSettings, TextSample

#: The theme source of the bundled themes, as the report names it.
BUNDLED_THEMES = "既定のテーマ (bundled data/themes.yaml)"


def load_corpus(
    catalog: pd.DataFrame,
    *,
    themes: str | os.PathLike | None,
    progress: bool,
    settings: ReportSettings,
    client: Any = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> Corpus:
    """Run the pipeline on every plan (on the Dask cluster of ``client`` if given, with the
    cache of ``cache_dir`` unless ``cache`` is false) and read the text of the plans the text
    sections need."""
    from compare.pipeline import run_pipeline
    from compare.plot.labels import plan_names
    from compare.stats.matrix import resolve_vocabulary
    from compare.text.tokenizer import Tokenizer
    from compare.themes.coding import load_themes

    theme_catalogue = load_themes(themes)
    vocabulary = resolve_vocabulary(settings.vocabulary)
    tokenizer = Tokenizer(user_terms=vocabulary.terms if vocabulary is not None else None)
    result = run_pipeline(
        catalog,
        theme_catalogue,
        tokenizer,
        progress=progress,
        n_jobs=settings.n_jobs,
        client=client,
        cache=cache,
        cache_dir=cache_dir,
    )
    source = BUNDLED_THEMES if themes is None else Path(themes).name
    names = dict(zip(catalog["plan_id"], plan_names(catalog, width=20), strict=True))
    group_by = compared_unit(len(catalog), settings)
    units = unit_table(result.plans, group_by)
    compared = _compared_matrix(result, units, vocabulary)
    sample = text_sample(
        result.plans, units, compared, settings.text_plans, group_by, settings.text_chars
    )
    note = sample_note(result.plans, sample, names, settings)
    text = read_text_sample(
        catalog,
        sample,
        theme_catalogue,
        tokenizer,
        names,
        vocabulary,
        progress,
        themes,
        note,
        cache=cache,
        cache_dir=cache_dir,
    )
    if int(result.theme_counts(headings=True)["segments"].sum()) == 0:
        raise ReportError(
            f"The theme file {source} codes no passage in the {len(catalog)} plan(s): every rule "
            "matched nothing, so there is no theme to compare. Check its rules against the "
            "plans (compare kwic TERM shows where a term occurs) or leave out --themes to use "
            "the default themes."
        )
    return Corpus(
        catalog=catalog,
        result=result,
        themes=list(theme_catalogue),
        names=names,
        themes_source=source,
        group_by=group_by,
        units=units,
        compared=compared,
        text=text,
        vocabulary=vocabulary,
    )


def select_plans(catalog: pd.DataFrame, plans: Sequence[str] | None) -> pd.DataFrame:
    """The catalogue rows of ``plans`` (all when None), in catalogue order."""
    if not plans:
        if catalog.empty:
            raise CatalogError("The catalogue lists no plan; add at least one row.")
        return catalog
    known = list(catalog["plan_id"])
    unknown = [p for p in plans if p not in known]
    if unknown:
        raise CatalogError(
            f"Unknown plan id(s) {', '.join(unknown)} in --plans; the catalogue has: "
            f"{', '.join(known)}."
        )
    chosen = catalog[catalog["plan_id"].isin(list(plans))].reset_index(drop=True)
    chosen.attrs = dict(catalog.attrs)
    return chosen


# --------------------------------------------------------------------------- units


def compared_unit(n_plans: int, settings: ReportSettings) -> str:
    """``"plan"`` or ``"municipality"``: what the comparisons compare (see ``group_by``)."""
    if settings.group_by != "auto":
        return settings.group_by
    return "plan" if n_plans <= settings.max_plans_compared else "municipality"


def municipality_names(plans: pd.DataFrame) -> pd.Series:
    """Each plan's municipality, with the prefecture where two prefectures share the name."""
    key = plans["prefecture"].astype(str) + "\x1f" + plans["municipality"].astype(str)
    pairs = pd.DataFrame({"key": key, "municipality": plans["municipality"].astype(str)})
    distinct = pairs.drop_duplicates("key")
    shared = set(distinct.loc[distinct["municipality"].duplicated(keep=False), "municipality"])
    named = np.where(
        plans["municipality"].astype(str).isin(shared),
        plans["prefecture"].astype(str) + plans["municipality"].astype(str),
        plans["municipality"].astype(str),
    )
    out = pd.Series(named, index=plans.index, dtype=object)
    return out.where(out != "", "（自治体名なし）")


def unit_table(plans: pd.DataFrame, group_by: str) -> pd.DataFrame:
    """One row per compared unit, in order of first plan: ``unit`` (a plan id or a
    municipality name), ``n_plans``, ``chars``, ``n_tokens`` and ``plan_ids``."""
    frame = plans.assign(unit=plan_units(plans, group_by).to_numpy())
    grouped = frame.groupby("unit", sort=False)
    return pd.DataFrame(
        {
            "unit": list(grouped.groups),
            "n_plans": grouped.size().to_numpy(dtype=np.int64),
            "chars": grouped["chars"].sum().to_numpy(dtype=np.int64),
            "n_tokens": grouped["n_tokens"].sum().to_numpy(dtype=np.int64),
            "plan_ids": grouped["plan_id"].agg("、".join).to_numpy(),
        }
    )


def plan_units(plans: pd.DataFrame, group_by: str) -> pd.Series:
    """The compared unit of each plan (indexed by plan id)."""
    unit = plans["plan_id"].astype(str) if group_by == "plan" else municipality_names(plans)
    return pd.Series(unit.to_numpy(), index=plans["plan_id"].astype(str).to_numpy())


def _compared_matrix(result: Any, units: pd.DataFrame, vocabulary: Any) -> Any:
    """The plan × word matrix in the comparison vocabulary, with each plan's unit as
    ``municipality`` when municipalities are compared (names told apart by prefecture)."""
    from compare.stats.matrix import compare_dtm

    if result.dtm is None:
        return None
    compared = compare_dtm(result.dtm, vocabulary)
    documents = compared.documents.copy()
    named = municipality_names(result.plans)
    by_plan = dict(zip(result.plans["plan_id"].astype(str), named, strict=True))
    documents["municipality"] = documents["plan_id"].astype(str).map(by_plan).to_numpy()
    return replace(compared, documents=documents)


def unit_matrix(corpus: Corpus) -> Any:
    """The compared matrix summed to the compared units (rows in the order of ``units``)."""
    from compare.stats.matrix import group_dtm

    if corpus.compared is None:
        return None
    return group_dtm(corpus.compared, corpus.group_by)


# --------------------------------------------------------------------------- text sample


def text_sample(
    plans: pd.DataFrame,
    units: pd.DataFrame,
    compared: Any,
    size: int,
    group_by: str,
    max_chars: int | None = None,
) -> list[str]:
    """The plans whose text is read in full, in catalogue order: every plan when there
    are at most ``size`` holding at most ``max_chars`` characters, else a sample of one
    plan per vocabulary cluster within both limits.

    The compared units (plans or municipalities) are clustered by Ward's method
    on the cosine similarity of their words
    (:func:`compare.stats.clusters.ward_clusters`) into ``size`` groups, or
    fewer when ``max_chars`` holds fewer plans of the corpus's mean length.
    The candidates are, cluster by cluster (largest cluster first), the
    largest plan of the cluster's most central unit (highest mean similarity
    to the cluster's other units), then the remaining plans largest first; a
    candidate is taken while the sample has fewer than ``size`` plans and it
    fits within ``max_chars`` with those already taken (the smallest plan when
    none fits).  Ties go to the earlier plan, so the same corpus always gives
    the same sample.
    """
    ids = plans["plan_id"].astype(str).tolist()
    chars = plans["chars"].to_numpy(dtype=np.int64)
    total_chars = int(chars.sum())
    budget = total_chars if max_chars is None else max_chars
    if len(ids) <= size and total_chars <= budget:
        return ids
    from compare.stats.clusters import ward_clusters

    n_clusters = sample_clusters(chars, size, budget)
    tokens = plans["n_tokens"].to_numpy()
    unit_of = plan_units(plans, group_by)
    position = {u: i for i, u in enumerate(units["unit"])}
    plan_unit = np.asarray([position[unit_of[p]] for p in ids], dtype=np.int64)
    cosine = _unit_cosine(compared, units, group_by)
    _, cluster = ward_clusters(cosine, n_clusters)
    candidates: list[int] = []
    sizes = pd.Series(cluster).value_counts(sort=False)
    for number in sorted(sizes.index, key=lambda c: (-sizes[c], c)):
        members = np.flatnonzero(cluster == number)
        centrality = cosine[np.ix_(members, members)].mean(axis=1)
        central = int(members[np.argmax(centrality)])
        own = np.flatnonzero(plan_unit == central)
        candidates.append(int(own[np.lexsort((own, -tokens[own]))][0]))
    taken = set(candidates)
    candidates += [int(i) for i in np.argsort(-tokens, kind="stable") if i not in taken]
    chosen: list[int] = []
    total = 0
    for i in candidates:
        if len(chosen) >= size:
            break
        if total + chars[i] <= budget:
            chosen.append(i)
            total += int(chars[i])
    if not chosen:
        chosen = [int(np.argmin(chars))]  # the first of the smallest plans
    return [ids[i] for i in sorted(chosen)]


def sample_clusters(chars: np.ndarray, size: int, budget: int) -> int:
    """How many vocabulary clusters the text sample is drawn from: ``size``, or as many
    plans of the corpus's mean length as ``budget`` characters hold (at least one)."""
    mean_chars = max(float(np.mean(chars)), 1.0)
    return max(1, min(size, len(chars), int(budget // mean_chars)))


def sample_note(
    plans: pd.DataFrame, sample: list[str], names: dict[str, str], settings: ReportSettings
) -> str:
    """The Japanese sentence that names the text sample and how it was drawn
    (empty when every plan is read)."""
    if len(sample) >= len(plans):
        return ""
    chars = plans["chars"].to_numpy(dtype=np.int64)
    read = int(plans.loc[plans["plan_id"].astype(str).isin(sample), "chars"].sum())
    clusters = sample_clusters(chars, settings.text_plans, settings.text_chars)
    listed = "、".join(names[p] for p in sample)
    limits = f"{settings.text_plans} 件・{settings.text_chars:,} 字を超えない範囲で"
    if read > settings.text_chars:
        # No plan fits the character budget: the smallest plan is read instead,
        # and the note must not claim the budget was kept.
        chosen = (
            f"{limits}選ぶ設定ですが、どの計画も {settings.text_chars:,} 字を超えるため、"
            "最も短い計画を選んだもので"
        )
    else:
        chosen = f"{limits}選んだもので"
    return (
        f"計画が多い（{len(plans)} 件、{int(chars.sum()):,} 字）ため、この節は本文を読んだ"
        f"標本 {len(sample)} 件（{listed}）、計 {read:,} 字で作成しています。標本は、比較単位を"
        f"語彙の近さで {clusters} のクラスタに分け、大きいクラスタから順にそれぞれ最も中心的な"
        f"単位の最大の計画を、続いて残りの計画を大きい順に、{chosen}、同じコーパスからは毎回"
        "同じ計画が選ばれます（設定 text_plans、text_chars）。"
    )


def _unit_cosine(compared: Any, units: pd.DataFrame, group_by: str) -> Any:
    """Cosine similarity of the units' words (rows in the order of ``units``)."""
    from compare.stats.matrix import group_dtm
    from compare.stats.similarity import cosine_matrix

    n = len(units)
    if compared is None:
        return np.eye(n)
    column = "plan_id" if group_by == "plan" else "municipality"
    grouped = group_dtm(compared, group_by)
    labels = grouped.documents[column].astype(str)
    rows = pd.Index(labels).get_indexer(units["unit"].astype(str))
    square = cosine_matrix(grouped)
    out = np.eye(n)
    present = np.flatnonzero(rows >= 0)
    out[np.ix_(present, present)] = square[np.ix_(rows[present], rows[present])]
    return out


def read_text_sample(
    catalog: pd.DataFrame,
    sample: list[str],
    theme_catalogue: Any,
    tokenizer: Any,
    names: dict[str, str],
    vocabulary: Any,
    progress: bool,
    themes: str | os.PathLike | None,
    note: str = "",
    *,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> TextSample:
    """SEGMENTS, TOKENS and the coded passages of the sampled plans (``note`` names
    the sample when it is not every plan; their tokens go through the same cache as
    the pipeline's results)."""
    from compare.stats.matrix import apply_vocabulary
    from compare.structure.segment import read_corpus
    from compare.text.tokenizer import tokenize
    from compare.themes.coding import themes_wide

    chosen = catalog[catalog["plan_id"].astype(str).isin(sample)].reset_index(drop=True)
    chosen.attrs = dict(catalog.attrs)
    segments = read_corpus(chosen)
    tokens = tokenize(segments, tokenizer, progress=progress, cache=cache, cache_dir=cache_dir)
    # Default themes hold terms that a given corpus never uses: warn for a user's file only.
    wide = themes_wide(segments, theme_catalogue, tokens=tokens, warn_unmatched=themes is not None)
    return TextSample(
        catalog=chosen,
        segments=segments,
        tokens=tokens,
        wide=wide,
        compared=apply_vocabulary(tokens, vocabulary),
        names={p: names[p] for p in sample},
        themes=list(theme_catalogue),
        sample_note=note,
    )


def coverage_table(plans: pd.DataFrame) -> pd.DataFrame:
    """What each plan covers, as :func:`compare.structure.coverage.plan_coverage` gives it,
    from the pipeline's per-plan results."""
    kinds = [tuple(k for k in str(v).split(",") if k) for v in plans["section_kinds"]]
    return pd.DataFrame(
        {
            "plan_id": plans["plan_id"].astype(str),
            "doc_kind": plans["doc_kind"].astype(str),
            "kinds": kinds,
            "coverage": plans["coverage"].astype(str),
        }
    )
