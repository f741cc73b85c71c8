"""Progress on standard error: a tqdm bar that a stage advances through a callback."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress_callback(
    total: int, show: bool, *, unit: str, desc: str
) -> Callable[[int | None], None]:
    """A callback that advances a tqdm bar of ``total`` ``unit`` by its argument and
    closes it when called with None; it does nothing when ``show`` is false (and tqdm
    is then not imported), so a stage calls it the same way either way."""
    if not show:
        return lambda step: None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit=unit, unit_scale=True, desc=desc, file=sys.stderr)

    def advance(step: int | None) -> None:
        if step is None:
            bar.close()
        else:
            bar.update(step)

    return advance
