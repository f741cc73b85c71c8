# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 コーパスと計画の構造 / Corpus and plan structure
#
# このノートブックでは、カタログの計画（既定は同梱の5文書）について、
# **何が入っているか**（カタログ）、**各文書がどこまでを扱っているか**（全体計画・概要版・案・抜粋）、
# **見出しの階層**（基本理念 > 基本目標 > 基本方針 > 施策）と **成果指標・施策体系の表** を確認します。
#
# *What the corpus holds, what each document covers, the heading hierarchy, and the indicator and
# policy tables inside the plans.*
#
# このシリーズのノートブックはすべて「薄い」作りです。分析はライブラリ `compare` の関数が行い、
# ノートブックは呼び出して表と図を示し、解釈上の注意を書くだけです。同じ入力からは毎回同じ表が出ます。
#
# 下のパラメータのセルで自分のカタログを指定すると、同じ分析が自分の計画で行われます（全ノートブックをまとめてなら
# `make notebooks CATALOG=…`）。Markdown の説明は方法と読み方を述べ、どのコーパスにも当てはまります。
# 計画ごとの所見（どの計画が概要版か、どこに成果指標の表があるか など）は、緑の線の付いた文としてコードが
# 表から書き出すので、自分のコーパスでは自分の計画について書かれます。例に使う計画（同梱コーパスに合わせて選んだもの）が
# ない場合は、カタログの別の計画が代わりに使われます。

# %% tags=["parameters"]
# パラメータ / Parameters — 既定は同梱の5文書。自分のコーパスで実行するには値を変えるか、
# `compare notebooks --catalog …`（`make notebooks CATALOG=…`）で全ノートブックをまとめて実行します。
catalog = None  # catalogue CSV (None: the bundled corpus, data/catalog.csv)
themes = None  # theme catalogue YAML (None: data/themes.yaml)
plans = None  # plan_ids to analyse (None: every plan of the catalogue)
out = None  # folder for written files (None: $COMPARE_OUT_DIR or ../out)

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

import compare
from compare.io.catalog import example_ids
from compare.plot import plot_outline
from compare.report.display import join_ja, plan_label, say, setup_notebook
from compare.structure.coverage import DOC_KIND_LABELS

setup_notebook()  # readable tables; warnings shown as notes
pd.set_option("display.max_colwidth", 60)
pd.set_option("display.max_rows", 80)
print("compare", compare.__version__)

# %% [markdown]
# ## 1. カタログ / The catalogue
#
# カタログ（`data/catalog.csv`）はコーパスの唯一の台帳です。1行が1文書で、自治体・作成主体
# （自治体か社会福祉協議会か）・計画の種類・版・文書の種類（`doc_kind`）・同定の根拠を記録します。
# 元のテキストは読むだけで、決して書き換えません（誤字も原文のまま分析します）。
#
# *One row per plan; source texts are read, never edited.*

# %%
catalog = compare.read_catalog(catalog, plans=plans)
say(
    f"このコーパスは{len(catalog)}文書です："
    f"{join_ja(plan_label(catalog, p) for p in catalog['plan_id'])}。"
)
catalog[["plan_id", "municipality", "author", "plan_type", "edition", "doc_kind", "published"]]

# %% [markdown]
# ### 同定の根拠 / How each text was identified
#
# `identification` と `notes` 列は、各テキストが **どの自治体のどの計画か** をどう判断したかを記録します。
# テキスト自体が自治体名や版を書いていない抜粋は、外部資料（公表されている目次、その自治体独自の用語など）と
# 照らして同定します。そうした同定（`probable`、「推定」）による **版と計画期間は「おそらく」であって確定ではありません**。
# 報告書でも、本文に明記されていない同定にはその旨の注が付きます。
#
# *An identification made from outside the text is probable; its edition is not certain.*

# %%
stated = catalog["identification"].fillna("").astype(str)
probable = catalog.loc[~stated.str.startswith("stated"), "plan_id"].tolist()
say(
    f"本文に明記されている（stated）同定は{len(catalog) - len(probable)}文書、"
    f"それ以外の同定は{len(probable)}文書"
    + (f"（{join_ja(plan_label(catalog, p) for p in probable)}）" if probable else "")
    + "です。"
)
catalog[["plan_id", "identification", "notes"]]

# %% [markdown]
# ## 2. セグメント表 / The SEGMENTS table
#
# `read_corpus` は各文書を見出し・段落・箇条書き・表の行・メタ情報（表紙、発行元の住所など）に分け、
# 1行1セグメントの表を返します。各行には元ファイルの行番号（`line_start`–`line_end`）が付き、
# 後のすべての数字を原文の位置までたどれます。カタログの列はすべての行に付いてきます。
#
# *One row per segment, with source line numbers; catalogue columns travel with every row.*

# %%
segments = compare.read_corpus(catalog)
segments[
    ["plan_id", "seg_id", "kind", "level", "heading_path", "text", "line_start", "line_end"]
].head(12)

# %% [markdown]
# 読み込みの記録（文字コード、SHA-256）は表の `attrs` に残ります。再現性のため、報告書にもこの情報が載ります。
#
# *Provenance (encoding, sha256 of each source) travels in `attrs`.*

# %%
pd.DataFrame({"encoding": segments.attrs["encoding"], "sha256": segments.attrs["sha256"]})

# %% [markdown]
# ## 3. 各文書は何を扱っているか / What each document covers
#
# 文書は大きさも種類も違うのが普通です。カタログの `doc_kind` は **全文**（full）、**概要版**（summary）、
# **案**（draft）、**抜粋**（excerpt、一部の章だけ）を区別します。
# したがって、文書間で **生の件数を比べてはいけません**。以降のノートブックでは、
# セグメントに占める割合や **1,000語あたり**（per 1,000 tokens）に正規化した値で比べます。
# 概要版は本編の要約なので、本編にある施策が概要版に出てこないことも「扱っていない」ことを意味しません。
#
# *Documents differ in kind and size: compare shares and rates per 1,000 tokens, never raw counts.*

# %%
kinds = pd.crosstab(segments["plan_id"], segments["kind"]).reindex(catalog["plan_id"])
coverage = catalog.set_index("plan_id")[["municipality", "doc_kind"]].join(kinds)
coverage["segments"] = kinds.sum(axis=1)
coverage["source_lines"] = segments.groupby("plan_id", sort=False)["line_end"].max()
say(
    "このコーパスの文書の種類："
    + "、".join(
        f"{DOC_KIND_LABELS.get(kind, kind)} {len(ids)}（{join_ja(plan_label(catalog, p) for p in ids)}）"
        for kind, ids in catalog.groupby("doc_kind", sort=False, dropna=False)["plan_id"]
    )
    + f"。セグメント数は最少 {coverage['segments'].min():,}、最多 {coverage['segments'].max():,} です。"
)
coverage

# %% [markdown]
# 各文書の第1階層の見出し（章）を並べると、どの部分を含んでいるかが分かります。
#
# *Top-level headings show which parts of a plan each document contains.*

# %%
outlines = compare.outline(segments)
outlines.loc[outlines["depth"] == 1, ["plan_id", "line", "text"]].reset_index(drop=True)

# %% [markdown]
# ## 4. 見出しの階層 / The heading hierarchy
#
# 見出しは、文書自身の手がかり（`第N章`, `1`, `(1)`, `①`, `Ⅰ`, `基本目標N`, `◆…◆`, `【…】` などの記号、
# 番号の連続、行の長さ、句読点、空行）から判定します。たとえば「2 計画の基本目標」の下に同じ書式の
# 「1 … 4」が入れ子になっていても、番号の並びから階層を区別します。
#
# 下の図は2つの計画の見出しの木です（右は第2階層まで。このノートブックの主要図 / key figure）。

# %%
# The bundled plans named here, or stand-ins (plans with headings) from your own catalogue.
sumida, tokorozawa, tama = example_ids(
    outlines["plan_id"].astype(str).unique(), ["sumida", "tokorozawa-2", "tama-6"]
)
kind_of = catalog.set_index("plan_id")["doc_kind"].replace(DOC_KIND_LABELS)
say(
    f"左は{plan_label(catalog, sumida)}（{kind_of[sumida]}）、"
    f"右は{plan_label(catalog, tokorozawa)}（{kind_of[tokorozawa]}、第2階層まで）の見出しの木です。"
)
fig, axes = plt.subplots(1, 2, figsize=(14, 7.5))
plot_outline(segments, sumida, ax=axes[0])
plot_outline(segments, tokorozawa, max_level=2, ax=axes[1])
fig.tight_layout()
plt.show()

# %% [markdown]
# 表でも確認できます。`parent_seg_id` は親の見出しです。同じ題の見出しが1つの計画に2つあっても
# （案や概要版ではよくあります）、`section_id` は別々です。
#
# *The same outline as a table; `section_id` keeps two headings with the same title apart.*

# %%
repeated = outlines[outlines.duplicated(["plan_id", "text"], keep=False)]
if len(repeated):
    tama = tama if tama in set(repeated["plan_id"]) else repeated["plan_id"].iloc[0]
    titles = repeated.loc[repeated["plan_id"] == tama, "text"]
    say(
        f"{plan_label(catalog, tama)}には同じ題の見出しがあります（"
        f"{join_ja(f'「{t}」×{n}' for t, n in titles.value_counts(sort=False).items())}）。"
        "下の表で `section_id` が別々なことを確かめられます。"
    )
else:
    say("このコーパスには、1つの計画の中で同じ題を持つ見出しはありません。")
outlines.loc[
    outlines["plan_id"] == tama,
    ["seg_id", "line", "depth", "text", "section_id", "parent_seg_id"],
]

# %% [markdown]
# ## 5. 成果指標の表 / Outcome indicators (成果指標)
#
# PDFから抽出したテキストでは表がタブ区切りの行に崩れます。`stat_indicators` は見出し行の列名
# （指標・現状値・目標値・方向など）から成果指標の表を見つけ、1行1指標の表に戻します。
# 現状値は市民アンケートなどの割合で示されることが多く、目標は数値のほか「↗」（増やす）のような
# 方向だけで示されることもあります（`direction`）。
#
# *Indicators with current value, survey and target direction (↗ = increase).*

# %%
indicators = compare.stat_indicators(segments)
DIRECTION_JA = {"increase": "増やす", "decrease": "減らす", "maintain": "維持"}
if indicators.empty:
    say("このコーパスでは成果指標の表は見つかりませんでした。")
for plan_id, rows in indicators.groupby("plan_id", sort=False):
    surveys = rows["survey"].dropna().astype(str)
    directions = rows["direction"].dropna().astype(str)
    say(
        f"{plan_label(catalog, plan_id)}：指標 {len(rows)} 件"
        + (
            "、現状値の出典 " + join_ja((f"「{v}」" for v in surveys[surveys != ""]), sep="")
            if (surveys != "").any()
            else ""
        )
        + (
            "、目標の方向 " + join_ja(directions[directions != ""].replace(DIRECTION_JA))
            if (directions != "").any()
            else ""
        )
        + "。"
    )
indicators[
    [
        "plan_id",
        "goal_no",
        "indicator",
        "current_value",
        "current_unit",
        "survey",
        "target",
        "direction",
    ]
]

# %% [markdown]
# ## 6. 施策体系の表 / Policy structure tables (施策体系)
#
# `stat_policy_table` は、基本目標・基本方針・施策などの階層名を見出し行に持つ表を、1行1施策の表にします。
#
# *One row per measure, with the goal (and policy) it belongs to.*

# %%
policy = compare.stat_policy_table(segments)
found = policy.groupby("plan_id", sort=False).size()
say(
    "施策体系の表が見つかった計画："
    + (
        "、".join(f"{plan_label(catalog, p)}（{n}行）" for p, n in found.items())
        if len(found)
        else "なし"
    )
    + "。"
)
policy[["plan_id", "goal_label", "goal", "measure_label", "measure_no", "measure"]]

# %% [markdown]
# ## 7. 計画の構造モデル / The plan model
#
# 計画を階層ごとに比べるために、`plan_model` は各計画の **基本理念・基本目標・基本方針・施策・事業・重点施策・指標**
# を1つの表にします。読み取る場所は計画によって違います：
#
# - 見出し（「基本目標１ …」「◆ 基本理念1 … ◆」、「2 計画の基本目標」の下の「1 … 4」）
# - 番号付きの一覧（各基本目標の下に「基本方針 １ … ／ ２ …」を並べるなど）
# - 施策体系表・行動計画の表、成果指標の表（指標はそれが測る基本目標につく）
#
# `level` は共通の階層名、`label` は計画自身の言葉です。上に基本目標がない計画の「基本方針Ⅰ〜Ⅲ」のような
# 最上位の項目は基本目標の階層に置き、`label` に計画の言葉（「基本方針」）を残します。`parent` は同じ計画の中の
# 親の行（`row`）です。
#
# *Every plan's policy hierarchy as one table: common level, the plan's own label, number, title, parent row,
# source lines and where it was read from.*

# %%
model = compare.plan_model(segments)
# Where a row was read from (plan_model's `source`), in words for the sentences below.
SOURCE_JA = {
    "heading": "見出し",
    "list": "番号付きの一覧",
    "paragraph": "段落",
    "施策体系 table": "施策体系の表",
    "indicator table": "成果指標の表",
    "sentence": "本文の文",
}
for plan_id, rows in model.groupby("plan_id", sort=False):
    read_from = rows.groupby(["level", "label"], sort=False)["source"].first()
    parts = []
    for (level, label), source in read_from.items():
        own = f"計画の言葉では「{label}」、" if label and label != level else ""
        parts.append(f"{level}（{own}{SOURCE_JA.get(source, source)}から）")
    say(f"{plan_label(catalog, plan_id)}：{'、'.join(parts)}。")
model.groupby("plan_id", sort=False)["level"].value_counts().unstack(fill_value=0)

# %% [markdown]
# 計画ごとの全行です（`parent_title` は親の行の題名、`source` は読み取った場所）。

# %%
from compare.structure.plan import PLAN_MODEL_SUMMARY

columns = list(PLAN_MODEL_SUMMARY)
for plan_id, plan_rows in model.groupby("plan_id", sort=False):
    print(catalog.set_index("plan_id").loc[plan_id, "title"])
    display(plan_rows[columns].reset_index(drop=True))

# %% [markdown]
# コマンドラインでは `compare policies PLAN_ID`（`--json` で JSON）で同じ木を表示できます。
#
# *From the shell: `compare policies PLAN_ID`.*

# %%
print(f"compare policies {tama}")  # with --catalog CSV for a catalogue of your own

# %% [markdown]
# ## まとめ / Summary
#
# - 文書は種類も範囲も違う（全文・概要版・案・抜粋）。比較は割合か1,000語あたりで。
# - 計画の構造モデル（`plan_model`）で、基本目標・基本方針・施策・指標を階層ごとに並べて比べられる。
# - すべてのセグメントは原文の行番号を持ち、根拠をたどれる。
# - 本文に明記されていない同定は、外部資料に基づく「おそらく」として扱う。
#
# 次は [02 語とトークン化](02_tokens_terms.py) です。
