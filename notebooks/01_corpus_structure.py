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
# このノートブックでは、同梱の5文書（墨田区・多摩区・所沢市・小田原市社協・下関市）について、
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
# `make notebooks CATALOG=…`）。説明文は同梱コーパスの結果について書いたもので、例に挙げた計画（墨田区など）が
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
from compare.report.display import setup_notebook

setup_notebook()  # readable tables; warnings shown as notes
pd.set_option("display.max_colwidth", 60)
pd.set_option("display.max_rows", 80)
print("compare", compare.__version__)

# %% [markdown]
# ## 1. カタログ / The catalogue
#
# カタログ（`data/catalog.csv`）はコーパスの唯一の台帳です。1行が1文書で、自治体・作成主体
# （自治体か社会福祉協議会か）・計画の種類・版・文書の種類（`doc_kind`）・同定の根拠を記録します。
# 元のテキストは読むだけで、決して書き換えません（誤字「つくりまします」もそのまま分析します）。
#
# *One row per plan; source texts are read, never edited.*

# %%
catalog = compare.read_catalog(catalog, plans=plans)
catalog[["plan_id", "municipality", "author", "plan_type", "edition", "doc_kind", "published"]]

# %% [markdown]
# ### 同定の根拠 / How each text was identified
#
# `identification` と `notes` 列は、各テキストが **どの自治体のどの計画か** をどう判断したかを記録します。
# 墨田区（`sumida`）のテキスト自体は「区」としか書いておらず、基本目標4つと章題
# 「計画の基本的視点～プラットフォームによる地域福祉～」が第三次墨田区地域福祉計画（後期）の公表目次と
# 一致すること、「協治（ガバナンス）」が墨田区独自の用語であることから同定しています。
# **版と計画期間は「おそらく」（probable）であって確定ではありません。** 多摩区の計画ではありません。
#
# *The 墨田区 identification is probable, made from outside the text; its edition is not certain.*

# %%
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
# 5文書は大きさも種類も違います。所沢市は **概要版**（summary）、多摩区は **案**（draft）、
# 墨田区・小田原市社協・下関市は **抜粋**（excerpt、一部の章だけ）です。
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
# 番号の連続、行の長さ、句読点、空行）から判定します。墨田区の「2 計画の基本目標」の下には
# 同じ書式の「1 … 4」が入れ子になっていますが、番号の並びから階層を区別しています。
#
# 下の図は墨田区（抜粋）と所沢市（概要版、第2階層まで）の見出しの木です（このノートブックの主要図 / key figure）。

# %%
# The bundled plans named here, or stand-ins (plans with headings) from your own catalogue.
sumida, tokorozawa, tama = example_ids(
    outlines["plan_id"].astype(str).unique(), ["sumida", "tokorozawa-2", "tama-6"]
)
fig, axes = plt.subplots(1, 2, figsize=(14, 7.5))
plot_outline(segments, sumida, ax=axes[0])
plot_outline(segments, tokorozawa, max_level=2, ax=axes[1])
fig.tight_layout()
plt.show()

# %% [markdown]
# 表でも確認できます。`parent_seg_id` は親の見出しです。多摩区の案では「重点的な取組」という
# 同じ題の見出しが2つありますが、`section_id` は別々です。
#
# *The same outline as a table; `section_id` keeps two headings with the same title apart.*

# %%
outlines.loc[
    outlines["plan_id"] == tama,
    ["seg_id", "line", "depth", "text", "section_id", "parent_seg_id"],
]

# %% [markdown]
# ## 5. 成果指標の表 / Outcome indicators (成果指標)
#
# PDFから抽出したテキストでは表がタブ区切りの行に崩れます。`stat_indicators` は見出し行の列名
# （指標・現状値・目標値・方向など）から成果指標の表を見つけ、1行1指標の表に戻します。
# 下関市の計画では、現状値は「平成29年度市民アンケート」の割合で、目標は数値ではなく「↗」（増やす）という
# 方向で示されています。
#
# *Indicators with current value, survey and target direction (↗ = increase).*

# %%
indicators = compare.stat_indicators(segments)
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
# 所沢市の概要版の施策体系表と、小田原市社協の行動計画の表が見つかります。
#
# *One row per measure, with the goal (and policy) it belongs to.*

# %%
policy = compare.stat_policy_table(segments)
policy[["plan_id", "goal_label", "goal", "measure_label", "measure_no", "measure"]]

# %% [markdown]
# ## 7. 計画の構造モデル / The plan model
#
# 計画を階層ごとに比べるために、`plan_model` は各計画の **基本理念・基本目標・基本方針・施策・事業・重点施策・指標**
# を1つの表にします。読み取る場所は計画によって違います：
#
# - 見出し（「基本目標１ …」「◆ 基本理念1 … ◆」、「2 計画の基本目標」の下の「1 … 4」）
# - 番号付きの一覧（多摩区は各基本目標の下に「基本方針 １ … ／ ２ …」を並べる）
# - 施策体系表・行動計画の表（所沢市・小田原市社協）、成果指標の表（下関市：指標はそれが測る基本目標につく）
#
# `level` は共通の階層名、`label` は計画自身の言葉です。所沢市の「基本方針Ⅰ〜Ⅲ」は、上に基本目標がないので
# 基本目標の階層に置き、`label` に「基本方針」を残します。`parent` は同じ計画の中の親の行（`row`）です。
#
# *Every plan's policy hierarchy as one table: common level, the plan's own label, number, title, parent row,
# source lines and where it was read from.*

# %%
model = compare.plan_model(segments)
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
# コマンドラインでは `compare policies tama-6`（`--json` で JSON）で同じ木を表示できます。
#
# *From the shell: `compare policies tama-6`.*

# %% [markdown]
# ## まとめ / Summary
#
# - 5文書は種類も範囲も違う（概要版・案・抜粋）。比較は割合か1,000語あたりで。
# - 計画の構造モデル（`plan_model`）で、基本目標・基本方針・施策・指標を階層ごとに並べて比べられる。
# - すべてのセグメントは原文の行番号を持ち、根拠をたどれる。
# - 墨田区の同定は外部資料に基づく「おそらく」。
#
# 次は [02 語とトークン化](02_tokens_terms.py) です。
