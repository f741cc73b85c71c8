"""A second small corpus, made from the development corpus's real excerpts.

The notebook suite is written on the bundled five plans; this corpus checks
that it also runs on plans it was not written for: other municipalities,
short web summaries and PDF extracts, a 社会福祉協議会 plan and plan types
outside the three 地域福祉 kinds (``other:…``).  The texts are copied into a
folder of the caller's and catalogued there with the metadata of
``corpus-dev/sources.csv``; the shared folder is only read.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

#: The shared development corpus, beside the project (as in CI), or where
#: ``COMPARE_CORPUS_DEV`` says.
CORPUS_DEV = Path(
    os.environ.get(
        "COMPARE_CORPUS_DEV", Path(__file__).resolve().parents[2] / "shared" / "corpus-dev"
    )
)

#: Excerpts of the second corpus: municipal plans, three 社協 plans (two with
#: goal headings, so that goals can be aligned), a 重層的支援体制整備事業実施計画
#: and a prefectural 社協 plan (``other:`` plan types), and a text in which no
#: heading is recognised.
PLANS = (
    "fuchu-hiroshima-2",
    "kuji-2-midterm",
    "kashiba",
    "hikawa-4",
    "takatsuki-jusou",
    "shakyo-kusu-4",
    "shakyo-minokamo",
    "shakyo-kanagawa-pref",
    "shakyo-ono-5",
)

#: sources.csv's ``kind`` -> the catalogue's ``doc_kind``.
DOC_KINDS = {"web-summary": "summary", "pdf-extract": "excerpt", "table": "excerpt"}

COLUMNS = (
    "plan_id",
    "path",
    "municipality",
    "prefecture",
    "author",
    "plan_type",
    "title",
    "edition",
    "doc_kind",
    "identification",
)


def available() -> bool:
    """True when the development corpus is beside the project."""
    return (CORPUS_DEV / "sources.csv").is_file()


def make_second_corpus(folder: Path, plans: tuple[str, ...] = PLANS) -> Path:
    """Copy the excerpts into ``folder/texts`` and write ``folder/catalog.csv``; return it."""
    with (CORPUS_DEV / "sources.csv").open(encoding="utf-8") as handle:
        sources = {row["id"]: row for row in csv.DictReader(handle)}
    (folder / "texts").mkdir(parents=True, exist_ok=True)
    rows = []
    for plan_id in plans:
        source = sources[plan_id]
        shutil.copyfile(
            CORPUS_DEV / "texts" / f"{plan_id}.txt", folder / "texts" / f"{plan_id}.txt"
        )
        rows.append(
            {
                "plan_id": plan_id,
                "path": f"texts/{plan_id}.txt",
                "municipality": source["municipality"],
                "prefecture": source["prefecture"],
                "author": source["author"],
                "plan_type": source["plan_type"],
                "title": source["title"],
                "edition": source["edition"],
                "doc_kind": DOC_KINDS.get(source["kind"], "excerpt"),
                "identification": "development corpus excerpt (corpus-dev/sources.csv)",
            }
        )
    catalog = folder / "catalog.csv"
    with catalog.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return catalog
