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
# # 03 テーマ / Themes
#
# 「プラットフォーム」「重層的支援」「防災」などのテーマについて、どの計画のどの箇所が扱っているかを
# コーディングし、計画ごとの割合を比べ、差が偶然の範囲かを検定し、根拠となる原文（KWIC）を確かめます。
# 最後にテーマの定義を自分で直す方法を示します。
#
# *Code passages with themes, compare shares, test the differences, read the evidence, edit a theme.*

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import compare
from compare.plot import plot_theme_heatmap, plot_theme_shares
from compare.themes import default_themes_path

pd.set_option("display.max_colwidth", 60)
pd.set_option("display.max_rows", 100)

catalog = compare.read_catalog()
segments = compare.read_corpus(catalog)
tokens = compare.tokenize(segments)
names = dict(zip(catalog["plan_id"], catalog["municipality"], strict=True))

# %% [markdown]
# ## 1. テーマのカタログ / The theme catalogue
#
# テーマはコードではなくデータです（`data/themes.yaml`）。各テーマは id・日本語ラベル・説明・
# **ルール**（KH Coder のコーディングルールに似た小さな論理式）からなります。
# 「一度出てきただけの語」ではなく、その話題を実質的に扱う箇所にテーマが付くように、
# 「連携」「防災」のような日常語には回数（`>= 2`）や近接条件（`seq(…)`, `near(…)`）を付けています。
#
# *Themes are data: id, label, description and a KH Coder-like rule.*

# %%
themes = compare.load_themes()
pd.DataFrame(themes)[["id", "label", "description"]]

# %% [markdown]
# 例えば「防災・減災」のルール：

# %%
print(themes[2].id, themes[2].label)
print(themes[2].rule)

# %% [markdown]
# ## 2. コーディング / Coding
#
# 単位は **セグメント**（見出し・段落・箇条書き・表の行）です。メタ情報（表紙、住所など）はコーディングしません。
# `code_themes` は1行が (セグメント, テーマ) の該当で、`evidence` に一致した語を残します。
# `themes_wide` は1行1セグメント、テーマごとの真偽値の列を持つ表です。
# `themes` を省くと既定のカタログが使われます。自分のテーマを渡したときは、コーパスのどこにも一致しない語が
# 警告（`ThemeWarning`）され、綴りの誤りに気づけます。
#
# *The unit is the segment; `evidence` lists the words that matched.*

# %%
hits = compare.code_themes(segments, tokens=tokens)
hits[["plan_id", "seg_id", "theme_id", "evidence", "line_start", "text"]].head(10)

# %%
wide = compare.themes_wide(segments, tokens=tokens)
wide.groupby("plan_id", sort=False)[[t.id for t in themes[:6]]].sum()

# %% [markdown]
# ## 3. テーマの割合 / Theme shares
#
# 文書の大きさが違うので、2通りに正規化します。
#
# - `share`：その計画の（メタ以外の）セグメントのうち、テーマが付いた割合
# - `per_1000_tokens`：内容語1,000語あたりのテーマ該当セグメント数
#
# 所沢市は **概要版**、他の多くは **抜粋** です。概要版は施策を短く並べるため、割合の意味が本編と違うことに注意します。
#
# *Two normalisations: share of segments and coded segments per 1,000 tokens.*

# %%
shares = compare.stat_theme_shares(wide)
shares.pivot(index="label", columns="plan_id", values="share").reindex(
    columns=catalog["plan_id"], index=[t.label for t in themes]
).round(3)

# %%
ax = plot_theme_shares(
    shares, names=names, themes=["platform", "multilayer_support", "disaster", "watching", "rights"]
)
plt.show()

# %% [markdown]
# ## 4. 検定：χ² と Fisher / Testing: χ² or Fisher
#
# テーマごとに「自治体 × (該当, 非該当)」のセグメント数の表を作り、独立性を検定します。
#
# - **期待度数がすべて5以上なら Pearson の χ² 検定**、そうでなければ **Fisher の正確検定**
#   （3群以上は Fisher–Freeman–Halton 検定を、乱数の種を固定したモンテカルロ法で。`random_state=0`
#   なので毎回同じ p 値）。このコーパスは小さいため、ほとんどのテーマで期待度数が5未満となり Fisher が使われます。
#   どちらが使われたかは `test` 列に出ます。
# - テーマを15個同時に検定しているので、`p_adjusted`（Benjamini–Hochberg 法で多重比較を補正した値）で判断します。
# - **調整済み残差**（adjusted standardised residual, Haberman）は、どの自治体がそのテーマを
#   独立の場合の期待より多く（> 1.96）／少なく（< −1.96）扱っているかを示します。±1.96 は
#   およそ5%水準の目安で、セルごとの判定を繰り返すことになるため、探索的な手がかりとして読みます。
# - 検定の単位はセグメントです。同じ計画のセグメントは互いに独立ではないので、p 値は「計画の書き方の違いの
#   大きさの目安」と考え、母集団への一般化には使いません。
#
# *χ² when every expected count is ≥ 5, otherwise Fisher (seeded Monte Carlo for > 2 groups);
# BH-adjusted p-values; adjusted residuals beyond ±1.96 mark over/under-represented cells.*

# %%
test = compare.stat_theme_test(wide, by="municipality", random_state=0)
summary = test.drop_duplicates("theme_id")[
    ["theme_id", "label", "chi2", "dof", "p_value", "p_adjusted", "test", "min_expected"]
]
summary.reset_index(drop=True)

# %% [markdown]
# 自治体ごとの割合と調整済み残差（「プラットフォーム」「重層的支援」「防災・減災」）：

# %%
test.loc[
    test["theme_id"].isin(["platform", "multilayer_support", "disaster"]),
    ["label", "municipality", "n_segments", "segments", "expected", "share", "adj_residual"],
].round(3)

# %% [markdown]
# ヒートマップ：色は調整済み残差（赤＝期待より多い、青＝少ない）、数字は割合、▲▼は ±1.96 を超えるセル、
# テーマ名の `*` は補正後の検定が有意なテーマです。列は自治体で、小田原市の列は社会福祉協議会の地域福祉活動計画です
# （作成主体の違う文書です。`by="plan_id"` にすると計画ごとの表になります）。

# %%
ax = plot_theme_heatmap(test)
plt.show()

# %% [markdown]
# ## 5. 根拠を読む：KWIC / Evidence in context
#
# 数字だけで判断せず、該当箇所を原文で確かめます。テーマを指定した `stat_kwic` は、テーマが付いた箇所ごとに
# 1 行を返し、判定の根拠になった語（`text:` 条件は一致した文字列）をすべて【】で囲んで示します。
# 見出しの位置と原文の行番号も付きます。

# %%
kwic = compare.stat_kwic(segments, "multilayer_support", tokens=tokens)
kwic[["municipality", "line_start", "left", "match", "right", "word"]]

# %%
kwic = compare.stat_kwic(segments, "disaster", tokens=tokens)
kwic[["municipality", "line_start", "left", "match", "right"]]

# %% [markdown]
# テーマではなく任意の語やルール式でも検索できます（例：「防災」と「訓練」が5語以内に出る箇所）。

# %%
compare.stat_kwic(segments, "near(防災-訓練)[5]", tokens=tokens)[
    ["municipality", "line_start", "left", "match", "right"]
]

# %% [markdown]
# ### 関連語 / Associated words
#
# KH Coder の「関連語探索」と同じく、テーマが付いたセグメントに偏って出てくる語を Jaccard 係数で並べます。
# 該当セグメントが少ないテーマでは、偶然の共起が上位に来ることに注意してください。

# %%
compare.stat_word_association(segments, "platform", tokens=tokens, top=15).round(3)

# %% [markdown]
# ### 辞書を育てる / Growing the dictionary
#
# `stat_theme_candidates` は、テーマのルールがまだ名指ししていないのに、そのテーマの箇所に偏って現れる語と
# 複合語（`A+B` はルールにそのまま書ける隣接語の形）を G² の大きい順に、さらにテーマが付かなかった箇所のうち
# 付いた箇所に最も似ているもの（TF-IDF のコサイン類似度）を返します。ルールに加えるかどうかは、
# KWIC で原文を読んでから決めます。

# %%
candidates = compare.stat_theme_candidates(tokens, wide, "disaster", top=10, passages=5)
candidates[candidates["kind"] != "passage"][["kind", "candidate", "n_theme", "n_other", "g2"]].round(2)

# %%
candidates[candidates["kind"] == "passage"][["plan_id", "line_start", "similarity", "candidate"]].round(3)

# %% [markdown]
# ## 6. テーマを直す / Editing a theme
#
# 既定のカタログは `data/themes.yaml` です。コピーして編集し、そのファイルを渡します
# （コマンドラインでは `--themes`）。ここでは一時フォルダに「ICT・デジタル」のテーマを持つ
# 自分のカタログを書き、読み込んでみます。ルールの書き間違いは、テーマ名と位置を示すエラーになります。
#
# *Copy `data/themes.yaml`, edit it and pass your file; rule errors name the theme and position.*

# %%
print(default_themes_path().read_text(encoding="utf-8").split("themes:")[0][-600:])

# %%
workdir = Path(tempfile.mkdtemp(prefix="compare-themes-"))
own_file = workdir / "my_themes.yaml"
own_file.write_text(
    """\
themes:
  - id: digital
    label: ICT・デジタル
    description: ICT, SNS, ホームページなど情報通信の活用
    rule: ICT or SNS or デジタル or ホームページ or インターネット
  - id: disaster_words
    label: 防災（語だけ）
    description: 「防災」「減災」「災害」の語が一度でも出る箇所（既定の disaster より広い、比較用）
    rule: 防災 or 減災 or 災害
""",
    encoding="utf-8",
)
own_themes = compare.load_themes(own_file)
own_hits = compare.code_themes(segments, own_themes, tokens=tokens)
own_hits[["plan_id", "theme_id", "evidence", "text"]]

# %% [markdown]
# 既定の `disaster`（語の回数や見出しを条件にする）と、語が一度出れば付ける `disaster_words` を比べると、
# 定義の違いで数字が変わることが分かります。テーマの定義は分析の一部として報告に残します。
#
# *A broader definition codes more passages: report the definition with the numbers.*

# %%
pd.DataFrame(
    {
        "disaster (default)": hits[hits["theme_id"] == "disaster"]["plan_id"].value_counts(),
        "disaster_words (own)": own_hits[own_hits["theme_id"] == "disaster_words"][
            "plan_id"
        ].value_counts(),
    }
).reindex(catalog["plan_id"]).fillna(0).astype(int)

# %%
try:
    compare.code_themes(segments, {"broken": "防災 and (避難"}, tokens=tokens)
except compare.errors.ThemeError as error:
    print("ThemeError:", error)

# %% [markdown]
# ## まとめ / Summary
#
# - テーマはデータ（YAML）。ルールは根拠（`evidence`）とともに適用され、原文の行までたどれる。
# - 割合は2通りに正規化。文書の種類（概要版・抜粋・案）を読み取りに添える。
# - 期待度数が小さいときは Fisher。p 値は BH 補正後で、残差は探索的な手がかり。
#
# 次は [04 類似度・特徴語・共起ネットワーク・対応分析・クラスター](04_similarity_keyness_network_ca_clusters.py) です。
