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

# %% tags=["parameters"]
# パラメータ / Parameters — 既定は同梱の5文書。自分のコーパスで実行するには値を変えるか、
# `compare notebooks --catalog …`（`make notebooks CATALOG=…`）で全ノートブックをまとめて実行します。
catalog = None  # catalogue CSV (None: the bundled corpus, data/catalog.csv)
themes = None  # theme catalogue YAML (None: data/themes.yaml)
plans = None  # plan_ids to analyse (None: every plan of the catalogue)
out = None  # folder for written files (None: $COMPARE_OUT_DIR or ../out)

# %%
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import yaml

import compare
from compare.io.catalog import example_ids
from compare.plot import plot_theme_heatmap, plot_theme_shares
from compare.report.display import join_ja, plan_label, say, setup_notebook
from compare.structure.coverage import DOC_KIND_LABELS
from compare.themes import default_themes_path

setup_notebook()  # readable tables; warnings shown as notes
pd.set_option("display.max_colwidth", 60)
pd.set_option("display.max_rows", 100)

catalog = compare.read_catalog(catalog, plans=plans)
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
theme_list = compare.load_themes(themes)
theme_ids = [theme.id for theme in theme_list]
pd.DataFrame(theme_list)[["id", "label", "description"]]

# %% [markdown]
# 例えば「防災・減災」のルール：

# %%
(example,) = example_ids(theme_ids, ["disaster"])  # or the first theme of your own file
print(example, theme_list[theme_ids.index(example)].label)
print(theme_list[theme_ids.index(example)].rule)

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
hits = compare.code_themes(segments, themes, tokens=tokens)
# The default themes named in the examples below, or stand-ins (themes that code something).
present = [theme_id for theme_id in theme_ids if theme_id in set(hits["theme_id"])]
platform, multilayer, disaster, watching, rights = example_ids(
    present, ["platform", "multilayer_support", "disaster", "watching", "rights"]
)
hits[["plan_id", "seg_id", "theme_id", "evidence", "line_start", "text"]].head(10)

# %%
wide = compare.themes_wide(segments, themes, tokens=tokens)
wide.groupby("plan_id", sort=False)[theme_ids[:6]].sum()

# %% [markdown]
# ## 3. テーマの割合 / Theme shares
#
# 文書の大きさが違うので、2通りに正規化します。
#
# - `share`：その計画の（メタ以外の）セグメントのうち、テーマが付いた割合
# - `per_1000_tokens`：内容語1,000語あたりのテーマ該当セグメント数
#
# 概要版は施策を短く並べ、抜粋は一部の章だけなので、割合の意味が全文と違うことに注意します（文書の種類はカタログの `doc_kind`）。
#
# *Two normalisations: share of segments and coded segments per 1,000 tokens.*

# %%
shares = compare.stat_theme_shares(wide)
say(
    "このコーパスの文書の種類："
    + "、".join(
        f"{DOC_KIND_LABELS.get(kind, kind)}（{join_ja(plan_label(catalog, p) for p in ids)}）"
        for kind, ids in catalog.groupby("doc_kind", sort=False, dropna=False)["plan_id"]
    )
    + "。"
)
shares.pivot(index="label", columns="plan_id", values="share").reindex(
    columns=catalog["plan_id"], index=[theme.label for theme in theme_list]
).round(3)

# %%
ax = plot_theme_shares(
    shares, names=names, themes=[platform, multilayer, disaster, watching, rights]
)
plt.show()

# %% [markdown]
# ## 4. 検定：χ² と Fisher / Testing: χ² or Fisher
#
# テーマごとに「自治体 × (該当, 非該当)」のセグメント数の表を作り、独立性を検定します。
#
# - **期待度数がすべて5以上なら Pearson の χ² 検定**、そうでなければ **Fisher の正確検定**
#   （3群以上は Fisher–Freeman–Halton 検定を、乱数の種を固定したモンテカルロ法で。`random_state=0`
#   なので毎回同じ p 値）。小さなコーパスでは多くのテーマで期待度数が5未満となり、Fisher が使われます。
#   どちらが使われたかは `test` 列に出ます。
# - テーマをいくつも同時に検定しているので、`p_adjusted`（Benjamini–Hochberg 法で多重比較を補正した値）で判断します。
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
TEST_JA = {
    "chi2": "χ² 検定",
    "fisher_exact": "Fisher の正確検定",
    "fisher_exact_monte_carlo": "Fisher の正確検定（モンテカルロ法）",
}
used = summary["test"].astype(str).value_counts()
significant = summary.loc[summary["p_adjusted"] < 0.05, "label"]
say(
    f"{len(summary)}テーマを検定しました（"
    + "、".join(f"{TEST_JA.get(name, name)} {n}テーマ" for name, n in used.items())
    + "）。補正後の p 値が 0.05 未満のテーマ："
    + join_ja(significant)
    + "。"
)
summary.reset_index(drop=True)

# %% [markdown]
# 自治体ごとの割合と調整済み残差（「プラットフォーム」「重層的支援」「防災・減災」）：

# %%
test.loc[
    test["theme_id"].isin([platform, multilayer, disaster]),
    ["label", "municipality", "n_segments", "segments", "expected", "share", "adj_residual"],
].round(3)

# %% [markdown]
# ヒートマップ：色は調整済み残差（赤＝期待より多い、青＝少ない）、数字は割合、▲▼は ±1.96 を超えるセル、
# テーマ名の `*` は補正後の検定が有意なテーマです。列は自治体です。社会福祉協議会の地域福祉活動計画は
# 作成主体の違う文書なので、その列は自治体の計画と分けて読みます（`by="plan_id"` にすると計画ごとの表になります）。

# %%
councils = catalog.loc[catalog["author"] == "社会福祉協議会", "plan_id"]
say(f"社会福祉協議会の計画：{join_ja(plan_label(catalog, p) for p in councils)}。")
ax = plot_theme_heatmap(test)
plt.show()

# %% [markdown]
# ## 5. 根拠を読む：KWIC / Evidence in context
#
# 数字だけで判断せず、該当箇所を原文で確かめます。テーマを指定した `stat_kwic` は、テーマが付いた箇所ごとに
# 1 行を返し、判定の根拠になった語（`text:` 条件は一致した文字列）をすべて【】で囲んで示します。
# 見出しの位置と原文の行番号も付きます（PDF の計画では印刷されたページ `page_label` も）。

# %%
kwic = compare.stat_kwic(segments, multilayer, themes, tokens=tokens)
kwic[["municipality", "line_start", "left", "match", "right", "word"]]

# %%
kwic = compare.stat_kwic(segments, disaster, themes, tokens=tokens)
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
compare.stat_word_association(segments, platform, themes, tokens=tokens, top=15).round(3)

# %% [markdown]
# ### 辞書を育てる / Growing the dictionary
#
# `stat_theme_candidates` は、テーマのルールがまだ名指ししていないのに、そのテーマの箇所に偏って現れる語と
# 複合語（`A+B` はルールにそのまま書ける隣接語の形）を G² の大きい順に、さらにテーマが付かなかった箇所のうち
# 付いた箇所に最も似ているもの（TF-IDF のコサイン類似度）を返します。ルールに加えるかどうかは、
# KWIC で原文を読んでから決めます。

# %%
candidates = compare.stat_theme_candidates(tokens, wide, disaster, top=10, passages=5)
candidates[candidates["kind"] != "passage"][
    ["kind", "candidate", "n_theme", "n_other", "g2"]
].round(2)

# %%
candidates[candidates["kind"] == "passage"][
    ["plan_id", "line_start", "similarity", "candidate"]
].round(3)

# %% [markdown]
# ## 6. テーマを直す / Editing a theme
#
# テーマの定義を変えるときは、既定のカタログ `data/themes.yaml`（パラメータ `themes` を渡していればそのファイル）を
# **コピー** し、コピーの `rule:` を書き換えて、コピーを渡します。元のファイルは変えません。
#
# 1. コピーする：`cp data/themes.yaml my_themes.yaml`
# 2. エディタで1つのテーマの `rule:` を書き換える
# 3. そのファイルを渡して実行し直す：Python では `themes=`、コマンドラインでは `--themes`
#
# ここでは手順2をプログラムで行い、「防災・減災」（`disaster`）のルールに「『防災』『災害』が一度でも出れば付ける」を
# 加えて、割合がどう変わるかを見ます。ファイルの先頭にはルールの書き方の説明があります：
#
# *Copy the catalogue, change one rule in the copy, pass the copy (`themes=` / `--themes`), compare.*

# %%
print(default_themes_path().read_text(encoding="utf-8").split("themes:")[0][-600:])

# %%
workdir = Path(tempfile.mkdtemp(prefix="compare-themes-"))
own_file = workdir / "my_themes.yaml"
shutil.copyfile(themes or default_themes_path(), own_file)  # 1. copy
entries = yaml.safe_load(own_file.read_text(encoding="utf-8"))
edited = next(entry for entry in entries["themes"] if entry["id"] == disaster)
print("before:", edited["rule"])
edited["rule"] = f"({edited['rule']}) or 防災 or 災害"  # 2. change one rule
own_file.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
print("after: ", compare.load_themes(own_file, ids=[disaster])[0].rule)

# %% [markdown]
# 3\. コピーを渡して割合を計算し直します。既定のルールは、文書で「防災」「災害」が1回だけ（話題の列挙の1項目として）
# 出る箇所を数えないので、広げたルールでは割合が増える計画があります。テーマの定義は分析の一部なので、
# 数字と一緒に報告します（報告書の来歴にはテーマファイルが記録されます）。
#
# *Pass the copy and recompute: the broader rule raises some shares. Report the definition with the numbers.*

# %%
own_shares = compare.stat_theme_shares(
    compare.themes_wide(segments, own_file, tokens=tokens, warn_unmatched=False)
)
pd.DataFrame(
    {
        "share (default rule)": shares[shares["theme_id"] == disaster].set_index("plan_id")[
            "share"
        ],
        "share (edited rule)": own_shares[own_shares["theme_id"] == disaster].set_index("plan_id")[
            "share"
        ],
    }
).reindex(catalog["plan_id"]).round(3)

# %% [markdown]
# **コマンドラインでは / From the command line**：
#
# ```sh
# cp data/themes.yaml my_themes.yaml          # then edit one rule: in my_themes.yaml
# compare themes PLAN_ID --themes my_themes.yaml                 # segments and their themes
# compare report --themes my_themes.yaml --out out/my-briefing    # the briefing
# compare notebooks --themes my_themes.yaml --out out/my-notebooks   # this whole suite
# ```
#
# ### 新しいテーマを加える / Adding a theme
#
# テーマは `{id: ルール}` の辞書でも渡せます。自分のテーマでは、コーパスのどこにも一致しない語が
# **注（ThemeWarning）** として示されるので、綴りの誤りに気づけます（下の「インタネット」は「インターネット」の誤り）。
#
# *Own themes report terms that match nothing (a note), which catches misspellings.*

# %%
own_hits = compare.code_themes(
    segments, {"digital": "ICT or SNS or デジタル or ホームページ or インタネット"}, tokens=tokens
)
own_hits[["plan_id", "theme_id", "evidence", "text"]]

# %% [markdown]
# ルールの書き間違いは、テーマ名と位置を示すエラーになります。
#
# *A rule that does not parse names the theme and the position.*

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
