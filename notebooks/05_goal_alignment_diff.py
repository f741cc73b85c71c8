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
# 計画の骨格は「基本目標」（または基本方針・重点施策）です。このノートブックでは、2つの計画の目標を
# 内容の近さで1対1に対応させ（どの目標がどの目標に当たるか、相手にない目標は何か）、さらに2つの計画の
# テーマ・語・目標の違いを並べる「差分」を作ります。差分は本来、**同じ自治体の前の版と次の版** を比べるための道具です。
#
# *Pair the goals of two plans one to one; list what changed between two plans (typically two editions).*

# %%
import matplotlib.pyplot as plt
import pandas as pd

import compare
from compare.plot import plot_goal_alignment

pd.set_option("display.max_colwidth", 50)
pd.set_option("display.max_rows", 80)

catalog = compare.read_catalog()
segments = compare.read_corpus(catalog)
tokens = compare.tokenize(segments)

# %% [markdown]
# ## 1. 目標を見つける / Finding the goals
#
# 目標は見出しから自動で見つけます：「基本目標」「基本方針」「重点施策」で始まる同じ階層の見出しが2つ以上あるか、
# それらを名前に持つ見出しの下に番号付きの小見出しが並ぶ場合です。どの規則で見つけたかは `rule` 列に出ます。
# 墨田区では「2 計画の基本目標」の下の「1 … 4」が目標になります。
#
# *Goals are found from the outline; `rule` says how.*

# %%
plans = ["sumida", "tama-6", "tokorozawa-2", "odawara-shakyo-4"]
alignment = compare.stat_goal_alignment(segments, tokens, plans=plans)
alignment.attrs["goals"][["plan_id", "goal", "title", "level", "line_start", "rule"]]

# %% [markdown]
# 下関市のテキストは第6章「計画の推進」だけの **抜粋** で、目標の見出しを含みません。そのような計画を渡すと、
# 何をすればよいか（`level` や `goal_pattern` を指定する、または外す）を示すエラーになります。
#
# *An excerpt without goal headings gives an error that says what to do.*

# %%
try:
    compare.stat_goal_alignment(segments, tokens, plans=["tama-6", "shimonoseki"])
except compare.errors.AnalysisError as error:
    print("AnalysisError:", error)

# %% [markdown]
# ## 2. 目標の対応 / Goal alignment
#
# 各目標の節（目標の見出しとその下のすべて）を TF-IDF ベクトルにし、コサイン類似度が全体として最大になるように
# 1対1で組み合わせます（ハンガリー法、`scipy.optimize.linear_sum_assignment`）。
# 類似度が `min_similarity`（既定 0.1）に満たない組は「対応なし」とし、相手のない目標は
# `only_a` / `only_b` として示します。
#
# - IDF は渡した計画すべての目標から計算するので、`plans` を変えると類似度が少し変わります。
# - 類似度は語の重なりであって、政策の意図が同じだという保証ではありません。`shared_words` と原文で確かめます。
# - 小田原市は社会福祉協議会の **地域福祉活動計画** で、作成主体が違います。対応は「同じ言葉で語っているか」を示すだけです。
#
# *Optimal one-to-one pairing on TF-IDF cosine; similarity is word overlap, not shared intent.*

# %%
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
        "shared_words",
    ]
].round(3)

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 4.8))
plot_goal_alignment(alignment, "sumida", "tama-6", ax=axes[0])
plot_goal_alignment(alignment, "tama-6", "tokorozawa-2", ax=axes[1])
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 3. 計画の差分 / Plan diff
#
# `stat_plan_diff(segments, plan_a, plan_b)` は、A から B へ何が変わったかを3つの表で示します。
#
# - `themes`：テーマごとの該当セグメントの割合の変化（gained / lost / up / down / same）
# - `words`：語の1,000語あたりの頻度の変化（new / dropped / increased / decreased / same）と符号付き G²
# - `goals`：目標の対応と変化の大きさ（1 − 類似度）
#
# 同梱のコーパスには同じ自治体の2つの版がないため、ここでは仕組みを示すために、ともに区の地域福祉計画である
# 墨田区（A）と多摩区（B）を比べます。版の比較では、A に前の版、B に新しい版を指定します。
# 墨田区は抜粋、多摩区は案なので、「new」「dropped」の多くは文書の範囲の違いによるものです。
#
# *The bundled corpus has no two editions of one city: this demo compares two ward plans.*

# %%
diff = compare.stat_plan_diff(segments, "sumida", "tama-6", tokens=tokens)
diff.themes.round(3)

# %%
diff.words.groupby("status", sort=False).head(5).round(2)

# %%
diff.goals[["status", "title_a", "title_b", "similarity", "change"]].round(3)

# %% [markdown]
# ## まとめ / Summary
#
# - 目標の対応は TF-IDF の類似度による1対1の組み合わせ。相手のない目標は「一方にだけある目標」として読む。
# - 差分は版の比較のための道具。文書の範囲（抜粋・概要版・案）の違いは差分に混ざるので、カタログの `doc_kind` を必ず添える。
#
# 次は [06 ブリーフィングの作成](06_briefing.py) です。
