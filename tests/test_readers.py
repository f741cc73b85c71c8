"""Reading plan text files: encodings, line ends and bad input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import read_text
from compare.errors import InputFileError
from tests.conftest import SEED_FILES

ENCODINGS = ["utf-8", "utf-8-sig", "cp932", "euc_jp", "euc_jis_2004", "utf-16", "iso2022_jp"]


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _seed_encodings() -> list[tuple[Path, str]]:
    """Every (seed, encoding) pair where the encoding can represent the seed."""
    return [
        (seed, encoding)
        for seed in SEED_FILES
        for encoding in ENCODINGS
        if _encodable(seed.read_text(encoding="utf-8"), encoding)
    ]


@pytest.mark.parametrize(
    ("seed", "encoding"), _seed_encodings(), ids=lambda v: v.stem if isinstance(v, Path) else v
)
def test_seed_in_other_encodings_reads_back_identical(tmp_path: Path, seed: Path, encoding: str):
    original = seed.read_text(encoding="utf-8")
    path = tmp_path / f"{seed.stem}.{encoding}.txt"
    path.write_bytes(original.encode(encoding))
    source = read_text(path)
    assert source.text == original


@pytest.mark.parametrize(
    ("encoding", "recorded"),
    [
        ("utf-8", "utf-8-sig"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp932", "cp932"),
        ("euc_jp", "euc_jp"),
        ("utf-16", "utf-16"),
        ("iso2022_jp", "iso2022_jp"),
    ],
)
def test_encoding_used_is_recorded(tmp_path: Path, encoding: str, recorded: str):
    path = tmp_path / "plan.txt"
    path.write_bytes("第２次地域福祉計画　基本目標１\n".encode(encoding))
    assert read_text(path).encoding == recorded


@pytest.mark.parametrize(
    ("seed", "encoding"),
    [
        ("tama-6", "cp932"),
        ("tama-6", "euc_jp"),
        ("sumida", "cp932"),
        ("shimonoseki", "euc_jis_2004"),
    ],
)
def test_required_encodings_are_covered_by_real_seeds(tmp_path: Path, seed: str, encoding: str):
    # Guards the skip above: each encoding the issue names is exercised on real text.
    original = (Path(SEED_FILES[0]).parent / f"{seed}.txt").read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_bytes(original.encode(encoding))
    assert read_text(path).text == original


def test_utf8_bom_is_removed_and_recorded(tmp_path: Path):
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + "基本理念\n".encode())
    source = read_text(path)
    assert source.text == "基本理念\n"
    assert source.encoding == "utf-8-sig"


def test_cp932_keeps_fullwidth_tilde(tmp_path: Path):
    # The plain shift_jis codec would turn ～ (U+FF5E) into 〜 (U+301C).
    path = tmp_path / "tilde.txt"
    path.write_bytes("～互いの顔が見える～\n".encode("cp932"))
    assert read_text(path).text == "～互いの顔が見える～\n"


@pytest.mark.parametrize(("newline", "name"), [("\r\n", "crlf"), ("\r", "cr"), ("\n", "lf")])
def test_line_ends_are_normalised_and_lines_keep_their_numbers(
    tmp_path: Path, newline: str, name: str
):
    lines = ["第1章 総論", "", "本文です。", "\x0cページ送りのある行"]
    path = tmp_path / f"{name}.txt"
    path.write_bytes(newline.join(lines).encode("utf-8"))
    source = read_text(path)
    assert source.lines == lines
    assert source.newline == newline


def test_sha256_is_of_the_file_bytes(tmp_path: Path):
    import hashlib

    path = tmp_path / "a.txt"
    path.write_bytes("地域福祉\r\n".encode("cp932"))
    assert read_text(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"  \n\n\t ", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        (bytes(range(1, 32)) * 40, "binary file"),
        (b"\xff\xfe\xfa\xfb" * 3 + b"\x81", "cannot decode"),
    ],
    ids=["zero-bytes", "whitespace", "png", "control-chars", "undecodable"],
)
def test_bad_files_get_a_clear_error_naming_the_file(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as info:
        read_text(path)
    assert "bad.txt" in str(info.value)
    assert path.read_bytes() == content  # never modified


def test_missing_file_and_directory(tmp_path: Path):
    with pytest.raises(InputFileError, match="file not found"):
        read_text(tmp_path / "nope.txt")
    with pytest.raises(InputFileError, match="not a regular file"):
        read_text(tmp_path)


def test_undecodable_message_names_the_line(tmp_path: Path):
    path = tmp_path / "mixed.txt"
    body = "地域福祉を推進するためには、区民一人ひとりが取り組むことが必要です。\n"
    damaged = body.encode()[:10] + b"\xff" + body.encode()[10:]
    path.write_bytes(body.encode() * 2 + damaged + body.encode() * 20)
    with pytest.raises(InputFileError, match="line 3"):
        read_text(path)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1))
def test_any_utf8_text_reads_back(tmp_path_factory, text: str):
    if not text.strip():
        return
    path = tmp_path_factory.mktemp("u") / "t.txt"
    path.write_bytes(text.encode("utf-8"))
    source = read_text(path)
    assert source.text == text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=2000))
def test_random_bytes_decode_or_fail_cleanly(tmp_path_factory, data: bytes):
    path = tmp_path_factory.mktemp("b") / "t.bin"
    path.write_bytes(data)
    try:
        source = read_text(path)
    except InputFileError as exc:
        assert "t.bin" in str(exc)
    else:
        assert isinstance(source.text, str)
        assert "\r" not in source.text
