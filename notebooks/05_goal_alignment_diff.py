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
# # 05 目標の対応と計画の差分 / Goal alignment and plan diff
#
# 計画の骨格は「基本目標」（とその下の基本方針・施策）です。このノートブックでは、2つの計画の目標を
# 内容の近さで1対1に対応させ（どの目標がどの目標に当たるか、相手にない目標は何か）、さらに2つの計画の
# テーマ・語・目標の違いを並べる「差分」を作ります。差分は本来、**同じ自治体の前の版と次の版** を比べるための道具です。
#
# *Pair the goals of two plans one to one; list what changed between two plans (typically two editions).*

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
from compare.plot import plot_goal_alignment
from compare.report.display import join_ja, plan_label, say, setup_notebook, show_note
from compare.structure.coverage import DOC_KIND_LABELS

setup_notebook()  # readable tables; warnings shown as notes
pd.set_option("display.max_colwidth", 50)
pd.set_option("display.max_rows", 80)

catalog = compare.read_catalog(catalog, plans=plans)
segments = compare.read_corpus(catalog)
tokens = compare.tokenize(segments)
hits = compare.code_themes(segments, themes, tokens=tokens)  # the `themes` parameter

# %% [markdown]
# ## 1. 目標を見つける / Finding the goals
#
# 目標は計画の構造モデル（`compare.plan_model`、ノートブック01の7節）から取ります。見出しだけでなく、
# 番号付きの一覧、施策体系表・行動計画の表、成果指標の表からも読み取るので、目標の見出しを含まない章の抜粋でも、
# 成果指標の表に「基本目標」の列があればそこから目標が得られます。どこから読み取ったかは `rule` 列に出ます。
#
# 目標の対応づけには、目標が見つかった計画が2つ以上要ります。そうでないコーパス（または `plans` の選択）では、
# 対応づけとその図表を省き、理由を注として示して、施策の対照表と計画の差分に進みます。
#
# *Goals are the 基本目標 rows of the plan model, wherever each plan states them; `rule` says where.
# With fewer than two plans with goals, the alignment is skipped with a note and the notebook goes on.*

# %%
model = compare.plan_model(segments)
goal_rows = model[model["level"] == "基本目標"]
with_goals = list(dict.fromkeys(goal_rows["plan_id"].astype(str)))
say(
    "目標（基本目標の階層）が見つかった計画："
    + (
        "、".join(
            f"{plan_label(catalog, p)} {n}つ"
            for p, n in goal_rows.groupby("plan_id", sort=False).size().items()
        )
        or "なし"
    )
    + f"（{len(catalog)}計画中 {len(with_goals)}）。"
)
try:
    alignment = compare.stat_goal_alignment(segments, tokens, model=model, hits=hits)
except compare.errors.AnalysisError as error:  # fewer than two plans with goals
    alignment = None
    show_note(
        "目標の対応づけを省きます。目標が見つかった計画が2つ未満なので、対応させる相手がありません"
        f"（{error}）。以下の2節は飛ばし、3節（施策の対照表）と4節（計画の差分）に進みます。",
        "AnalysisError",
    )
goals_shown = alignment.attrs["goals"] if alignment is not None else goal_rows
goals_shown.reindex(
    columns=["plan_id", "goal", "number", "title", "level", "label", "line_start", "rule", "source"]
).dropna(axis=1, how="all")

# %% [markdown]
# 求める階層を持たない計画はエラーにせず、**除外してその理由を結果に残します**（`attrs["skipped"]`、
# `attrs["notice"]`）。たとえば「基本方針」の階層で対応づけると、基本方針を持たない計画が除かれます。
#
# *A plan without the requested level is left out and named, with the reason.*

# %%
try:
    policies_level = compare.stat_goal_alignment(
        segments, tokens, model=model, hits=hits, level="基本方針"
    )
    print(policies_level.attrs["notice"])
    display(pd.Series(policies_level.attrs["skipped"], name="reason"))
except compare.errors.AnalysisError as error:  # fewer than two plans with 基本方針
    show_note(f"基本方針の階層での対応づけはできません：{error}", "AnalysisError")

# %% [markdown]
# ## 2. 目標の対応 / Goal alignment
#
# 各目標を次の2つで表します。
#
# - **語**：目標の題名（2回数える）、目標の節の本文、配下の基本方針・施策・指標の題名と本文。
#   表記の揺れ（支えあい／支え合い など）はトークン化の段階で1つの語にまとめます。TF-IDF ベクトルにします。
# - **テーマの構成**：それらのセグメントにどのテーマがいくつ付いたか。
#
# 類似度は語のコサイン類似度とテーマ構成のコサイン類似度の加重平均（`theme_weight`、既定 0.3）で、
# 全体として最大になるように1対1で組み合わせます（ハンガリー法、`scipy.optimize.linear_sum_assignment`）。
# 類似度が `min_similarity`（既定 0.1）に満たない組は「対応なし」とし、相手のない目標は
# `only_a` / `only_b` として示します。
#
# - IDF は渡した計画すべての目標から計算するので、`plans` を変えると類似度が少し変わります。
# - 類似度は語とテーマの重なりであって、政策の意図が同じだという保証ではありません。`shared_words`・`shared_themes` と原文で確かめます。
# - 社会福祉協議会の **地域福祉活動計画** と自治体の計画では作成主体が違います。対応は「同じ言葉で語っているか」を示すだけです。
#
# *Optimal one-to-one pairing on word (TF-IDF) and theme-profile cosine; similarity is overlap, not shared intent.*

# %%
if alignment is None:
    say("目標の対応づけを省いたので、この節の表と図はありません。")
else:
    councils = catalog.loc[catalog["author"] == "社会福祉協議会", "plan_id"]
    aligned_plans = set(alignment["plan_a"]) | set(alignment["plan_b"])
    say(
        f"対応づけた計画は{len(aligned_plans)}つ、組は{alignment[['plan_a', 'plan_b']].drop_duplicates().shape[0]}組です。"
        + (
            f"社会福祉協議会の計画（{join_ja(plan_label(catalog, p) for p in councils if p in aligned_plans)}）は作成主体が違います。"
            if any(p in aligned_plans for p in councils)
            else ""
        )
    )
    display(
        alignment[
            [
                "plan_a",
                "plan_b",
                "status",
                "goal_a",
                "title_a",
                "goal_b",
                "title_b",
                "similarity",
                "text_similarity",
                "theme_similarity",
                "shared_words",
                "shared_themes",
            ]
        ].round(3)
    )

# %% [markdown]
# **対応なしなのに類似度が閾値（0.1）を超える行について。** `only_a` / `only_b` の行の `similarity` は、
# その目標と相手の計画の **いちばん近い目標** との類似度です。その近い目標が、全体の組み合わせでは
# 別の目標とより強く結びついて（1対1なので）取られてしまうと、この目標は相手なしになります。
# 目標の数が違う計画どうし（例：4つと3つ）では、少なくとも1つの目標が必ず相手なしになるのも同じ理由です。
# つまり、相手なしの行の類似度が 0.1 を超えていても誤りではなく、「似た目標はあるが、それは別の目標と組になった」
# という意味です。`min_similarity` で対応なしとされるのは、組にはなったが類似度が閾値未満の場合です。
#
# *An unmatched goal's similarity is to its closest goal in the other plan; that goal was paired with
# another one (the pairing is one to one), so a value above the threshold is expected, not an error.*

# %%
# The bundled pairs named here, or the first pairs of plans aligned in your own corpus.
pairs = (
    list(dict.fromkeys(zip(alignment["plan_a"], alignment["plan_b"], strict=True)))
    if alignment is not None
    else []
)
shown = [p for p in [("sumida", "tama-6"), ("tama-6", "tokorozawa-2")] if p in pairs] or pairs
if shown:
    fig, axes = plt.subplots(1, 2, figsize=(14, 4.8), squeeze=False)
    for ax, (plan_a, plan_b) in zip(axes[0], shown[:2], strict=False):
        plot_goal_alignment(alignment, plan_a, plan_b, ax=ax)
    fig.tight_layout()
    plt.show()

# %% [markdown]
# ### 対応した目標の中の基本方針 / Policies within matched goals
#
# 対応した目標の組ごとに、その1つ下の階層（基本方針・基本施策・行動計画など）を同じ方法で対応づけます
# （`attrs["policies"]`、`within_a` / `within_b` は属する目標の番号）。施策体系表の1つの行に並んだ項目は、
# 行の本文が共通なので題名だけで比べます。
#
# *Within each matched pair of goals, the items one level down are aligned the same way.*

# %%
if alignment is None:
    say("目標の対応づけを省いたので、目標の中の基本方針の対応もありません。")
else:
    policies = alignment.attrs["policies"]
    display(
        policies.loc[policies["status"] == "matched"]
        .reindex(
            columns=["plan_a", "plan_b", "within_a", "title_a", "within_b", "title_b", "similarity"]
        )
        .round(3)
    )

# %% [markdown]
# ## 3. 施策の対照表 / Policy matrix
#
# どの計画が、どのテーマについての基本目標（または基本目標の下の施策）を持っているかを、計画 × テーマの表にします。
# セルには目標の題名が入ります。目標がテーマを扱うとは、目標の題名にそのテーマが付くか、目標を表すセグメントの
# `min_share`（既定 25%）以上にそのテーマが付くことです。配下の施策の題名だけが扱う場合は「目標（施策）」と書きます。
#
# *Plans × themes at goal level, with the goal titles in the cells.*

# %%
matrix = compare.stat_policy_matrix(segments, model=model)
matrix.pivot(index="plan_id", columns="label", values="titles").loc[
    list(dict.fromkeys(matrix["plan_id"])), list(dict.fromkeys(matrix["label"]))
]

# %%
ax = compare.plot_policy_matrix(matrix)
plt.show()

# %% [markdown]
# ## 4. 計画の差分 / Plan diff
#
# `stat_plan_diff(segments, plan_a, plan_b)` は、A から B へ何が変わったかを3つの表で示します。
#
# - `themes`：テーマごとの該当セグメントの割合の変化（gained / lost / up / down / same）
# - `words`：語の1,000語あたりの頻度の変化（new / dropped / increased / decreased / same）と符号付き G²
# - `goals`：目標の対応と変化の大きさ（1 − 類似度）。`policies` は対応した目標の中の基本方針の対応
#
# 版の比較では、A に前の版、B に新しい版を指定します。コーパスに同じ自治体・同じ作成主体・同じ種類の計画が
# 2つ以上あれば、カタログで先に出てくるものを A、次を B として比べます。なければ仕組みを示すために、
# 上で対応づけた最初の組（それもなければカタログの最初の2計画）を比べます。2つの文書の種類（抜粋・案など）が
# 違うと、「new」「dropped」の多くは文書の範囲の違いによるものになります。
#
# *Two editions of one plan when the corpus has them; otherwise a demonstration pair.*

# %%
editions = catalog[catalog.duplicated(["municipality", "author", "plan_type"], keep=False)]
if len(editions):
    first = editions.iloc[0]
    same = editions[
        (editions["municipality"] == first["municipality"])
        & (editions["author"] == first["author"])
        & (editions["plan_type"] == first["plan_type"])
    ]
    diff_pair = tuple(same["plan_id"].iloc[:2])
    why = "同じ自治体の2つの版"
else:
    diff_pair = shown[0] if shown else tuple(catalog["plan_id"].iloc[:2])
    why = "このコーパスには同じ自治体の2つの版がないため、仕組みを示す例"
kind_of = catalog.set_index("plan_id")["doc_kind"].replace(DOC_KIND_LABELS)
if len(diff_pair) < 2:
    diff = None
    show_note("計画が1つだけなので、差分は作れません。", "AnalysisError")
else:
    plan_a, plan_b = diff_pair
    say(
        f"{why}として、{plan_label(catalog, plan_a)}（A、{kind_of[plan_a]}）と"
        f"{plan_label(catalog, plan_b)}（B、{kind_of[plan_b]}）を比べます。"
        + (
            "文書の種類が違うので、差の一部は範囲の違いによります。"
            if kind_of[plan_a] != kind_of[plan_b]
            else ""
        )
    )
    diff = compare.stat_plan_diff(segments, plan_a, plan_b, tokens=tokens, hits=hits)
    display(diff.themes.round(3))

# %%
if diff is not None:
    display(diff.words.groupby("status", sort=False).head(5).round(2))

# %%
if diff is not None:
    display(diff.goals[["status", "title_a", "title_b", "similarity", "change"]].round(3))

# %% [markdown]
# ## まとめ / Summary
#
# - 目標は計画の構造モデルから取る（見出し・一覧・施策体系表・成果指標表）。階層のない計画は理由つきで除外され、
#   目標のある計画が2つ未満なら対応づけは注を示して省かれる。
# - 目標の対応は語（TF-IDF）とテーマ構成の類似度による1対1の組み合わせ。相手のない目標は「一方にだけある目標」として読む。
# - 施策の対照表で、どの計画がどのテーマの目標を持つかを一覧できる。
# - 差分は版の比較のための道具。文書の範囲（抜粋・概要版・案）の違いは差分に混ざるので、カタログの `doc_kind` を必ず添える。
#
# 次は [06 ブリーフィングの作成](06_briefing.py) です。
