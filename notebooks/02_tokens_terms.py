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
# # 02 語とトークン化 / Tokens and terms
#
# 計量テキスト分析の数字は、すべて「何を1語と数えるか」で決まります。このノートブックでは、
# 形態素解析（MeCab + UniDic）の設定、複合語（重層的支援体制、成年後見制度…）のまとめ方、
# 表記ゆれの統一、専門用語候補の自動抽出（FLR）、そして文書の長さを考慮した語の頻度を見ます。
#
# *How words are counted: MeCab/UniDic, domain compounds, orthographic variants, FLR term candidates,
# and word frequencies normalised per 1,000 tokens.*

# %% tags=["parameters"]
# パラメータ / Parameters — 既定は同梱の5文書。自分のコーパスで実行するには値を変えるか、
# `compare notebooks --catalog …`（`make notebooks CATALOG=…`）で全ノートブックをまとめて実行します。
catalog = None  # catalogue CSV (None: the bundled corpus, data/catalog.csv)
themes = None  # theme catalogue YAML (None: data/themes.yaml)
plans = None  # plan_ids to analyse (None: every plan of the catalogue)
out = None  # folder for written files (None: $COMPARE_OUT_DIR or ../out)

# %%
import pandas as pd

import compare
from compare.io.catalog import example_ids
from compare.report.display import join_ja, plan_label, say, setup_notebook

setup_notebook()  # readable tables; warnings shown as notes
pd.set_option("display.max_colwidth", 60)
pd.set_option("display.max_rows", 80)

catalog = compare.read_catalog(catalog, plans=plans)
segments = compare.read_corpus(catalog)

# %% [markdown]
# ## 1. 既定のトークナイザ / The default tokenizer
#
# `Tokenizer()` は次のことをします（設定はすべて引数で変えられます）。
#
# - **NFKC 正規化**：全角数字・半角カナをそろえる（`surface` 列には原文の表記が残る）。
# - **見出し語（lemma）の整理**：UniDic の語彙素には「プラットホーム-platform」のような注記が付くので取り除き、
#   著者が書いたカタカナ表記「プラットフォーム」で数える。未知語は表層形で数える。
# - **表記ゆれの統一**：障がい/障害、子ども/子供、取組/取り組み などを1語に（`data/variants.tsv`）。
# - **複合語の結合**：UniDic は「重層的支援」を 重層 / 的 / 支援 に分けてしまうため、
#   福祉政策の用語リスト（`data/terms.txt`）にある語を最長一致でまとめる。
#
# 比べてみましょう。左が既定、右が複合語の結合も表記ゆれの統一もしない場合です。
#
# *Default analysis vs. plain MeCab/UniDic lemmas.*

# %%
sentence = "重層的支援体制の整備と成年後見制度の利用促進、プラットフォームづくりと子供の見守り"
default_tokenizer = compare.Tokenizer()
plain_tokenizer = compare.Tokenizer(compounds=False, variants=None)
print("default / 既定:                    ", " | ".join(default_tokenizer.words(sentence)))
print("no compounds, no variants / 結合なし:", " | ".join(plain_tokenizer.words(sentence)))

# %% [markdown]
# ## 2. トークン表 / The TOKENS table
#
# `tokenize` はセグメント表から1行1トークンの表を作ります。`surface`（原文の表記）、`lemma`（整理した見出し語）、
# `word`（数えるときに使う分析形）、品詞、内容語かどうか（`is_content`）、複合語として結合したか
# （`is_compound`）が入ります。結果は Parquet でキャッシュされ、2回目からは速くなります。
#
# **辞書とそのバージョンを記録します。** 形態素解析の結果は辞書に依存するため、辞書が変われば数字も変わり得ます。
#
# *Tokenizer output depends on the dictionary: its name and version are recorded with the table.*

# %%
tokens = compare.tokenize(segments, default_tokenizer)
print("dictionary:", tokens.attrs["dictionary"], tokens.attrs["dictionary_version"])
print("settings:", tokens.attrs["tokenizer"])
print("tokens:", len(tokens), " content tokens:", int(tokens["is_content"].sum()))

# %% [markdown]
# 1つの計画から、「成年後見制度」が出てくるセグメント（なければその計画の最初のセグメント）のトークンです。

# %%
(odawara,) = example_ids(catalog["plan_id"], ["odawara-shakyo-4"])  # or a stand-in
plan_segments = segments[(segments["plan_id"] == odawara) & (segments["kind"] != "meta")]
example = plan_segments[plan_segments["text"].str.contains("成年後見制度")]
seg_id = (example if len(example) else plan_segments)["seg_id"].iloc[0]
say(
    f"{plan_label(catalog, odawara)}の計画の、"
    + (
        "「成年後見制度」が出てくる"
        if len(example)
        else "（「成年後見制度」が出てこないので）最初の"
    )
    + f"セグメント（seg_id {seg_id}）です。"
)
print(plan_segments.loc[plan_segments["seg_id"] == seg_id, "text"].iloc[0])
tokens.loc[
    (tokens["plan_id"] == odawara) & (tokens["seg_id"] == seg_id),
    ["position", "surface", "lemma", "word", "pos", "is_content", "is_compound"],
].head(20)

# %% [markdown]
# 結合されたトークン（`is_compound`）の一覧（多い順）。用語リストの語のほか、名詞に接尾辞が付いた語
# （高齢 + 者 → 高齢者、重点 + 的 → 重点的）も1語になります。`plans` は出てくる文書の数です。
#
# *Merged tokens: curated terms and noun + suffix words.*

# %%
compounds = tokens[tokens["is_compound"]]
(
    compounds.groupby("word", observed=True)
    .agg(count=("word", "size"), plans=("plan_id", "nunique"))
    .sort_values(["count", "plans"], ascending=False, kind="stable")
    .head(20)
)

# %% [markdown]
# ## 3. 語の頻度：1,000語あたり / Word frequency per 1,000 tokens
#
# 文書の長さが大きく違うため（概要版と抜粋の違いなど）、生の出現回数ではなく **内容語1,000語あたりの回数** で
# 比べます。`stat_dtm` は文書×語の行列（scikit-learn の `CountVectorizer`）を作ります。
# メタ情報（表紙・住所など）のトークンは数えません。
#
# *Counts per 1,000 content tokens, so that a summary and an excerpt compare fairly.*

# %%
dtm = compare.stat_dtm(tokens, by="plan")
counts = pd.DataFrame(
    dtm.counts.toarray(), index=dtm.documents["plan_id"], columns=dtm.terms["term"]
)
per_1000 = counts.div(dtm.documents["n_tokens"].to_numpy(), axis=0) * 1000
dtm.documents[["plan_id", "municipality", "n_tokens"]]

# %% [markdown]
# すべての文書を通じてよく使われる語（文書ごとの1,000語あたり頻度の平均で並べ、同点は語で並べる）：

# %%
frequent = per_1000.T.round(1)
frequent["mean"] = per_1000.mean(axis=0).round(2)
(
    frequent.rename_axis("term")
    .reset_index()
    .sort_values(["mean", "term"], ascending=[False, True], kind="stable")
    .set_index("term")
    .head(20)
)

# %% [markdown]
# ## 4. 専門用語候補：FLR / Term candidates (TermExtract's FLR)
#
# 用語リストにない複合語を見つけるため、隣り合う名詞の連なりを候補とし、中川・森（2003）の
# FLR（出現頻度 × 構成名詞の連接の多さ）で点数を付けます（KH Coder の「複合語の検出」と同じ考え方）。
# `in_dictionary` が False の候補のうち、研究上1語として扱いたいものを用語リストに加えます。
# 自治体名や「本計画」のような語も上位に出るので、機械的に全部を加えてはいけません。
# 文書の少ないコーパスでは、FLR の順位は1文書に多く出る語に左右されます（`n_plans` が1の候補）。
#
# *FLR candidates; add the ones you mean as one word to your own term list.*

# %%
candidates = compare.stat_term_candidates(tokens, top=20)
single = candidates.loc[candidates["n_plans"] == 1, "term"]
say(
    f"上位{len(candidates)}候補のうち{len(single)}語は1文書だけに出る語です"
    + (
        f"（{join_ja((f'「{t}」' for t in single.head(5)), sep='')}など）。"
        if len(single)
        else "。"
    )
)
candidates[["term", "score", "frequency", "n_parts", "in_dictionary", "n_plans", "plans"]]

# %% [markdown]
# ### 自分の用語を加える / Adding your own terms
#
# 例えば上の候補のうち辞書にない上位2語を1語として扱いたければ、`user_terms` に渡します
# （ファイル名でも、リストでも可）。既定では構成する語に分かれて数えられ、加えると1語として数えられます。設定が変わるとキャッシュのキーも変わるので、古い結果が混ざることはありません。
#
# *`user_terms` adds terms; the cache key includes the settings.*

# %%
# Not names of this corpus's municipalities (the comparison vocabulary removes them)
# nor references to the plan itself (本計画).
own_names = (
    catalog["municipality"].astype(str).str.replace(r"(?<=..)[都道府県市区町村]$", "", regex=True)
)
outside = candidates[~candidates["in_dictionary"]]
terms = outside["term"].astype(str)
named = pd.concat([terms.str.contains(name, regex=False) for name in own_names], axis=1)
outside = outside[~(terms.str.startswith(("本", "当")) | named.any(axis=1))]
new_terms = outside["term"].head(2).tolist()
new_terms = new_terms or ["活動団体", "地域社会づくり"]  # no candidate outside the dictionary
say(f"ここで加える語：{join_ja((f'「{t}」' for t in new_terms), sep='')}。")
own_tokenizer = compare.Tokenizer(user_terms=new_terms)
own_tokens = compare.tokenize(segments, own_tokenizer)
parts = tokens.loc[tokens["is_content"], "word"].astype(str)
focus = [*new_terms, *[w for w in dict.fromkeys(parts) if any(w in t for t in new_terms)][:6]]
pd.DataFrame(
    {
        "default": tokens.loc[tokens["is_content"], "word"].value_counts().reindex(focus),
        "with user_terms": own_tokens.loc[own_tokens["is_content"], "word"]
        .value_counts()
        .reindex(focus),
    }
).fillna(0).astype(int)

# %% [markdown]
# ### ストップワードを加える / Adding stop words
#
# どの計画にも多く出る「推進」「取組」のような語は、頻度表や共起ネットワークの上位を占めて、違いを見えにくくします。
# 数えない語（ストップワード）は `stopwords` で指定します。既定の一覧（`DEFAULT_STOPWORDS`）に自分の語を足して渡すと、
# その語は内容語として数えられなくなります（トークン表には残り、`is_content` が False になる）。
# ここでは、すべての計画に出る語のうち最も多い2語を加え、内容語の上位10語がどう変わるかを見ます。
#
# *`stopwords` takes the default list plus your own words; they stay in the table but are not counted.*

# %%
from compare.text.tokenizer import DEFAULT_STOPWORDS

content = tokens[tokens["is_content"]]
in_every_plan = content.groupby("word", observed=True)["plan_id"].nunique()
in_every_plan = in_every_plan[in_every_plan == content["plan_id"].nunique()].index
common = content.loc[content["word"].isin(in_every_plan), "word"].astype(str).value_counts()
extra = common.head(2).index.tolist() or ["推進", "取組"]
say(
    f"すべての計画に出る語で最も多い2語：{join_ja((f'「{w}」' for w in extra), sep='')}。これをストップワードに加えます。"
)
stop_tokenizer = compare.Tokenizer(stopwords=[*sorted(DEFAULT_STOPWORDS), *extra])
stop_tokens = compare.tokenize(segments, stop_tokenizer)
pd.DataFrame(
    {
        "default": tokens.loc[tokens["is_content"], "word"]
        .value_counts()
        .head(10)
        .index.astype(str),
        f"with {'・'.join(extra)} as stop words": stop_tokens.loc[stop_tokens["is_content"], "word"]
        .value_counts()
        .head(10)
        .index.astype(str),
    },
    index=range(1, 11),
)

# %% [markdown]
# **コマンドラインでは / From the command line**：用語は1行1語の UTF-8 ファイルに書き、`--terms` で渡します。
#
# ```sh
# printf '活動団体\n地域社会づくり\n' > my_terms.txt
# compare tokens PLAN_ID --terms my_terms.txt             # 1セグメントごとの数えた語
# compare terms --terms my_terms.txt                      # 用語候補（加えた語は in_dictionary が True に）
# ```
#
# 設定（用語・ストップワード）はトークン表の `attrs["tokenizer"]` と報告書の来歴に記録されます。
#
# *Terms go in a UTF-8 file, one per line, passed with `--terms`; settings are recorded with the tables.*

# %% [markdown]
# ## 5. 比較に使う語彙 / The comparison vocabulary
#
# 計画どうしを比べるとき（特徴語・類似度・対応分析）、そのまま数えると自治体名のような地名や、
# 「市」「区」「市民」「区民」のような自治体の種類を表す語、「計画」「推進」のような計画書の定型語が
# 上位に出て、政策の違いではなく「どこの、どの種類の自治体の文書か」を測ってしまいます。
# そこで比較には `compare.Vocabulary` で定めた語彙を使います（既定値。報告書の「出典・再現情報」に全設定を記録）。
#
# - 品詞（UniDic）：名詞と複合語（登録語を含む）。動詞・形容詞は設定で加えられる。固有名詞・数詞・接頭辞・接尾辞・非自立語は除く。
# - ストップワード：`stopwordsiso` パッケージの日本語リスト（複数の公開リストを統合し保守されているもの）＋形式名詞、
#   さらに計画書の定型語の短いリスト（`boilerplate=None` で外せる）。
# - 地名：カタログの自治体名・都道府県名（「○○市」なら「○○市」と「○○」）を、分かち書きのされ方によらず除く。
# - 統合（比較のときだけ）：市民・区民・町民・村民・住民 → 住民、本市・当区・本町 → 本自治体。市・区・町・村・市内などは除く。
#
# 統合は比較の中だけで行い、トークン表・KWIC・引用は書かれたとおりの語を示します。
#
# *Comparisons count a documented vocabulary; the tokens table keeps the written words.*

# %%
vocabulary = compare.Vocabulary()
compared = vocabulary.compared(tokens)
# Place words of this catalogue: each municipality's own name without 市/区/町/村
# (所沢市 -> 所沢, 川崎市多摩区 -> 多摩).
places = (
    catalog["municipality"]
    .astype(str)
    .str.replace(r"^.+?[市郡](?=.+[区町村]$)", "", regex=True)
    .str.replace(r"(?<=..)[都道府県市区町村]$", "", regex=True)
)
written = set(tokens.loc[tokens["is_content"], "word"].astype(str))
found_places = [name for name in dict.fromkeys(places) if name in written][:2]
focus = ["市民", "区民", "住民", "市", "区", *found_places, "計画", "推進", "見守り"]
pd.DataFrame(
    {
        "tokens (as written)": tokens.loc[tokens["is_content"], "word"]
        .value_counts()
        .reindex(focus),
        "compared": compared.loc[compared["is_content"], "word"].value_counts().reindex(focus),
    }
).fillna(0).astype(int)

# %%
described = vocabulary.describe(tokens)
{key: described[key] for key in ["ストップワード (stop words)", "除いた地名 (place names removed)"]}

# %% [markdown]
# 設定は変えられます。動詞も数える、定型語のリストを外す、自分のストップワードや用語のファイルを加える、など：
#
# ```python
# compare.stat_keyness(tokens, vocabulary=compare.Vocabulary(verbs=True, boilerplate=None))
# compare.stat_keyness(tokens, vocabulary=None)   # 語彙を使わず、解析した語をそのまま数える
# ```
#
# コマンドラインでは `compare report --stopwords FILE --terms FILE --keep-place-names`、
# または設定ファイル（`compare report --settings settings.yaml`）の `vocabulary:` ブロックで：
#
# ```yaml
# vocabulary:
#   verbs: true
#   boilerplate: false
#   extra_stopwords: my_stopwords.txt
# ```

# %%
with_verbs = compare.Vocabulary(verbs=True, boilerplate=None).words(tokens)
pd.Series(with_verbs).value_counts().head(12)

# %% [markdown]
# ## まとめ / Summary
#
# - 数える単位は `word` 列（NFKC、表記ゆれ統一、複合語結合済み）。辞書名とバージョンは表に記録される。
# - 比べるときは1,000語あたりに正規化する。
# - 比較には `compare.Vocabulary` の語彙（地名・自治体の種類の語・定型語を除き、住民などを統合）を使い、その設定を記録する。
# - FLR の候補は出発点であり、用語リストに加えるかどうかは研究者が決める。
# - 自分の用語は `user_terms`（コマンドラインでは `--terms`）、数えない語は `stopwords` で加える。
#
# 次は [03 テーマのコーディング](03_themes.py) です。
