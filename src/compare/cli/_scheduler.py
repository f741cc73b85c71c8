"""``--scheduler dask://HOST:PORT``: the per-plan work of a command on a Dask cluster.

Shared by ``compare run`` and ``compare report`` so both parse the address,
connect and fail the same way (a clear message, no traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Iterator
from typing import Any

from compare.errors import CompareError

#: ``dask://HOST:PORT`` (Dask's own ``tcp://``/``tls://`` also accepted).
_SCHEDULER = re.compile(r"^(?:(dask|tcp|tls)://)?(\[[0-9A-Fa-f:.]+\]|[^\s/:\[\]]+):(\d{1,5})$")


def add_scheduler_options(parser: argparse.ArgumentParser, *, also: str = "") -> None:
    """Add ``--scheduler`` and ``--scheduler-timeout``; ``also`` ends the help of the first."""
    parser.add_argument(
        "--scheduler",
        metavar="dask://HOST:PORT",
        help=(
            "run each plan as a task on the Dask cluster whose scheduler listens at HOST:PORT "
            "(needs the cluster extra: pip install 'compare[cluster]'); its workers must reach "
            f"the plan files and the cache folder by the same paths {also}".rstrip()
        ),
    )
    parser.add_argument(
        "--scheduler-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="give up connecting to the scheduler after SECONDS (default 10)",
    )


def scheduler_address(text: str) -> str:
    """The Dask address (``tcp://HOST:PORT``) of a ``dask://HOST:PORT`` option value."""
    match = _SCHEDULER.match(text.strip())
    if not match or not 0 < int(match.group(3)) < 65536:
        raise CompareError(
            f"--scheduler {text!r} is not a scheduler address; write dask://HOST:PORT, "
            "e.g. dask://10.0.0.5:8786 (the address `dask scheduler` prints)"
        )
    scheme, host, port = match.groups()
    return f"{'tcp' if scheme in (None, 'dask') else scheme}://{host}:{port}"


@contextlib.contextmanager
def dask_client(scheduler: str | None, timeout: float) -> Iterator[Any]:
    """A ``distributed.Client`` connected to ``scheduler`` (None: no client), closed afterwards."""
    if scheduler is None:
        yield None
        return
    address = scheduler_address(scheduler)
    if not timeout > 0:
        raise CompareError(
            f"--scheduler-timeout must be a positive number of seconds, not {timeout}"
        )
    try:
        from distributed import Client
    except ImportError:
        raise CompareError(
            "--scheduler needs the Dask distributed package: pip install 'compare[cluster]' "
            "(or pip install distributed)"
        ) from None
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise CompareError(
            f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({exc}); "
            "check that `dask scheduler` runs there and the port is open, or raise "
            "--scheduler-timeout"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise CompareError(
                f"the Dask scheduler at {scheduler} has no workers after {timeout:g} s; start "
                f"some with `dask worker {address}`"
            ) from None
        yield client
    finally:
        client.close()
