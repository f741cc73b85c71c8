"""Options shared by the commands that compare plans: the comparison vocabulary.

``--stopwords FILE``, ``--terms FILE``, ``--keep-place-names`` and
``--settings YAML`` (whose ``vocabulary:`` block holds any
:class:`compare.Vocabulary` setting) build the vocabulary that keyness,
similarity and the report count; the options win over the settings file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from compare.errors import CompareError

#: Top-level keys a settings file may have.
SETTINGS_KEYS = ("vocabulary",)

#: Vocabulary settings that name a file (read relative to the settings file).
_PATH_SETTINGS = ("stopwords", "boilerplate", "extra_stopwords", "terms")


def add_vocabulary_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--stopwords``, ``--terms``, ``--keep-place-names`` and ``--settings``."""
    group = parser.add_argument_group("comparison vocabulary")
    group.add_argument(
        "--stopwords",
        metavar="FILE",
        help="more words never compared, one per line (UTF-8; added to the stop-word lists)",
    )
    group.add_argument(
        "--terms",
        metavar="FILE",
        help="your own terms, one per line: kept whole by the tokenizer and always compared",
    )
    group.add_argument(
        "--keep-place-names",
        action="store_true",
        help="keep the names of the catalogued municipalities and prefectures in comparisons",
    )
    group.add_argument(
        "--settings",
        metavar="YAML",
        help="settings file; its 'vocabulary:' block sets any Vocabulary setting "
        "(verbs, adjectives, stopwords, boilerplate, extra_stopwords, terms, "
        "keep_place_names, names, fold)",
    )


def read_settings(path: str | Path) -> dict[str, Any]:
    """The settings of a YAML file, checked (the error names the file)."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CompareError(f"settings file {path} does not exist") from None
    except UnicodeDecodeError:
        raise CompareError(f"settings file {path} is not UTF-8; save it as UTF-8") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise CompareError(
            f"{where}: not valid YAML ({getattr(error, 'problem', error)})"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CompareError(f"{path}: the settings must be a mapping such as 'vocabulary: ...'")
    unknown = [str(k) for k in data if k not in SETTINGS_KEYS]
    if unknown:
        raise CompareError(
            f"{path}: unknown setting(s) {', '.join(map(repr, unknown))}; "
            f"valid: {', '.join(SETTINGS_KEYS)}"
        )
    block = data.get("vocabulary")
    if isinstance(block, dict):
        block = dict(block)
        for key in _PATH_SETTINGS:
            value = block.get(key)
            if isinstance(value, str) and value != "default":
                block[key] = str((path.parent / value).resolve())
        data["vocabulary"] = block
    return data


def vocabulary_from_args(args: argparse.Namespace) -> Any:
    """The :class:`compare.Vocabulary` of the command line (settings file, then options)."""
    from compare.text.vocabulary import Vocabulary

    settings: dict[str, Any] = {}
    where = "settings"
    if getattr(args, "settings", None):
        settings = read_settings(args.settings)
        where = str(args.settings)
    vocabulary = Vocabulary.from_settings(settings.get("vocabulary"), where=where)
    if getattr(args, "stopwords", None):
        _check_file(args.stopwords, "--stopwords")
        vocabulary.set_params(extra_stopwords=args.stopwords)
    if getattr(args, "terms", None):
        _check_file(args.terms, "--terms")
        vocabulary.set_params(terms=args.terms)
    if getattr(args, "keep_place_names", False):
        vocabulary.set_params(place_names=False)
    vocabulary.describe()  # resolve now: a bad list fails before any plan is read
    return vocabulary


def _check_file(path: str, option: str) -> None:
    if not Path(path).is_file():
        raise CompareError(f"{option} {path}: no such file")
