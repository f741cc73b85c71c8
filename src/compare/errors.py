"""Error and warning hierarchy.

Every error a user can cause (a bad file, a bad catalogue row, a bad rule)
is a :class:`CompareError`.  The command line prints its message without a
traceback and exits non-zero; anything else is a bug and keeps its traceback.
Messages name the file, line or row and say what to do next.
"""

from __future__ import annotations


class CompareError(Exception):
    """Base class of errors caused by user input."""


class InputFileError(CompareError):
    """A source file is missing, empty, binary or cannot be decoded."""


class CatalogError(CompareError):
    """A catalogue file or one of its rows is invalid."""


class CompareWarning(UserWarning):
    """Base class of warnings about suspicious but usable input."""


class InputFileWarning(CompareWarning):
    """A source file was read, but its text may be incomplete or out of order."""


class CatalogWarning(CompareWarning):
    """A catalogue row is usable but suspicious (e.g. its file changed)."""


class SegmentationWarning(CompareWarning):
    """The structure parser found something suspicious (e.g. no headings)."""


class TokenizerError(CompareError):
    """Tokenizer settings or a user term file are invalid."""


class ThemeError(CompareError):
    """A theme catalogue or one of its rules is invalid."""


class ThemeWarning(CompareWarning):
    """A theme rule is suspicious (e.g. a term that matches nothing)."""


class AnalysisError(CompareError):
    """An analysis cannot run on the given input (too few plans, empty matrix, …)."""


class ReportError(CompareError):
    """A report cannot be written (bad output directory, …)."""


class NotebookError(CompareError):
    """A notebook of the suite cannot run or failed (naming the notebook and cell)."""
