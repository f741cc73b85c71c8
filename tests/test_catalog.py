"""The catalogue: bundled corpus, validation of user catalogues, CLI."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from compare import read_catalog, read_corpus
from compare.cli import main
from compare.errors import CatalogError, CatalogWarning
from compare.io.catalog import (
    COLUMNS,
    example_ids,
    is_valid_municipality_code,
    plan_file,
    plan_type_status,
)
from tests.conftest import DATA

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_bundled_catalog_lists_five_plans_in_order():
    catalog = read_catalog()
    assert list(catalog.columns) == list(COLUMNS)
    assert list(catalog["plan_id"]) == [
        "sumida",
        "tama-6",
        "tokorozawa-2",
        "odawara-shakyo-4",
        "shimonoseki",
    ]
    assert set(catalog["municipality"]) == {
        "墨田区",
        "川崎市多摩区",
        "所沢市",
        "小田原市",
        "下関市",
    }
    odawara = catalog.set_index("plan_id").loc["odawara-shakyo-4"]
    assert (odawara["author"], odawara["plan_type"]) == ("社会福祉協議会", "地域福祉活動計画")


def test_bundled_catalog_records_how_sumida_was_identified():
    sumida = read_catalog().set_index("plan_id").loc["sumida"]
    assert "probable" in sumida["identification"]
    assert "プラットフォーム" in sumida["notes"] and "協治" in sumida["notes"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds not beside the project")
def test_bundled_plans_are_byte_copies_of_the_seeds():
    copies = sorted((DATA / "plans").glob("*.txt"), key=lambda p: p.read_bytes())
    seeds = sorted(SEEDS.glob("*.txt"), key=lambda p: p.read_bytes())
    assert [p.read_bytes() for p in copies] == [p.read_bytes() for p in seeds]


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("131075", True),  # 墨田区
        ("141356", True),  # 川崎市多摩区
        ("112089", True),  # 所沢市
        ("142069", True),  # 小田原市
        ("352012", True),  # 下関市
        ("011002", True),  # 札幌市
        ("131016", True),  # 千代田区
        ("281000", True),  # 神戸市: remainder 1 gives check digit 0
        ("141500", True),  # 相模原市: remainder 1 gives check digit 0
        ("440001", True),  # 大分県: remainder 0 gives check digit 1
        ("440000", False),
        ("131074", False),
        ("13107", False),
        ("13107X", False),
    ],
)
def test_municipality_code_check_digit(code: str, valid: bool):
    assert is_valid_municipality_code(code) is valid


def test_bundled_catalog_codes_are_valid():
    assert all(is_valid_municipality_code(c) for c in read_catalog()["municipality_code"])


def _write_catalog(
    folder: Path, rows: list[dict[str, str]], columns: list[str] | None = None
) -> Path:
    columns = columns or list(COLUMNS)
    path = folder / "catalog.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def user_corpus(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    """A copy of the bundled corpus in a user folder, with its own catalogue."""
    shutil.copytree(DATA / "plans", tmp_path / "texts")
    rows = read_catalog().to_dict(orient="records")
    for row in rows:
        row["path"] = row["path"].replace("plans/", "texts/")
    return tmp_path, rows


def test_user_catalog_with_relative_paths_works(user_corpus):
    folder, rows = user_corpus
    catalog = read_catalog(_write_catalog(folder, rows))
    assert len(catalog) == 5
    assert catalog.attrs["root"] == str(folder.resolve())


def test_optional_columns_may_be_absent(user_corpus):
    folder, rows = user_corpus
    columns = ["plan_id", "path", "municipality", "author", "plan_type", "doc_kind"]
    catalog = read_catalog(_write_catalog(folder, rows, columns))
    assert list(catalog.columns) == list(COLUMNS)
    assert set(catalog["sha256"]) == {""}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda rows: rows[1].update(plan_id="sumida"),
            r"line 3: duplicate plan_id 'sumida' \(first used on line 2\)",
        ),
        (lambda rows: rows[0].update(plan_id=""), "line 2: plan_id is empty"),
        (lambda rows: rows[0].update(plan_id="墨田"), "line 2: plan_id '墨田' may use only"),
        (
            lambda rows: rows[2].update(municipality_code="112088"),
            "line 4: municipality_code '112088' is not a valid",
        ),
        (
            lambda rows: rows[0].update(path="texts/missing.txt"),
            "line 2: plan 'sumida': file 'texts/missing.txt' not found",
        ),
        (
            lambda rows: rows[4].update(doc_kind="chapter"),
            "line 6: doc_kind 'chapter' is not one of",
        ),
        (lambda rows: rows[3].update(author="社協"), "line 5: author '社協' is not one of"),
        (
            lambda rows: rows[0].update(fiscal_year_start="H28"),
            "line 2: fiscal_year_start 'H28' must be a year",
        ),
        (lambda rows: rows[0].update(sha256="abc"), "line 2: sha256 'abc' is not a 64-digit"),
    ],
    ids=[
        "duplicate",
        "empty-id",
        "non-ascii-id",
        "bad-code",
        "missing-file",
        "doc-kind",
        "author",
        "year",
        "sha",
    ],
)
def test_bad_rows_name_the_line_and_the_problem(user_corpus, change, message):
    folder, rows = user_corpus
    change(rows)
    path = _write_catalog(folder, rows)
    before = path.read_bytes()
    with pytest.raises(CatalogError, match=message):
        read_catalog(path)
    assert path.read_bytes() == before


def test_missing_column_is_reported(user_corpus):
    folder, rows = user_corpus
    columns = [c for c in COLUMNS if c != "municipality"]
    with pytest.raises(CatalogError, match=r"line 1: missing column.*municipality"):
        read_catalog(_write_catalog(folder, rows, columns))


def test_sha256_mismatch_warns_that_the_file_changed(user_corpus):
    folder, rows = user_corpus
    path = _write_catalog(folder, rows)
    plan = folder / "texts" / "tama-6.txt"
    plan.write_bytes(plan.read_bytes() + "追記\n".encode())
    with pytest.warns(
        CatalogWarning, match="line 3: plan 'tama-6'.*changed since it was catalogued"
    ):
        read_catalog(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "catalogue is empty"),
        (b"plan_id,path,municipality,author,plan_type,doc_kind\n", "no plans"),
    ],
)
def test_empty_catalogues(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "catalog.csv"
    path.write_bytes(content)
    with pytest.raises(CatalogError, match=message):
        read_catalog(path)


def test_cli_prints_the_catalogue(capsys):
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    assert "odawara-shakyo-4" in out and "社会福祉協議会" in out


def test_cli_json_has_every_column(capsys):
    assert main(["catalog", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records[0]["plan_id"] == "sumida"
    assert set(records[0]) == set(COLUMNS)


def test_cli_bad_catalogue_exits_non_zero_without_traceback(user_corpus, capsys):
    folder, rows = user_corpus
    rows[1]["plan_id"] = rows[0]["plan_id"]
    path = _write_catalog(folder, rows)
    assert main(["catalog", "--catalog", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "duplicate plan_id" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- plan types

CORPUS_DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus-dev"


@pytest.mark.parametrize(
    "plan_type",
    [
        "地域福祉計画・地域福祉活動計画",
        "重層的支援体制整備事業実施計画",
        "成年後見制度利用促進計画",
        "再犯防止推進計画",
        "保健福祉計画",
        "地域福祉計画・成年後見制度利用促進計画・再犯防止推進計画",
    ],
)
def test_plan_types_of_real_corpora_are_accepted_silently(user_corpus, plan_type, recwarn):
    folder, rows = user_corpus
    rows[0]["plan_type"] = plan_type
    catalog = read_catalog(_write_catalog(folder, rows))
    assert catalog.loc[0, "plan_type"] == plan_type
    assert not [w for w in recwarn if issubclass(w.category, CatalogWarning)]


@pytest.mark.parametrize("plan_type", ["other", "other:保健福祉総合計画(地域福祉計画を包含)"])
def test_other_plan_type_is_reported_not_refused(user_corpus, plan_type):
    folder, rows = user_corpus
    rows[2]["plan_type"] = plan_type
    with pytest.warns(CatalogWarning, match=r"line 4: plan 'tokorozawa-2' has plan_type 'other"):
        catalog = read_catalog(_write_catalog(folder, rows))
    assert catalog.loc[2, "plan_type"] == plan_type


@pytest.mark.parametrize("plan_type", ["高齢者福祉計画", "地域福祉計画・高齢者福祉計画", "Other:X"])
def test_unknown_plan_type_says_how_to_escape(user_corpus, plan_type):
    folder, rows = user_corpus
    rows[1]["plan_type"] = plan_type
    with pytest.raises(CatalogError, match=rf"line 3: plan_type '{plan_type}'.*other:{plan_type}"):
        read_catalog(_write_catalog(folder, rows))


@pytest.mark.skipif(not CORPUS_DEV.is_dir(), reason="shared corpus-dev not beside the project")
def test_every_plan_type_of_the_development_corpus_is_readable():
    with (CORPUS_DEV / "sources.csv").open(encoding="utf-8") as handle:
        types = {row["plan_type"] for row in csv.DictReader(handle)}
    assert {plan_type_status(t) for t in types} <= {"listed", "joint", "other"}
    assert "other" in {plan_type_status(t) for t in types}


# --------------------------------------------------------------------------- several catalogues


def _own_catalog(folder: Path, plan_id: str = "mine-1", source: str = "tama-6.txt") -> Path:
    """A one-plan catalogue in its own folder (paths relative to it)."""
    own = folder / "own"
    (own / "texts").mkdir(parents=True)
    shutil.copyfile(DATA / "plans" / source, own / "texts" / "mine.txt")
    path = own / "catalog.csv"
    path.write_text(
        "plan_id,path,municipality,author,plan_type,doc_kind,title\n"
        f"{plan_id},texts/mine.txt,〇〇市,自治体,地域福祉計画,full,自分の計画\n",
        encoding="utf-8",
    )
    return path


def test_several_catalogues_read_as_one_corpus_with_all_metadata(tmp_path: Path):
    own = _own_catalog(tmp_path)
    combined = read_catalog([None, own])
    bundled = read_catalog()
    assert list(combined["plan_id"]) == [*bundled["plan_id"], "mine-1"]
    pd.testing.assert_frame_equal(combined.iloc[:5], bundled, check_names=True)
    assert combined.loc[5, "title"] == "自分の計画"
    assert plan_file(combined, "mine-1") == own.resolve().parent / "texts" / "mine.txt"
    assert plan_file(combined, "sumida") == (DATA / "plans" / "sumida.txt").resolve()
    segments = read_corpus(combined)
    assert list(segments["plan_id"].unique()) == list(combined["plan_id"])
    assert str(own) in combined.attrs["catalog_path"]
    assert len(combined.attrs["catalogs"]) == 2


def test_duplicate_plan_id_across_catalogues_names_both_rows(tmp_path: Path):
    own = _own_catalog(tmp_path, plan_id="tama-6")
    with pytest.raises(CatalogError) as error:
        read_catalog([None, own])
    message = str(error.value)
    assert "duplicate plan_id 'tama-6'" in message
    assert f"{DATA / 'catalog.csv'}: line 3" in message and f"{own}: line 2" in message


def test_same_file_under_two_ids_is_reported(tmp_path: Path):
    own = _own_catalog(tmp_path)
    digest = read_catalog().loc[1, "sha256"]
    text = own.read_text(encoding="utf-8").splitlines()
    own.write_text(f"{text[0]},sha256\n{text[1]},{digest}\n", encoding="utf-8")
    with pytest.warns(CatalogWarning, match=r"plan 'mine-1' is the same file .* line 3"):
        read_catalog([None, own])


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("source_url", "javascript:alert(1)", "source_url .* http"),
        ("source_url", "www.example.jp/plan.pdf", "source_url .* http"),
        ("retrieved", "2024/05/01", "retrieved .* YYYY-MM-DD"),
        ("retrieved", "2024-13-01", "retrieved .* YYYY-MM-DD"),
    ],
)
def test_a_bad_source_address_or_date_names_the_line(tmp_path, column, value, message):
    catalog = read_catalog()
    catalog.loc[0, column] = value
    path = tmp_path / "catalog.csv"
    catalog.assign(path=[str(DATA / p) for p in catalog["path"]]).to_csv(path, index=False)
    with pytest.raises(CatalogError, match=rf"line 2: {message}"):
        read_catalog(path)


def test_source_address_and_retrieval_date_are_read(tmp_path):
    catalog = read_catalog()
    catalog.loc[0, "source_url"] = "https://www.city.example.jp/fukushi/plan.pdf"
    catalog.loc[0, "retrieved"] = "2024-05-01"
    path = tmp_path / "catalog.csv"
    catalog.assign(path=[str(DATA / p) for p in catalog["path"]]).to_csv(path, index=False)
    read = read_catalog(path)
    assert read.loc[0, "source_url"] == "https://www.city.example.jp/fukushi/plan.pdf"
    assert read.loc[0, "retrieved"] == "2024-05-01"
    assert read.loc[1, "source_url"] == read.loc[1, "retrieved"] == ""


@pytest.mark.parametrize(
    ("available", "preferred", "expected"),
    [
        (["sumida", "tama-6", "x"], ["sumida", "tama-6"], ["sumida", "tama-6"]),
        (["a", "b", "c"], ["sumida", "tokorozawa-2"], ["a", "b"]),
        (["a", "tama-6"], ["sumida", "tama-6", "odawara"], ["a", "tama-6", "a"]),
        (["a"], ["sumida", "tama-6"], ["a", "a"]),
        ([], ["sumida"], []),
    ],
)
def test_example_ids_keep_named_plans_and_stand_in_for_missing_ones(available, preferred, expected):
    assert example_ids(available, preferred) == expected


def test_plans_option_keeps_catalogue_order_and_metadata():
    catalog = read_catalog(plans=["shimonoseki", "tama-6"])
    assert list(catalog["plan_id"]) == ["tama-6", "shimonoseki"]
    assert catalog.attrs["catalog_sha256"] == read_catalog().attrs["catalog_sha256"]
    assert read_catalog(catalog) is catalog  # a catalogue already read passes through
    with pytest.raises(CatalogError, match="no plan nagoya; the catalogue has: sumida"):
        read_catalog(plans=["tama-6", "nagoya"])
