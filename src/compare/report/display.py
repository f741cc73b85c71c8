"""How the notebooks show tables and warnings: readable Japanese, notes instead of stderr.

:func:`setup_notebook` is called once at the top of each notebook.  It styles
every pandas table of the notebook (text left-aligned, long Japanese text
wrapped instead of cut into one long line, tabs shown as column gaps rather
than as ``\\t``) and shows warnings as a short note in the output instead of
a red standard-error box, with temporary folders left out of the message.
Outside IPython it does nothing.
"""

from __future__ import annotations

import html
import re
import tempfile
import warnings
from typing import Any

import pandas as pd

#: Style of every table in a notebook's output (JupyterLab and the HTML copies).
TABLE_CSS = """\
<style>
.jp-RenderedHTMLCommon table.dataframe td, .jp-RenderedHTMLCommon table.dataframe th,
table.dataframe td, table.dataframe th {
  text-align: left; vertical-align: top; white-space: pre-wrap; max-width: 36em;
}
</style>"""

#: Style of a note (a warning shown on purpose).
NOTE_STYLE = (
    "border-left: 4px solid #4a7ab5; background: #eef3fa; padding: .4em .8em; margin: .3em 0"
)


def note_html(message: str, category: str = "") -> str:
    """HTML of a note: the message, escaped, with its kind (e.g. ``ThemeWarning``)."""
    kind = f" ({html.escape(category)})" if category else ""
    return (
        f'<div class="compare-note" style="{NOTE_STYLE}">'
        f"<b>注 / Note{kind}:</b> {html.escape(short_paths(message))}</div>"
    )


def short_paths(message: str) -> str:
    """The message with files in the temporary folder named by their file name only."""
    root = re.escape(tempfile.gettempdir().rstrip("/\\"))
    return re.sub(rf"{root}[/\\][^\s:'\"]*[/\\]([^\s:/\\'\"]+)", r"\1", message)


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells show tabs as a wide space and line breaks as " / ".

    pandas shows a tab or a line break inside a cell as ``\\t`` / ``\\n``; text
    extracted from PDF tables is full of tabs.  Only text columns are touched
    (categorical ones keep their categories); the frame itself is not changed.
    """
    out = frame.copy(deep=False)
    text = [
        column
        for column, dtype in out.dtypes.items()
        if not isinstance(dtype, pd.CategoricalDtype)
        and (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype))
    ]
    for column in text:
        values = out[column]
        if values.map(lambda v: isinstance(v, str) and ("\t" in v or "\n" in v)).any():
            out[column] = values.map(_readable_text)
    return out


def _readable_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\t", "\u3000").replace("\n", " / ")
    return value


def setup_notebook() -> None:
    """Style the tables and show warnings as notes in the running notebook (IPython only)."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - IPython comes with the notebook extra
        return
    if get_ipython() is None:
        return
    display(HTML(TABLE_CSS))
    html_formatter = get_ipython().display_formatter.formatters["text/html"]
    html_formatter.for_type(pd.DataFrame, lambda frame: readable(frame)._repr_html_())

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        display(HTML(note_html(str(message), category.__name__)))

    warnings.showwarning = show


#: Style of a sentence written from the data (a finding about the corpus at hand).
FINDING_STYLE = "border-left: 4px solid #6a9a5b; padding: .2em .8em; margin: .3em 0"


def finding_html(text: str) -> str:
    """HTML of a sentence written from the data, escaped."""
    return f'<p class="compare-finding" style="{FINDING_STYLE}">{html.escape(text)}</p>'


def say(*sentences: str) -> None:
    """Show sentences written from the data as one paragraph of the cell's output.

    A notebook's Markdown explains the method and holds for every corpus;
    what holds only for the corpus at hand (which plans, how many, of which
    kind) is written by code from the tables, so that it stays true when the
    suite runs on another catalogue.  Outside IPython the text is printed.
    """
    text = "".join(sentences)
    shown = _ipython_display()
    if shown is None:
        print(text)
    else:
        shown(finding_html(text))


def show_note(message: str, category: str = "") -> None:
    """Show a note (e.g. why a step is skipped on this corpus); printed outside IPython."""
    shown = _ipython_display()
    if shown is None:
        print(f"注 / Note: {message}")
    else:
        shown(note_html(message, category))


def _ipython_display() -> Any:
    """A function displaying HTML in the running notebook, or None outside IPython."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - IPython comes with the notebook extra
        return None
    if get_ipython() is None:
        return None
    return lambda markup: display(HTML(markup))


def join_ja(items: Any, empty: str = "なし", sep: str = "・") -> str:
    """Items joined with ``sep`` (「・」) in first-seen order, or ``empty`` when there are none."""
    unique = list(dict.fromkeys(str(item) for item in items))
    return sep.join(unique) if unique else empty


def plan_label(table: pd.DataFrame, plan_id: str) -> str:
    """A plan's name for a sentence, as the report and the figures name it.

    ``table`` is any table with ``plan_id`` and the catalogue columns
    (``municipality``, ``author``, ``edition`` …): the names come from
    :func:`compare.plot.labels.plan_names` over its plans, so two editions or
    a city's plan and its 社協's are told apart the same way everywhere.
    An id not in ``table`` is returned as it is.
    """
    from compare.plot.labels import plan_names

    rows = table.drop_duplicates("plan_id").reset_index(drop=True)
    names = dict(zip(rows["plan_id"].astype(str), plan_names(rows), strict=True))
    return names.get(str(plan_id), str(plan_id))
