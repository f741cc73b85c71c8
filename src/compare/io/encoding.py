"""Decode the bytes of a Japanese text file, recording the encoding used.

Japanese plan texts arrive as UTF-8 (with or without BOM), CP932 (Windows
"Shift_JIS") or EUC-JP.  We try strict decodes in a fixed order and fall back
to chardet only when none fits.  ``euc_jis_2004`` follows ``euc_jp`` because
it is a superset (it has characters such as ``↗`` that plain EUC-JP lacks).
The plain ``shift_jis`` codec is never used: it cannot represent characters
such as ``～`` that CP932 files contain.  Plain text and HTML files share it.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import chardet

from compare.errors import InputFileError

#: Strict decodes tried in order before chardet is consulted.
ENCODINGS = ("utf-8-sig", "euc_jp", "euc_jis_2004", "cp932")

#: chardet guesses below this confidence are not trusted.
CHARDET_MIN_CONFIDENCE = 0.9

_HIGH_BYTES = bytes(range(0x80, 0x100))

#: Control characters that mark binary data: C0 except newline, carriage return,
#: tab, form feed and vertical tab; and C1.
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x80-\x9f]")


def decode_bytes(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode Japanese text bytes; return ``(encoding, text)``.

    Order: UTF-16 with a BOM, ISO-2022-JP (7-bit JIS, recognised by its
    escape sequences), then strict ``utf-8-sig``, ``euc_jp``, ``euc_jis_2004``,
    ``cp932``, and chardet as a last resort.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", path)
    if b"\x00" in data[:8192]:
        raise InputFileError(
            f"{path}: looks like a binary file (contains NUL bytes), not a plan text; "
            "convert it to text first"
        )
    if b"\x1b$B" in data or b"\x1b$@" in data:
        return _strict(data, "iso2022_jp", path)
    if _is_broken_utf8(data):
        raise InputFileError(_undecodable_message(data, path))
    for encoding in ENCODINGS:
        try:
            return encoding, _check_text(data.decode(encoding), path)
        except UnicodeDecodeError:
            continue
    return _chardet_fallback(data, path)


def _is_broken_utf8(data: bytes) -> bool:
    """True for UTF-8 text with a few corrupt bytes.

    CP932 assigns characters to almost every byte, so without this check a
    UTF-8 file with one damaged byte would "decode" as CP932 mojibake.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return False
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    bad = data.decode("utf-8", errors="replace").count("\ufffd")
    # A UTF-8 character of Japanese text takes three high bytes.
    return high > 0 and bad * 3 < 0.1 * high


def _strict(data: bytes, encoding: str, path: str | Path) -> tuple[str, str]:
    try:
        return encoding, _check_text(data.decode(encoding), path)
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: cannot decode as {encoding}: {exc.reason}") from exc


def _chardet_fallback(data: bytes, path: str | Path) -> tuple[str, str]:
    guess = chardet.detect(data)
    encoding = guess.get("encoding")
    confidence = guess.get("confidence") or 0.0
    if encoding and confidence >= CHARDET_MIN_CONFIDENCE:
        try:
            return encoding.lower(), _check_text(data.decode(encoding), path)
        except (UnicodeDecodeError, LookupError):
            pass
    raise InputFileError(_undecodable_message(data, path))


def _undecodable_message(data: bytes, path: str | Path) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = f"line {line}, byte {exc.start}"
    else:  # pragma: no cover - utf-8 would have succeeded earlier
        where = "unknown position"
    return (
        f"{path}: cannot decode the text ({where}): it is not UTF-8, EUC-JP or CP932; "
        "re-save it as UTF-8"
    )


def _check_text(text: str, path: str | Path) -> str:
    """Reject decodes that produce mostly control characters (binary data)."""
    sample = text[:8192]
    controls = len(_BINARY_CONTROLS.findall(sample))
    if sample and controls / len(sample) > 0.05:
        raise InputFileError(
            f"{path}: looks like a binary file ({controls} control characters in the first "
            f"{len(sample)}), not a plan text"
        )
    return text
