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
# # 04 類似度・特徴語・共起ネットワーク・対応分析・クラスター / Similarity, keyness, networks, CA, clusters
#
# 計画どうしがどれだけ似ているか、各計画に特徴的な語は何か、語がどう結びついているか（共起ネットワーク）、
# 自治体と語の位置関係（対応分析）、似た箇所のまとまり（クラスター、トピック）を見ます。
#
# **注意**：ここで示す図と表は「このコーパスの文書の中での相対的な違い」を **記述** するもので、
# 自治体の計画一般について推測するものではありません。文書が少ないとき、種類（全文・概要版・案・抜粋）が
# 混ざっているときは特にそうです（コーパスの大きさと種類は下の最初の出力に示します）。
# 乱数を使う手法（Louvain法、KMeans、NMF、ネットワークの配置）はすべて種（`seed` / `random_state`）を固定しているので、
# 何度実行しても同じ結果になります。
#
# *Descriptive comparisons of the documents at hand; every random step has a fixed seed.*

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
from compare.plot import plot_ca, plot_dendrogram, plot_keyness, plot_network, plot_similarity
from compare.report.display import join_ja, plan_label, say, setup_notebook
from compare.stats.similarity import similarity_matrix
from compare.structure.coverage import (
    DOC_KIND_LABELS,
    flag_coverage,
    plan_coverage,
    select_section,
)

setup_notebook()  # readable tables; warnings shown as notes
pd.set_option("display.max_colwidth", 70)
pd.set_option("display.max_rows", 80)

SEED = 0
catalog = compare.read_catalog(catalog, plans=plans)
segments = compare.read_corpus(catalog)
tokens = compare.tokenize(segments)
say(
    f"このコーパスは{len(catalog)}文書（"
    + "、".join(
        f"{DOC_KIND_LABELS.get(kind, kind)} {n}"
        for kind, n in catalog["doc_kind"].value_counts(sort=False, dropna=False).items()
    )
    + f"）、{catalog['municipality'].nunique()}自治体です。"
)

# %% [markdown]
# ## 1. 計画どうしの類似度 / Similarity between plans
#
# 2つの尺度を並べます。
#
# - **コサイン類似度（TF-IDF）**：どの文書にも出る語の重みを下げ、語の使い方の重み付きの近さを測る。
# - **Jaccard 係数**：異なり語のうち共通する語の割合。長い文書ほど語彙が多く、短い概要版とは低めに出やすい。
#
# *Cosine of TF-IDF vectors and Jaccard of word sets.*

# %%
similarity = compare.stat_similarity(tokens, by="plan")
similarity_matrix(similarity, "cosine", label="municipality").round(3)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
plot_similarity(similarity, measure="cosine", ax=axes[0])
plot_dendrogram(similarity, measure="cosine", method="average", ax=axes[1])
fig.tight_layout()
plt.show()

# %% [markdown]
# ### 同じ種類の章どうしを比べる / Comparing like with like
#
# 文書全体ではなく、見出しに「基本理念」または「基本目標」を含む節どうしだけを比べることもできます
# （`heading=` は見出しの経路に対する正規表現）。異なる計画の節の組（`pairs="across"`）を類似度の高い順に：

# %%
sections = compare.stat_similarity(
    tokens, by="section", segments=segments, heading="基本理念|基本目標", pairs="across"
)
sections.sort_values(["cosine", "doc_a", "doc_b"], ascending=[False, True, True], kind="stable")[
    ["municipality_a", "heading_a", "municipality_b", "heading_b", "cosine", "n_shared"]
].head(10).round(3)

# %% [markdown]
# ## 2. 特徴語 / Distinctive words (keyness)
#
# 各計画を「それ以外の文書すべて」と比べ、語ごとに 2×2 表（その語／他の語 × 対象／参照）を作ります。
#
# - **G²**（対数尤度比、Dunning）と **χ²** は、偏りの強さ（符号付き：負なら対象で少ない）。
# - **log ratio**（Hardie 2014）は効果の大きさ：1 なら対象での相対頻度が参照の2倍。
# - 頻度は **1,000語あたり** も示すので、長さの違う文書を公平に比べられる。
#
# 出現数が数回の語では G² が大きく出やすく、p 値は目安にすぎません。件数（`count_target`）も必ず見ます。
#
# *G² and χ² signed by direction, log ratio as effect size, rates per 1,000 tokens.*

# %%
keyness = compare.stat_keyness(tokens, by="plan", top=8)
keyness[
    [
        "target",
        "rank",
        "word",
        "count_target",
        "per1000_target",
        "per1000_reference",
        "g2",
        "log_ratio",
    ]
].round(2)

# %%
axes = plot_keyness(keyness, n=8)
plt.show()

# %% [markdown]
# ### なぜ比較用の語彙を使うのか / Why the comparison vocabulary
#
# 上の特徴語は、既定の比較用語彙（`compare.Vocabulary()`、ノートブック02の5節）で数えています。
# 語彙を使わずに（`vocabulary=None`）数えると、各計画の特徴語の上位に地名（自治体名）や
# 自治体の種類の語（市、区民）が並びます。これは政策の違いではなく、文書の出どころを示しているだけです。

# %%
raw = compare.stat_keyness(tokens, by="plan", top=8, vocabulary=None)
pd.DataFrame(
    {
        "as analysed (vocabulary=None)": raw.groupby("target", sort=False)["word"].agg("、".join),
        "comparison vocabulary": keyness.groupby("target", sort=False)["word"].agg("、".join),
    }
)

# %% [markdown]
# ### 文書の範囲をそろえる / Comparing comparable parts
#
# 文書は範囲が違うことがあります（概要版・案・抜粋、含む章の違い）。たとえば「計画の推進」の章だけの抜粋は、
# 基本理念や基本目標の語彙を持っていません。`plan_coverage` は各文書の種類と、見出しから判別した節の種類を示し、
# `flag_coverage` は範囲の違う組に印を付けます。`select_section` で同じ種類の節（ここでは基本目標とその下）だけに絞って比べられます。
#
# *Coverage per plan, a flag on pairs whose coverage differs, and keyness on 基本目標 sections only.*

# %%
coverage = plan_coverage(segments, catalog)
without_goals = coverage.loc[~coverage["coverage"].astype(str).str.contains("基本目標"), "plan_id"]
say(
    "見出しから基本目標の節が判別できない文書："
    + join_ja(plan_label(catalog, p) for p in without_goals)
    + "。"
)
coverage[["plan_id", "doc_kind", "coverage"]]

# %%
pairs = flag_coverage(compare.stat_similarity(tokens, pairs="unique"), coverage)
pairs[["municipality_a", "municipality_b", "cosine", "coverage_differs", "shared_sections"]].round(
    3
)

# %%
goals = select_section(tokens, "基本目標", segments=segments)
compare.stat_keyness(goals, by="plan", top=6)[
    ["target", "rank", "word", "count_target", "g2"]
].round(2)

# %% [markdown]
# 作成主体で比べることもできます（`by="author"`）。ただし、社会福祉協議会の計画が1文書だけのときは、
# 結果は「その1文書 対 その他」と同じになります。社協の計画と自治体の計画は、作成主体の違う文書として常に分けて扱います。

# %%
councils = catalog.loc[catalog["author"] == "社会福祉協議会", "plan_id"].tolist()
say(
    f"このコーパスの社会福祉協議会の計画は{len(councils)}文書です"
    + (f"（{join_ja(plan_label(catalog, p) for p in councils)}）。" if councils else "。")
    + (
        "1文書だけなので、作成主体の比較はその文書と他の文書の比較です。"
        if len(councils) == 1
        else ""
    )
)
# Only when the corpus holds plans of both authors (自治体 and 社会福祉協議会).
if set(catalog["author"]) >= {"自治体", "社会福祉協議会"}:
    display(
        compare.stat_keyness(tokens, by="author", target="社会福祉協議会", top=10)[
            ["target", "reference", "word", "count_target", "count_reference", "g2", "log_ratio"]
        ].round(2)
    )

# %% [markdown]
# ## 3. 共起ネットワーク / Co-occurrence network
#
# 同じセグメントに出てくる語を結び、Jaccard 係数の強い上位60本の辺を描きます（KH Coder の共起ネットワークと同じ考え方）。
# 小さなコーパスでは、数回しか出ない語どうしの Jaccard 係数が偶然高くなり、ばらばらの小さな組ばかりになるため、
# ここでは8回以上出る語（`min_freq=8`）に絞っています。
# 色は Louvain 法によるコミュニティ（`seed=0`）、円の大きさは出現数です。配置も `seed` で固定しています。
# 図の上での距離そのものには意味がなく、線で結ばれているかどうかが意味を持ちます。
#
# *Edges = strongest Jaccard co-occurrences; colours = Louvain communities (seeded); distances on the page mean nothing.*

# %%
network = compare.stat_cooccurrence(tokens, by="segment", top_n=60, min_freq=8, seed=SEED)
ax = plot_network(network, seed=SEED)
plt.show()

# %%
network.nodes.sort_values(
    ["degree", "frequency", "word"], ascending=[False, False, True], kind="stable"
).head(12).round(3)

# %% [markdown]
# ## 4. 対応分析 / Correspondence analysis (CA)
#
# 語 × 自治体の度数表を対応分析にかけ、語と自治体を同じ平面に置きます。ある自治体の近くにある語は、
# その自治体で相対的に多く使われている語です。
#
# - 列が k 個（k 自治体）の表なら次元は最大 k − 1。各次元が説明する慣性（inertia）の割合を必ず確認します。
# - 文書が少ないとき、図は **記述的** なものです。点の位置の安定性は検証できません。
# - 表には各点の寄与（`ctr`）と表現の質（`cos2`）があり、図に載っているのは寄与の大きい点だけです。
#
# *With few documents CA is descriptive; check the inertia of each dimension.*

# %%
ca = compare.stat_ca(tokens, by="municipality", min_count=5, max_words=100)
say(
    f"列は{len(ca.columns)}自治体なので、次元は最大{max(len(ca.columns) - 1, 0)}つです。"
    f"第1次元と第2次元で慣性の{ca.inertia['share'].iloc[:2].sum():.0%}を説明します。"
    if len(ca.inertia)
    else "対応分析に使える次元がありません。"
)
ca.inertia.round(3)

# %%
ax = plot_ca(ca, max_rows=30)
plt.show()

# %% [markdown]
# テーマ × 計画の表（`code_themes` の該当数）も同じ関数で分析できます。

# %%
hits = compare.code_themes(segments, themes, tokens=tokens)
theme_table = pd.crosstab(hits["label"], hits["plan_id"]).reindex(columns=catalog["plan_id"])
theme_ca = compare.stat_ca(theme_table)
theme_ca.columns[["label", "count", "dim1", "dim2", "cos2_1", "cos2_2"]].round(3)

# %%
ax = plot_ca(theme_ca)
plt.show()

# %% [markdown]
# ## 5. クラスター / Clusters
#
# 節（section）を TF-IDF ベクトルで Ward 法により階層的にまとめ、5つに切ります。
# 各クラスターは上位語と、各自治体のトークンのうちそのクラスターに入った割合で読み取ります。
# クラスターの数は分析者が決めるもので、「正しい数」があるわけではありません。
#
# *Hierarchical (Ward) clustering of sections; the number of clusters is a choice, not a finding.*

# %%
clusters = compare.stat_clusters(tokens, by="section", n_clusters=5, random_state=SEED)
clusters.clusters

# %%
clusters.shares.pivot(index="cluster", columns="municipality", values="share").reindex(
    columns=catalog["municipality"]
).round(2)

# %% [markdown]
# 節が多いと、樹形図にしたとき葉の名前が読めません。樹形図は、KH Coder の「階層的クラスター分析」と同じく
# **語** をクラスターにしたもので示します（よく出る40語を、セグメントへの出方の近さで Ward 法により6つに）。
#
# *A dendrogram of many sections is unreadable; the tree shows the 40 most frequent words instead.*

# %%
say(f"このコーパスでクラスターにした節は{len(clusters.assignments)}個です。")
word_clusters = compare.stat_clusters(
    tokens, by="segment", items="words", max_words=40, n_clusters=6, random_state=SEED
)
ax = plot_dendrogram(word_clusters)
plt.show()

# %% [markdown]
# ## 6. トピック（NMF） / Topics (NMF)
#
# セグメントを文書として、TF-IDF に非負値行列因子分解（NMF）をかけ5つのトピックを取り出します
# （`random_state=0` で初期値を固定）。トピックの名前は上位語から分析者が付けます。
#
# *NMF topics on TF-IDF, seeded; name each topic from its top words.*

# %%
topics = compare.stat_topics(tokens, by="segment", n_topics=5, random_state=SEED)
topics.topics.round(3)

# %%
topics.shares.pivot(index="topic", columns="municipality", values="share").reindex(
    columns=catalog["municipality"]
).round(2)

# %% [markdown]
# ## まとめ / Summary
#
# - 類似度・特徴語は1,000語あたりや TF-IDF で長さの違いを考慮しているが、文書の種類（概要版・抜粋）の違いは残る。
# - 対応分析・クラスター・トピックはこのコーパスの文書の記述。次元の慣性、クラスターの数、トピックの数は分析者の選択として報告する。
# - 乱数の種を固定しているので、同じ入力からは同じ表と図が得られる。
#
# 次は [05 目標の対応と計画の差分](05_goal_alignment_diff.py) です。
