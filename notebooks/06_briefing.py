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
# # 06 ブリーフィングの作成 / Producing the briefing
#
# 01〜05 の分析を1つの報告書（ブリーフィング）にまとめます。出力は1つのフォルダで、
# オフラインで開ける HTML（`index.html`）、Markdown（`briefing.md`）、すべての表を収めた Excel（`tables.xlsx`）と CSV、
# 図の PNG と SVG です。コマンドラインでは `compare report --out out/briefing`（同梱コーパスなら `make demo`）と同じです。
#
# *One folder with HTML, Markdown, Excel/CSV tables and PNG/SVG figures; the same as `compare report`.*
#
# **再現性**：報告書の日付を固定すると（`date=`）、同じ入力から毎回バイト単位で同じファイルができます。
# 報告書の末尾には、パッケージのバージョン、git のリビジョン、辞書とそのバージョン、カタログのハッシュ、設定が記録されます。

# %% tags=["parameters"]
# パラメータ / Parameters — 既定は同梱の5文書。自分のコーパスで実行するには値を変えるか、
# `compare notebooks --catalog …`（`make notebooks CATALOG=…`）で全ノートブックをまとめて実行します。
catalog = None  # catalogue CSV (None: the bundled corpus, data/catalog.csv)
themes = None  # theme catalogue YAML (None: data/themes.yaml)
plans = None  # plan_ids to analyse (None: every plan of the catalogue)
out = None  # folder for written files (None: $COMPARE_OUT_DIR or ../out)

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from compare.report import build_briefing, write_briefing
from compare.report.display import setup_notebook

setup_notebook()  # readable tables; warnings shown as notes
pd.set_option("display.max_colwidth", 80)

# Output folder: the `out` parameter, else $COMPARE_OUT_DIR, else out/ at the top of the
# repository (ignored by git).
OUT = Path(out or os.environ.get("COMPARE_OUT_DIR", "../out")) / "notebook-briefing"

# %% [markdown]
# ## 1. 分析を実行する / Running the analyses
#
# `build_briefing` は、読み込み → セグメント化 → トークン化 → テーマのコーディング → 比較 → 図 の全工程を実行し、
# ファイルを書く前の報告書（節・表・図）を返します。ノートブックで中身を確かめたり、図の体裁を変えたりできます。
#
# *`build_briefing` runs everything and returns the sections, tables and figures without writing files.*

# %%
briefing = build_briefing(catalog, themes=themes, plans=plans, date="2024-04-01", progress=False)
plt.close("all")  # the briefing keeps its figures; do not show all of them below this cell
print(briefing.title)
print(briefing.subtitle)

# %% [markdown]
# 計画ごとの要約（セグメント数、内容語の数、割合の大きいテーマ）：

# %%
briefing.summary

# %% [markdown]
# 報告書の節と、それぞれに含まれる表と図の数：

# %%
pd.DataFrame(
    {
        "section": [section.title for section in briefing.sections],
        "tables": [len(section.tables) for section in briefing.sections],
        "figures": [len(section.figures) for section in briefing.sections],
    }
)

# %% [markdown]
# 報告書に入るすべての表（Excel のシート名と行数）：

# %%
pd.DataFrame(
    {
        "key": [table.key for table in briefing.tables],
        "sheet": [table.sheet for table in briefing.tables],
        "rows": [len(table.frame) for table in briefing.tables],
    }
)

# %% [markdown]
# 図は matplotlib の Figure として入っているので、ノートブックで表示したり体裁を変えたりできます。
# 例えばテーマ比較の節の最初の図：

# %%
theme_section = briefing.sections[1]
print(theme_section.title, "/", theme_section.figures[0].title)
print(theme_section.figures[0].caption)
theme_section.figures[0].figure

# %% [markdown]
# 記録される来歴（provenance）。辞書のバージョンとカタログのハッシュが入っていることを確かめます。
#
# *Provenance: package version, git revision, dictionary and its version, catalogue hash, settings.*

# %%
pd.Series(briefing.provenance, dtype=object).to_frame("value")

# %% [markdown]
# ## 2. ファイルに書く / Writing the files
#
# `write_briefing` はフォルダを一時的な場所に作ってから置き換えるので、途中で失敗しても古い報告書は壊れません。
# 既存のフォルダは、compare が書いたものでなければ上書きしません（`force=True` で上書き）。
# ここでは git が無視する `out/` の下に書きます。
#
# *Written atomically; an existing folder is replaced only if compare wrote it.*

# %%
path = write_briefing(briefing, out=OUT, progress=False)
sorted(str(file.relative_to(path)) for file in path.iterdir())

# %%
figures = sorted((path / "figures").glob("*.png"))
print(len(figures), "PNG figures, e.g.", [file.name for file in figures[:4]])

# %% [markdown]
# `index.html` をブラウザで開くと、図と表と根拠の引用を含む報告書が読めます。Excel の `tables.xlsx` には
# 図の元になった表がすべて入っているので、図を自分で描き直すこともできます。
#
# ## まとめ / Summary
#
# - 報告書は分析と同じライブラリから作られ、表・図・来歴がそろう。
# - 日付を固定すれば、同じ入力から同じファイル。
#
# 次は [07 自分の計画を持ち込む](07_your_own_plans.py) です。
