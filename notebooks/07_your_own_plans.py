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
# # 07 自分の計画を持ち込む / Bringing your own plans
#
# 自分で集めた計画を分析するには、計画のファイルを1つのフォルダに置き、**カタログ**（1行1計画の CSV）を書きます。
# このノートブックでは一時フォルダに小さなコーパスを作ります：同梱のテキストを、自治体のサイトからよく落ちてくる
# **CP932（Shift_JIS）・CRLF** に変換したコピーと、PDF・DOCX の文書です。元のファイルは一切変更しません。
#
# パラメータ `catalog` に自分のカタログを渡すと（`compare notebooks --catalog …`）、最初に読み込んで検査し、
# 最後の節（6）で文書ごとの点検結果を示します。
#
# *Build a small corpus of your own in a temporary folder: CP932 copies of bundled texts, a PDF and a DOCX.
# With the `catalog` parameter set, your catalogue is checked first and summarised in section 6.*

# %% tags=["parameters"]
# パラメータ / Parameters — 既定は同梱の5文書。自分のコーパスで実行するには値を変えるか、
# `compare notebooks --catalog …`（`make notebooks CATALOG=…`）で全ノートブックをまとめて実行します。
catalog = None  # catalogue CSV (None: the bundled corpus, data/catalog.csv)
themes = None  # theme catalogue YAML (None: data/themes.yaml)
plans = None  # plan_ids to analyse (None: every plan of the catalogue)
out = None  # folder for written files (None: $COMPARE_OUT_DIR or ../out)

# %%
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

import compare
from compare.cli import main as compare_cli
from compare.io.catalog import bundled_catalog_path
from compare.report.display import join_ja, plan_label, say, setup_notebook

setup_notebook()  # readable tables; warnings shown as notes
pd.set_option("display.max_colwidth", 60)

# Your catalogue (the `catalog` parameter; None: the bundled one), read and checked before
# anything else, so that a mistake in it stops here with the line to fix.  Section 6 shows it.
yours = compare.read_catalog(catalog, plans=plans)

bundled = bundled_catalog_path().parent  # the repository's data/ folder
samples = bundled.parent / "tests" / "data" / "docs"  # PDF/DOCX conversions of the bundled texts
start = Path.cwd()
workdir = Path(tempfile.mkdtemp(prefix="compare-own-"))
os.chdir(workdir)  # work inside the new corpus folder; paths below are relative to it
(Path("texts")).mkdir()

# %% [markdown]
# ## 1. 文字コードの違うファイル / Files in other encodings
#
# 多摩区と所沢市のテキストを CP932・CRLF で書き出します。読み込み側は UTF-8（BOM の有無）、CP932、EUC-JP、
# ISO-2022-JP、UTF-16 を判別し、改行を `\n` にそろえます。どの文字コードで読んだかは記録されます。
# CP932 で表せない文字（例：下関市の「↗」）を含むテキストは CP932 にできないので、ここでは使いません。
#
# *Readers detect UTF-8/CP932/EUC-JP/ISO-2022-JP/UTF-16 and record the encoding.*

# %%
for plan_id in ["tama-6", "tokorozawa-2"]:
    text = (bundled / "plans" / f"{plan_id}.txt").read_text(encoding="utf-8-sig")
    Path("texts", f"{plan_id}-sjis.txt").write_bytes(text.replace("\n", "\r\n").encode("cp932"))
source = compare.read_text("texts/tama-6-sjis.txt")
print(source.encoding, repr(source.newline), source.lines[0])

# %% [markdown]
# ## 2. カタログを書く / Writing a catalogue
#
# 必須の列は `plan_id`, `path`（カタログからの相対パス）, `municipality`, `author`（自治体／社会福祉協議会）,
# `plan_type`, `doc_kind`（full / summary / draft / excerpt）です。`plan_type` は決まった一覧
# （地域福祉計画、地域福祉活動計画、地域福祉支援計画、地域福祉計画・地域福祉活動計画、重層的支援体制整備事業実施計画、
# 成年後見制度利用促進計画、再犯防止推進計画、保健福祉計画。兼ねる計画は「・」でつなぐ）から選び、
# 一覧にない計画は `other:計画の名前` と書きます（拒否はされず、警告で知らされます）。
# 分からない値は推測せず空欄にします。`identification` にはその文書をどう同定したかを書きます。
#
# *Required: plan_id, path, municipality, author, plan_type, doc_kind. Leave unknown values empty.*

# %%
Path("catalog.csv").write_text(
    """\
plan_id,path,municipality,prefecture,municipality_code,author,plan_type,title,edition,doc_kind,identification
tama-6,texts/tama-6-sjis.txt,川崎市多摩区,神奈川県,141356,自治体,地域福祉計画,第6期多摩区地域福祉計画（案）,第6期,draft,stated in the text
tokorozawa-2,texts/tokorozawa-2-sjis.txt,所沢市,埼玉県,112089,自治体,地域福祉計画,第2次所沢市地域福祉計画 概要版,第2次,summary,stated in the text
""",
    encoding="utf-8",
)
catalog = compare.read_catalog("catalog.csv")
catalog[["plan_id", "path", "municipality", "doc_kind"]]

# %%
segments = compare.read_corpus(catalog)
pd.DataFrame({"encoding": segments.attrs["encoding"], "newline": segments.attrs["newline"]})

# %% [markdown]
# 以降は同梱コーパスと同じです。例えばテーマの割合：

# %%
tokens = compare.tokenize(segments)
shares = compare.stat_theme_shares(compare.themes_wide(segments, tokens=tokens))
shares.pivot(index="label", columns="plan_id", values="share").reindex(
    shares["label"].unique()
).round(3)

# %% [markdown]
# ### カタログの誤りは行番号つきで / Catalogue errors name the line
#
# 例えば全国地方公共団体コードの検査数字が合わないと、ファイル名・行・何を直すべきかを示すエラーになります。

# %%
Path("broken.csv").write_text(
    Path("catalog.csv").read_text(encoding="utf-8").replace("112089", "112088"), encoding="utf-8"
)
try:
    compare.read_catalog("broken.csv")
except compare.errors.CatalogError as error:
    print("CatalogError:", error)

# %% [markdown]
# ## 3. `compare add`：1件ずつ追加する / Adding plans one at a time
#
# コマンドライン `compare add FILE --municipality … --catalog catalog.csv` は、ファイルを読んでセグメント化できることを確かめてから
# カタログに1行を加えます（SHA-256・形式・文字コードも記録）。ノートブックからは `compare.cli.main([...])` で同じことができます。
# ここでは同梱の墨田区のテキストを CP932 にしたコピーを加えます。墨田区の同定は外部資料による「おそらく」なので、
# その旨を `identification` に書きます。
#
# *`compare add` reads and segments the file first, then appends a validated row.*

# %%
text = (bundled / "plans" / "sumida.txt").read_text(encoding="utf-8-sig")
Path("texts", "sumida-sjis.txt").write_bytes(text.encode("cp932"))
# fmt: off
exit_code = compare_cli(
    [
        "add", "texts/sumida-sjis.txt", "--plan-id", "sumida", "--municipality", "墨田区",
        "--prefecture", "東京都", "--municipality-code", "131075", "--author", "自治体",
        "--plan-type", "地域福祉計画", "--doc-kind", "excerpt", "--edition", "第3次（後期）",
        "--identification", "probable: identified from outside the text",
        "--catalog", "catalog.csv",
    ]
)
# fmt: on

# %% [markdown]
# ## 4. PDF と DOCX / Reading PDF and DOCX
#
# 計画の多くは PDF で公開されます。テキスト層のある PDF、Word の DOCX、HTML はそのまま読めます。
# PDF では、ページごとに繰り返される柱（ヘッダー）やページ番号を `meta` として分析から外し、セグメントがページをまたがないようにします。
# 画像だけの PDF（スキャン）は OCR が必要だというエラーになります。
# ここでは、テストに使っている小田原市社協・下関市の PDF/DOCX 版（同梱テキストから LibreOffice で作ったもの）を使います。
#
# *PDF (with a text layer), DOCX and HTML are read directly; running headers and page numbers become `meta`.*

# %%
for name in ["shimonoseki.pdf", "odawara-shakyo-4.docx"]:
    shutil.copy(samples / name, Path("texts") / name)
# fmt: off
exit_code = compare_cli(
    [
        "add", "texts/shimonoseki.pdf", "--municipality", "下関市", "--prefecture", "山口県",
        "--author", "自治体", "--plan-type", "地域福祉計画", "--doc-kind", "excerpt",
        "--catalog", "catalog.csv",
    ]
)
# fmt: on
# fmt: off
exit_code = compare_cli(
    [
        "add", "texts/odawara-shakyo-4.docx", "--plan-id", "odawara-shakyo-4",
        "--municipality", "小田原市", "--prefecture", "神奈川県", "--author", "社会福祉協議会",
        "--plan-type", "地域福祉活動計画", "--doc-kind", "excerpt", "--catalog", "catalog.csv",
    ]
)
# fmt: on

# %%
catalog = compare.read_catalog("catalog.csv")
catalog[["plan_id", "path", "municipality", "author", "doc_kind", "sha256"]]

# %%
segments = compare.read_corpus(catalog)
pd.crosstab(segments["plan_id"], segments["kind"]).reindex(catalog["plan_id"])

# %% [markdown]
# PDF 版の下関市では、ページの柱とページ番号が `meta` になっています。見出しの木がテキスト版と同じかも確かめます。
# PDF では表が崩れて、表の行が見出しのように見えることがあります。違いがあれば原文（行番号）で確かめ、
# 必要ならテキスト版を使います。
#
# *Running headers and page numbers become `meta`; compare the outline with the text version.*

# %%
pdf_meta = segments[(segments["plan_id"] == "shimonoseki") & (segments["kind"] == "meta")]
pdf_meta[["seg_id", "text", "line_start"]].head(6)

# %%
text_plan = compare.read_plan(bundled / "plans" / "shimonoseki.txt", plan_id="shimonoseki")
pd.DataFrame(
    {
        "text file": compare.outline(text_plan)["text"].reset_index(drop=True),
        "PDF": compare.outline(segments[segments["plan_id"] == "shimonoseki"])["text"].reset_index(
            drop=True
        ),
    }
)

# %% [markdown]
# ## 5. 同梱の計画と合わせる / Combining with the bundled plans
#
# 同梱の5文書と自分の計画を1つのコーパスにするには、カタログを並べて読みます（`None` は同梱のカタログ）。
# 各行は元のカタログのメタ情報（題名・版・同定の根拠）と、パスの基準になるフォルダを保ちます。
# 同じ plan_id が2つのカタログにあると、両方の行を示すエラーになります。ここで作ったカタログは同梱と同じ
# plan_id（`tama-6` など）を使っているので、まさにそのエラーになります。
#
# *`read_catalog([None, "catalog.csv"])` combines catalogues; a plan_id used twice names both rows.*

# %%
try:
    compare.read_catalog([None, "catalog.csv"])
except compare.errors.CatalogError as error:
    print("CatalogError:", error)

# %% [markdown]
# コマンドラインでは `compare add --include-bundled` が同梱の5行を（題名・版・同定の根拠・SHA-256 ごと）自分のカタログに
# 写します。ファイルを1つ一緒に加えることもできます。ここでは新しいカタログ `combined.csv` に、同梱の5文書と
# PDF 版の下関市（別の plan_id）を入れます。
#
# *`compare add --include-bundled` copies the bundled rows, with all their metadata, into your catalogue.*

# %%
# fmt: off
exit_code = compare_cli(
    [
        "add", "texts/shimonoseki.pdf", "--plan-id", "shimonoseki-pdf", "--municipality", "下関市",
        "--prefecture", "山口県", "--author", "自治体", "--plan-type", "地域福祉計画",
        "--doc-kind", "excerpt", "--include-bundled", "--catalog", "combined.csv",
    ]
)
# fmt: on
combined = compare.read_catalog("combined.csv")
combined[["plan_id", "municipality", "title", "edition", "doc_kind", "identification"]]

# %% [markdown]
# 片付け：作業フォルダを消して、元の作業ディレクトリに戻ります。

# %%
os.chdir(start)
shutil.rmtree(workdir)

# %% [markdown]
# ## 6. あなたのカタログ / Your catalogue
#
# パラメータ `catalog` に自分のカタログを渡すと（`compare notebooks --catalog …`）、ここにその点検結果が出ます。
# 既定では同梱のカタログです。文書ごとに、読み取った形式と文字コード、セグメントの種類ごとの数、見出しの数を示します。
# 見出しが0の文書や、`meta` ばかりの文書は、テキストの抽出や見出しの書式を確かめてください。
#
# *With `catalog` set to your catalogue, this checks it: format, encoding, segments and headings per plan.*

# %%
your_segments = compare.read_corpus(yours)
checked = yours.set_index("plan_id")[["municipality", "plan_type", "doc_kind"]]
checked["format"] = pd.Series(your_segments.attrs["format"])
checked["encoding"] = pd.Series(your_segments.attrs["encoding"])
headings = your_segments[your_segments["kind"] == "heading"].groupby("plan_id").size()
no_headings = [p for p in yours["plan_id"] if headings.get(p, 0) == 0]
say(
    f"{len(yours)}文書を読みました。見出しが見つからなかった文書："
    f"{join_ja(plan_label(yours, p) for p in no_headings)}。"
)
checked.join(
    pd.crosstab(your_segments["plan_id"], your_segments["kind"]).reindex(yours["plan_id"])
).fillna(0)

# %% [markdown]
# ## まとめ / Summary
#
# - 自分のコーパス ＝ 計画ファイルのフォルダ ＋ カタログ CSV。元のファイルは読むだけ。
# - 文字コード（CP932 など）と改行は自動で判別され、記録される。
# - `compare add` で PDF・DOCX・テキストを1件ずつ、検証してから追加できる。
# - 分からない値は空欄に。同定の根拠は `identification` と `notes` に書く。
