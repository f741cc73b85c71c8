"""The briefing section コーディングの信頼性: agreement of the theme coding with a human coder.

With a filled coding sheet (``compare report --validation sheet.xlsx``, see
:mod:`compare.themes.sheet`) the section shows per theme and pooled
precision, recall, F1, Cohen's κ and Krippendorff's α with bootstrap 95 %
intervals (:func:`compare.stats.agreement.validate_coding_sheet`).  Without
one it states that the coding has not been validated on this corpus and how
to do it: shares are only as good as the coding behind them.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from compare.report.model import Section
from compare.report.parts import report_section, report_table

NOT_VALIDATED = (
    "この報告書のテーマ付与（コーディング）は、この計画群について人手によるコーディングとの一致を"
    "検証していません。テーマの割合は、ルールが拾えなかった箇所の分だけ過小に、誤って拾った箇所の分"
    "だけ過大になり得ます。"
)
HOW_TO = (
    "検証するには、compare coding-sheet --catalog CATALOG --n 120 --out sheet.xlsx で標本の"
    "シートを作り、各行に該当するテーマを記入してから、compare report --validation sheet.xlsx で"
    "報告書を作成してください。この節に一致度（適合率・再現率・F1、κ、α）が示されます。"
)
COLUMNS = {
    "theme_id": "テーマID",
    "label": "テーマ",
    "n_gold": "人手で該当",
    "n_coded": "ルールで該当",
    "precision": "適合率",
    "recall": "再現率",
    "f1": "F1",
    "kappa": "κ",
    "alpha": "α",
}


@report_section(
    "reliability", title="コーディングの信頼性", step="コーディングの信頼性 (coding reliability)"
)
def section_reliability(corpus: Any, settings: Any) -> Section:
    """The reliability section (a statement when no validated sheet is given)."""
    sheet = getattr(settings, "validation", None)
    if not sheet:
        return Section(paragraphs=[NOT_VALIDATED, HOW_TO])
    from compare.stats.agreement import validate_coding_sheet

    table = validate_coding_sheet(sheet, catalog=corpus.catalog, themes=list(corpus.themes))
    labels = {t.id: t.label for t in corpus.themes}
    shown = _shown(table, labels)
    micro = table.set_index("theme_id").loc["micro"]
    paragraphs = [
        f"{table.attrs['sheet']} の {table.attrs['n_passages']} 箇所について、人手によるコーディング"
        "とルールによるコーディングを比べました（各テーマを「該当する／しない」の 2 値とし、"
        "人手を正解とみなした適合率・再現率・F1、偶然の一致を除いた Cohen の κ と "
        "Krippendorff の α）。括弧内は箇所を復元抽出した "
        f"{table.attrs['n_boot']} 回のブートストラップによる 95% 区間です。",
        f"全テーマをまとめると（micro）、F1 {_figure(micro, 'f1')}、κ {_figure(micro, 'kappa')}、"
        f"α {_figure(micro, 'alpha')} でした。",
    ]
    weak = [
        labels.get(row.theme_id, row.theme_id)
        for row in table.itertuples()
        if row.theme_id not in ("micro", "macro") and row.n_gold >= 3 and row.f1 < 0.7
    ]
    if weak:
        paragraphs.append(
            "F1 が 0.7 未満のテーマ（"
            + "、".join(weak)
            + "）は、割合の比較を慎重に読んでください。"
        )
    if table.attrs["n_changed"]:
        paragraphs.append(
            f"シート作成後に {table.attrs['n_changed']} 箇所のコーディングが変わっています"
            "（ルールまたは計画の変更）。数値は現在のコーディングについてのものです。"
        )
    return Section(
        paragraphs=paragraphs,
        tables=[
            report_table("coding_agreement", shown, preview_rows=len(shown)),
            report_table("coding_agreement_full", table, shown=False),
        ],
    )


def _shown(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "theme_id": table["theme_id"],
            "label": [
                labels.get(t, {"micro": "全体 (micro)", "macro": "平均 (macro)"}.get(t, t))
                for t in table["theme_id"]
            ],
            "n_gold": table["n_gold"],
            "n_coded": table["n_coded"],
        }
    )
    for name in ("precision", "recall", "f1", "kappa", "alpha"):
        out[name] = [_figure(row, name) for _, row in table.iterrows()]
    return out.rename(columns=COLUMNS)


def _figure(row: Any, name: str) -> str:
    value, low, high = row[name], row[f"{name}_low"], row[f"{name}_high"]
    if value is None or math.isnan(value):
        return "–"
    if low is None or math.isnan(low):
        return f"{value:.2f}"
    return f"{value:.2f} [{low:.2f}, {high:.2f}]"
