"""Generate a synthetic corpus of plan texts for scale tests: N files and a catalogue.

Run from the repository root::

    python bench/make_corpus.py OUT_DIR [--chars 10M] [--plans N] [--seed 0]

The plans are made from the bundled five plans, so the structure parser, the
tokenizer and the theme coder meet realistic text:

* heading titles come from the bundled headings (their markers removed) and
  are numbered in a style chosen per plan (第N章 over ``1`` / ``１．`` /
  ``基本目標N`` / ``Ⅰ`` / ``◆…◆`` / ``【…】`` / ``■`` over ``(1)`` /
  ``（１）`` / ``①`` / ``ア`` / ``●``), with full-width digits in some plans;
* paragraphs, list items and table rows are new sentences recombined from
  the clauses of the bundled paragraphs (so no two plans repeat each other),
  sprinkled with local names (地区, 自治会, サロン) taken from the place names
  of UniDic's lexicon (名詞,固有名詞,地名);
* the vocabulary grows with the corpus as real text does: the common nouns of
  the clauses are slots, and across the whole corpus new nouns drawn from
  UniDic's lexicon (名詞,普通名詞) enter them so that the number of distinct
  ones follows Heaps' law ``V = K * n**beta`` with the exponent measured on
  the bundled plans and the corpus-dev excerpts (:data:`HEAPS_BETA`); a slot
  otherwise keeps its noun or repeats one that entered earlier (a rich-get-
  richer draw, so word frequencies stay Zipf-like);
* some plans have PDF-style line wraps in the middle of sentences, and a
  publisher's address block (``meta``);
* plan lengths vary (log-normal around the mean size), as do authors
  (市町村 and 社会福祉協議会), editions and document kinds;
* files are written in UTF-8 (some with a BOM), CP932 or EUC-JP, some with
  CRLF line ends (a text that an encoding cannot represent falls back to UTF-8).

Municipalities are taken from a small list of real names with their
全国地方公共団体コード (check digit computed); with more plans than names, a
municipality gets several editions and a 社協 plan.  The same ``--seed``,
``--chars`` and ``--plans`` give the same files byte for byte.  Sizes accept
suffixes: ``1M`` = 1,000,000 characters, ``500k``.

``--report`` measures, on the real texts (the bundled plans, plus every
``*.txt`` of the folders given with ``--real``) and on the generated corpus,
the number of content-word tokens, distinct lines, clauses and content words,
and the fitted Heaps exponent of each (content words of
:meth:`compare.Tokenizer.words`).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds scripts named like standard modules (tokenize.py); keep them off the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import csv  # noqa: E402
import functools  # noqa: E402
import hashlib  # noqa: E402
import math  # noqa: E402
import mmap  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import struct  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from compare.io.catalog import COLUMNS, municipality_check_digit  # noqa: E402

#: (name, prefecture, 5-digit code without the check digit).
MUNICIPALITIES: tuple[tuple[str, str, str], ...] = (
    ("札幌市", "北海道", "01100"),
    ("函館市", "北海道", "01202"),
    ("青森市", "青森県", "02201"),
    ("盛岡市", "岩手県", "03201"),
    ("仙台市", "宮城県", "04100"),
    ("秋田市", "秋田県", "05201"),
    ("山形市", "山形県", "06201"),
    ("福島市", "福島県", "07201"),
    ("水戸市", "茨城県", "08201"),
    ("宇都宮市", "栃木県", "09201"),
    ("前橋市", "群馬県", "10201"),
    ("所沢市", "埼玉県", "11208"),
    ("千葉市", "千葉県", "12100"),
    ("墨田区", "東京都", "13107"),
    ("八王子市", "東京都", "13201"),
    ("横浜市", "神奈川県", "14100"),
    ("小田原市", "神奈川県", "14206"),
    ("新潟市", "新潟県", "15100"),
    ("富山市", "富山県", "16201"),
    ("金沢市", "石川県", "17201"),
    ("福井市", "福井県", "18201"),
    ("甲府市", "山梨県", "19201"),
    ("長野市", "長野県", "20201"),
    ("岐阜市", "岐阜県", "21201"),
    ("静岡市", "静岡県", "22100"),
    ("名古屋市", "愛知県", "23100"),
    ("津市", "三重県", "24201"),
    ("大津市", "滋賀県", "25201"),
    ("京都市", "京都府", "26100"),
    ("大阪市", "大阪府", "27100"),
    ("神戸市", "兵庫県", "28100"),
    ("奈良市", "奈良県", "29201"),
    ("和歌山市", "和歌山県", "30201"),
    ("鳥取市", "鳥取県", "31201"),
    ("松江市", "島根県", "32201"),
    ("岡山市", "岡山県", "33100"),
    ("広島市", "広島県", "34100"),
    ("下関市", "山口県", "35201"),
    ("徳島市", "徳島県", "36201"),
    ("高松市", "香川県", "37201"),
    ("松山市", "愛媛県", "38201"),
    ("高知市", "高知県", "39201"),
    ("福岡市", "福岡県", "40130"),
    ("佐賀市", "佐賀県", "41201"),
    ("長崎市", "長崎県", "42201"),
    ("熊本市", "熊本県", "43100"),
    ("大分市", "大分県", "44201"),
    ("宮崎市", "宮崎県", "45201"),
    ("鹿児島市", "鹿児島県", "46201"),
    ("那覇市", "沖縄県", "47201"),
)

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "data" / "catalog.csv"

#: Heaps' law of the slot nouns: after ``n`` slots, ``HEAPS_K * n**HEAPS_BETA`` new nouns.
#: Calibrated so that the generated text's content words (Tokenizer.words) follow the
#: real curve: ``--report --real corpus-dev/texts`` measured beta 0.639 (K 4.59) on the
#: bundled plans plus the 26 corpus-dev excerpts (31,571 characters, 6,613 content-word
#: tokens) and beta 0.644 on 1M generated characters (seed 0).  The slot exponent is
#: above the target because the seed clauses' own vocabulary saturates.
HEAPS_BETA = 0.78
HEAPS_K = 1.2
#: Share of non-innovating slots that repeat a noun that entered earlier.
REPEAT = 0.35

NAME_KANA = "アイカキクサシスタチツナニヌハヒフマミムヤユラリルワンガギグザジダバビパピプ"
NAME_SUFFIXES = ("地区", "町内会", "自治会", "ふれあいサロン", "団地", "学区", "まちづくり協議会")

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
KATAKANA = "アイウエオカキクケコサシスセソ"
LETTERS = "ABCDEFGHIJ"

#: Level-2 heading styles: (format, numbered).
LEVEL2 = (
    "{n}　{t}",
    "{n}．{t}",
    "{n}. {t}",
    "基本目標{n}　{t}",
    "{roman}　{t}",
    "◆ {t} ◆",
    "【{t}】",
    "■{t}",
    "{letter} {t}",
)
#: Level-3 heading styles.
LEVEL3 = ("({n}){t}", "（{n}）{t}", "{circled}　{t}", "{kana}　{t}", "● {t}", "◎{t}")

_MARKER = re.compile(
    r"^(第[0-9０-９]+章|基本(目標|方針|施策)[0-9０-９ⅠⅡⅢⅣⅤIVX]*|[0-9０-９]+[.．]?|[（(][0-9０-９]+[）)]"
    r"|[①-⑳]|[ア-オ]|[ⅠⅡⅢⅣⅤ]|[A-J](?=\s)|[◆●■◎]|【)\s*"
)


@dataclass(frozen=True)
class Material:
    """What plans are recombined from.

    ``templates`` are the clauses cut into pieces: strings stay as they are,
    one-element tuples are common-noun slots holding the clause's own noun.
    """

    chapters: list[str]
    titles: list[str]
    clauses: list[str]
    cells: list[str]
    templates: list[list[str | tuple[str]]]
    nouns: list[str]
    places: list[str]


_NOUN = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u30a1-\u30f6][\u30a1-\u30fc]{2,7}")
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,3}")


@functools.lru_cache(maxsize=1)
def load_lexicon() -> tuple[list[str], list[str]]:
    """Common nouns and place names of UniDic's lexicon (unidic-lite's ``sys.dic``).

    The feature strings of a compiled MeCab dictionary are stored, NUL
    separated, after its header (ten 32-bit fields and the charset name), the
    double array and the token table; the spelling (orth) is their ninth
    field.  Only words every generated encoding can write are kept (kanji of
    2-4 characters or katakana of 3-8), sorted so the list is the same on
    every machine with the same dictionary.
    """
    import unidic_lite

    path = os.path.join(unidic_lite.DICDIR, "sys.dic")
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        fields = struct.unpack("<10I", data[:40])
        dsize, tsize, fsize = fields[6], fields[7], fields[8]
        start = 72 + dsize + tsize
        features = data[start : start + fsize]
    nouns: set[str] = set()
    places: set[str] = set()
    record = re.compile("\0(名詞,(?:普通名詞,一般|固有名詞,地名),[^\0]*)".encode())
    for match in record.finditer(features):
        fields = match.group(1).decode().split(",")
        if len(fields) < 9:
            continue
        orth = fields[8]
        if fields[1] == "普通名詞":
            if _NOUN.fullmatch(orth) and _encodable(orth):
                nouns.add(orth)
        elif _PLACE.fullmatch(orth) and _encodable(orth):
            places.add(orth)
    return sorted(nouns), sorted(places)


def _encodable(text: str) -> bool:
    try:
        text.encode("cp932")
        text.encode("euc_jp")
    except UnicodeEncodeError:
        return False
    return True


def clause_templates(clauses: list[str]) -> list[list[str | tuple[str]]]:
    """Each clause as pieces, its common nouns (名詞,普通名詞) as slots."""
    import fugashi
    import unidic_lite

    tagger = fugashi.Tagger(f"-d {unidic_lite.DICDIR} -r {unidic_lite.DICDIR}/mecabrc")
    templates: list[list[str | tuple[str]]] = []
    for clause in clauses:
        pieces: list[str | tuple[str]] = []
        for node in tagger(clause):
            if node.white_space:
                pieces.append(node.white_space)
            feature = node.feature
            if feature.pos1 == "名詞" and feature.pos2 == "普通名詞" and len(node.surface) >= 2:
                pieces.append((node.surface,))
            else:
                pieces.append(node.surface)
        templates.append(pieces)
    return templates


class Growth:
    """The corpus-wide vocabulary of slot nouns, growing by Heaps' law.

    After ``n`` slots, ``K * n**beta`` distinct new nouns have entered: a slot
    takes the next unused lexicon noun whenever the count falls behind that
    curve; otherwise it repeats a noun that entered earlier (chance
    ``repeat``, drawn over earlier occurrences, so frequent words get more
    frequent) or keeps the clause's own noun.
    """

    def __init__(
        self,
        lexicon: list[str],
        rng: random.Random,
        k: float = HEAPS_K,
        beta: float = HEAPS_BETA,
        repeat: float = REPEAT,
    ) -> None:
        self.lexicon = list(lexicon)
        rng.shuffle(self.lexicon)
        self.k, self.beta, self.repeat = k, beta, repeat
        self.slots = 0
        self.entered = 0
        self.occurrences: list[str] = []

    def fill(self, own: str, rng: random.Random) -> str:
        self.slots += 1
        if self.entered < len(self.lexicon) and self.entered < self.k * self.slots**self.beta:
            word = self.lexicon[self.entered]
            self.entered += 1
        elif self.occurrences and rng.random() < self.repeat:
            word = rng.choice(self.occurrences)
        else:
            return own
        self.occurrences.append(word)
        return word


def parse_size(text: str) -> int:
    """``"1M"`` -> 1_000_000, ``"500k"`` -> 500_000, ``"2e6"`` -> 2_000_000."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    factor = 1
    if text and text[-1] in "kmg":
        factor = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}[text[-1]]
        text = text[:-1]
    return int(float(text) * factor)


def load_material(catalog: Path = CATALOG) -> Material:
    """Heading titles, clauses and table cells of the bundled plans."""
    from compare import read_corpus
    from compare.errors import CompareWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        segments = read_corpus(catalog)
    titles: list[str] = []
    chapters: list[str] = []
    heads = segments[segments["kind"] == "heading"]
    for text, level in zip(heads["text"], heads["level"], strict=True):
        title = _strip_marker(str(text))
        if 3 <= len(title) <= 40:
            (chapters if level == 1 else titles).append(title)
    clauses: set[str] = set()
    cells: set[str] = set()
    body = segments[segments["kind"].isin(["paragraph", "list_item", "table_row"])]
    for kind, text in zip(body["kind"], body["text"], strict=True):
        text = re.sub(r"<[^>]*>", " ", str(text))
        if kind == "table_row":
            cells.update(c.strip() for c in text.split("\t") if 2 <= len(c.strip()) <= 30)
            continue
        text = re.sub(r"^[・\-\s]+", "", text.replace("\n", ""))
        for clause in re.split(r"[。、]+", text):
            clause = clause.strip()
            if 4 <= len(clause) <= 80:
                clauses.add(clause)
    nouns, places = load_lexicon()
    ordered = sorted(clauses)
    return Material(
        sorted(set(chapters)),
        sorted(set(titles)),
        ordered,
        sorted(cells),
        clause_templates(ordered),
        nouns,
        places,
    )


def _strip_marker(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _MARKER.sub("", text).strip(" 　◆】")
    return text


class PlanWriter:
    """Writes one plan's text from the material with a random generator."""

    def __init__(
        self, material: Material, rng: random.Random, municipality: str, growth: Growth
    ) -> None:
        self.m = material
        self.rng = rng
        self.growth = growth
        self.municipality = municipality
        self.fullwidth = rng.random() < 0.4
        self.wrap = rng.choice((0, 0, 34, 38, 40))
        self.level2 = rng.choice(LEVEL2)
        self.level3 = rng.choice(LEVEL3)
        self.names = [self._name() for _ in range(rng.randint(4, 12))]

    def _name(self) -> str:
        if self.rng.random() < 0.3:  # katakana names: words the dictionary does not know
            length = self.rng.randint(3, 5)
            return "".join(self.rng.choice(NAME_KANA) for _ in range(length))
        return self.rng.choice(self.m.places)

    def _digits(self, n: int) -> str:
        text = str(n)
        return text.translate(FULLWIDTH) if self.fullwidth else text

    def _heading(self, style: str, n: int, title: str) -> str:
        return style.format(
            n=self._digits(n),
            t=title,
            roman=ROMAN[(n - 1) % len(ROMAN)],
            circled=CIRCLED[(n - 1) % len(CIRCLED)],
            kana=KATAKANA[(n - 1) % len(KATAKANA)],
            letter=LETTERS[(n - 1) % len(LETTERS)],
        )

    def _clause(self) -> str:
        rng = self.rng
        template = rng.choice(self.m.templates)
        clause = "".join(
            piece if isinstance(piece, str) else self.growth.fill(piece[0], rng)
            for piece in template
        )
        if rng.random() < 0.15:
            place = rng.choice(self.names) + rng.choice(NAME_SUFFIXES)
            clause = f"{place}では{clause}" if rng.random() < 0.5 else f"{clause}（{place}）"
        elif rng.random() < 0.05:
            clause = f"{self.municipality}の{clause}"
        return clause

    def _sentence(self) -> str:
        return "、".join(self._clause() for _ in range(self.rng.randint(1, 4))) + "。"

    def _paragraph(self) -> str:
        text = "".join(self._sentence() for _ in range(self.rng.randint(1, 4)))
        if self.wrap and len(text) > self.wrap:
            lines = [text[k : k + self.wrap] for k in range(0, len(text), self.wrap)]
            return "\n".join(lines)
        return "　" + text if self.rng.random() < 0.5 else text

    def _block(self) -> list[str]:
        """A body block: a paragraph, a few list items or a few table rows."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.7:
            return [self._paragraph(), ""]
        if roll < 0.9:
            bullet = rng.choice(("・", "- ・", "○", "○ "))
            items = [bullet + self._sentence() for _ in range(rng.randint(2, 5))]
            return [*items, ""]
        width = rng.randint(2, 4)
        rows = [
            "\t".join(rng.choice(self.m.cells) for _ in range(width))
            for _ in range(rng.randint(2, 6))
        ]
        return [*rows, ""]

    def write(self, title: str, target: int) -> str:
        """A plan of about ``target`` characters."""
        rng = self.rng
        lines = [title, "", f"{self.municipality}", ""]
        size = sum(len(x) + 1 for x in lines)
        chapter = 0
        while size < target:
            chapter += 1
            block = [f"第{self._digits(chapter)}章　{rng.choice(self.m.chapters)}", ""]
            for n2 in range(1, rng.randint(2, 5) + 1):
                block += [self._heading(self.level2, n2, rng.choice(self.m.titles)), ""]
                for _ in range(rng.randint(0, 2)):
                    block += self._block()
                for n3 in range(1, rng.randint(0, 4) + 1):
                    block += [self._heading(self.level3, n3, rng.choice(self.m.titles)), ""]
                    for _ in range(rng.randint(1, 4)):
                        block += self._block()
            lines += block
            size += sum(len(x) + 1 for x in block)
        if rng.random() < 0.5:
            lines += [
                f"発行　{self.municipality} 福祉部 福祉総務課",
                f"〒{rng.randint(100, 999)}-{rng.randint(1000, 9999):04d}　{self.municipality}"
                f"{rng.choice(self.names)}町{self._digits(rng.randint(1, 9))}番地",
                f"電話 0{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            ]
        return "\n".join(lines) + "\n"


def plan_rows(n_plans: int, rng: random.Random) -> list[dict[str, str]]:
    """Catalogue rows (without path and sha256) of ``n_plans`` plans."""
    rows = []
    editions: dict[tuple[str, str], int] = {}
    for index in range(n_plans):
        name, prefecture, code5 = MUNICIPALITIES[index % len(MUNICIPALITIES)]
        shakyo = (index // len(MUNICIPALITIES)) % 3 == 1
        author = "社会福祉協議会" if shakyo else "自治体"
        plan_type = "地域福祉活動計画" if shakyo else "地域福祉計画"
        edition = editions[(name, author)] = editions.get((name, author), rng.randint(1, 3)) + 1
        ed_text = f"第{edition}期" if shakyo else f"第{edition}次"
        start = rng.choice(range(2005, 2025))
        kind = rng.choices(("full", "summary", "draft", "excerpt"), (6, 2, 1, 1))[0]
        suffix = {"full": "", "summary": " 概要版", "draft": "（案）", "excerpt": " 抜粋"}[kind]
        writer = f"{name}社会福祉協議会 " if shakyo else ""
        rows.append(
            {
                "plan_id": f"p{index:05d}-{code5}-{'s' if shakyo else 'c'}{edition}",
                "municipality": name,
                "prefecture": prefecture,
                "municipality_code": code5 + str(municipality_check_digit(code5)),
                "author": author,
                "plan_type": plan_type,
                "title": f"{ed_text} {writer}{name}{plan_type}{suffix}",
                "edition": ed_text,
                "fiscal_year_start": str(start),
                "fiscal_year_end": str(start + rng.choice((4, 5, 5, 6))),
                "published": f"{start - 1}-03",
                "doc_kind": kind,
                "identification": "synthetic: generated by bench/make_corpus.py",
                "notes": "",
            }
        )
    return rows


def encode(text: str, rng: random.Random) -> tuple[bytes, str]:
    """Bytes of ``text`` in a randomly chosen encoding and line end (UTF-8 if it must)."""
    if rng.random() < 0.15:
        text = text.replace("\n", "\r\n")
    encoding = rng.choices(("utf-8", "utf-8-sig", "cp932", "euc_jp"), (70, 5, 15, 10))[0]
    try:
        return text.encode(encoding), encoding
    except UnicodeEncodeError:
        return text.encode("utf-8"), "utf-8"


def make_corpus(
    out: str | Path,
    chars: int = 1_000_000,
    plans: int | None = None,
    seed: int = 0,
    *,
    progress: bool = False,
) -> Path:
    """Write about ``chars`` characters of plans and ``catalog.csv`` into ``out``.

    Returns the catalogue path.  ``plans`` defaults to one plan per 100,000
    characters (a typical full plan), at least 5.
    """
    out = Path(out)
    n_plans = plans if plans is not None else max(5, round(chars / 100_000))
    material = load_material()
    rng = random.Random(f"make_corpus:{seed}")
    rows = plan_rows(n_plans, rng)
    growth = Growth(material.nouns, random.Random(f"make_corpus:{seed}:lexicon"))
    # Log-normal sizes (sigma 0.5) scaled to the total.
    weights = [math.exp(rng.gauss(0.0, 0.5)) for _ in range(n_plans)]
    scale = chars / sum(weights)
    (out / "plans").mkdir(parents=True, exist_ok=True)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_plans, unit="plan", desc="make_corpus", file=sys.stderr)
    for index, (row, weight) in enumerate(zip(rows, weights, strict=True)):
        plan_rng = random.Random(f"make_corpus:{seed}:{index}")
        writer = PlanWriter(material, plan_rng, row["municipality"], growth)
        text = writer.write(row["title"], max(500, int(weight * scale)))
        data, encoding = encode(text, plan_rng)
        relative = f"plans/{row['plan_id']}.txt"
        (out / relative).write_bytes(data)
        row["path"] = relative
        row["sha256"] = hashlib.sha256(data).hexdigest()
        row["notes"] = f"encoding {encoding}; {len(text):,} characters"
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    catalog = out / "catalog.csv"
    with open(catalog, "w", encoding="utf-8", newline="") as handle:
        writer_csv = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer_csv.writeheader()
        writer_csv.writerows(rows)
    return catalog


# --------------------------------------------------------------------------- measuring


def real_texts(folders: list[Path]) -> list[tuple[str, str]]:
    """(name, text) of the bundled plans and of every ``*.txt`` in ``folders``."""
    files = sorted((ROOT / "data" / "plans").glob("*.txt"))
    for folder in folders:
        files += sorted(Path(folder).glob("*.txt"))
    return [(f.name, f.read_text(encoding="utf-8-sig")) for f in files]


def generated_texts(catalog: Path) -> list[tuple[str, str]]:
    """(plan id, text) of a generated corpus, decoded as its catalogue notes say."""
    with open(catalog, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = []
    for row in rows:
        encoding = row["notes"].split(";")[0].removeprefix("encoding ")
        data = (catalog.parent / row["path"]).read_bytes()
        texts.append((row["plan_id"], data.decode(encoding).replace("\r\n", "\n")))
    return texts


def heaps_fit(counts: list[int], distinct: list[int]) -> tuple[float, float]:
    """``(K, beta)`` of ``V = K * N**beta``: least squares in log-log space."""
    import numpy as np

    slope, intercept = np.polyfit(np.log(counts), np.log(distinct), 1)
    return float(math.exp(intercept)), float(slope)


def heaps_curve(words: list[str], start: int = 200, points: int = 40) -> list[tuple[int, int]]:
    """``(N, V)`` at geometrically spaced token counts from ``start`` to the end."""
    if len(words) <= start:
        return []
    marks = sorted({round(start * (len(words) / start) ** (i / points)) for i in range(points + 1)})
    seen: set[str] = set()
    curve = []
    position = 0
    for mark in marks:
        seen.update(words[position:mark])
        position = mark
        curve.append((mark, len(seen)))
    return curve


def describe(texts: list[tuple[str, str]], up_to: int | None = None) -> dict:
    """Sizes, distinct lines and clauses, content words and Heaps' law of ``texts``.

    ``up_to`` also fits the curve on the first ``up_to`` tokens only (to compare
    with a smaller corpus over the same range).
    """
    from compare import Tokenizer

    tokenizer = Tokenizer()
    words: list[str] = []
    lines: list[str] = []
    clauses: list[str] = []
    for _, text in texts:
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            lines.append(line)
            clauses += [c for c in re.split(r"[。、]+", line) if c.strip()]
            words += tokenizer.words(line)
    curve = heaps_curve(words)
    k, beta = heaps_fit(*zip(*curve, strict=True))
    figures = {
        "chars": sum(len(t) for _, t in texts),
        "lines": len(lines),
        "distinct_lines": len(set(lines)),
        "clauses": len(clauses),
        "distinct_clauses": len(set(clauses)),
        "tokens": len(words),
        "vocabulary": len(set(words)),
        "K": k,
        "beta": beta,
    }
    if up_to is not None:
        head = [(n, v) for n, v in curve if n <= up_to]
        figures["beta_same_range"] = heaps_fit(*zip(*head, strict=True))[1]
        figures["vocabulary_same_range"] = len(set(words[:up_to]))
    return figures


def print_report(real: dict, generated: dict) -> None:
    print(
        f"{'':<11}{'chars':>11}{'lines':>10}{'distinct':>9}{'clauses':>10}{'distinct':>9}"
        f"{'tokens':>11}{'vocab':>9}{'K':>7}{'beta':>7}"
    )
    for name, f in (("real", real), ("generated", generated)):
        print(
            f"{name:<11}{f['chars']:>11,}{f['lines']:>10,}"
            f"{f['distinct_lines'] / f['lines']:>9.0%}{f['clauses']:>10,}"
            f"{f['distinct_clauses'] / f['clauses']:>9.0%}{f['tokens']:>11,}"
            f"{f['vocabulary']:>9,}{f['K']:>7.2f}{f['beta']:>7.3f}"
        )
    if "beta_same_range" in generated:
        print(
            f"generated over the real corpus' range (first {real['tokens']:,} tokens): "
            f"vocabulary {generated['vocabulary_same_range']:,} (real {real['vocabulary']:,}), "
            f"beta {generated['beta_same_range']:.3f} (real {real['beta']:.3f})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder to write plans/ and catalog.csv into")
    parser.add_argument("--chars", default="1M", help="total characters (default 1M)")
    parser.add_argument("--plans", type=int, help="number of plans (default chars / 100k)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--report", action="store_true", help="compare real and generated text (see above)"
    )
    parser.add_argument(
        "--real", type=Path, action="append", default=[], help="more real *.txt folders"
    )
    args = parser.parse_args(argv)
    catalog = make_corpus(args.out, parse_size(args.chars), args.plans, args.seed, progress=True)
    print(catalog)
    if args.report:
        real = describe(real_texts(args.real))
        print_report(real, describe(generated_texts(catalog), up_to=real["tokens"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
