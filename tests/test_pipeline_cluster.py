"""The pipeline on a Dask cluster gives the local route's files byte for byte and shares its cache.

A local cluster of two worker processes (one thread each) stands in for a
real one: the tasks are pickled, shipped to other processes and their
outcomes shipped back exactly as across machines.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from compare import read_catalog
from compare.cli import main
from compare.cli._scheduler import scheduler_address
from compare.errors import CompareError, InputFileError
from compare.pipeline import run_pipeline
from tests.conftest import assert_same_report

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]

#: Provenance entries that say how a run went, not what it found.
_RUN_ENTRIES = ("timings", "n_jobs", "scheduler")


def _make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "bench" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module
    spec.loader.exec_module(module)
    return module.make_corpus


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    return _make_corpus()(folder, chars=60_000, plans=6, seed=5)


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _assert_same_files(first: Path, second: Path) -> None:
    """Every result file equal byte for byte; provenance equal but for how the run went."""
    one, two = _files(first), _files(second)
    assert sorted(one) == sorted(two)
    assert {"plans.csv", "themes.csv", "quotes.csv", "dtm.npz", "terms.csv"} <= set(one)
    for name in one:
        if name != "provenance.json":
            assert one[name] == two[name], name
    prov_one, prov_two = (
        {k: v for k, v in json.loads(blob).items() if k not in _RUN_ENTRIES}
        for blob in (one["provenance.json"], two["provenance.json"])
    )
    assert prov_one == prov_two


def test_bundled_corpus_on_the_cluster_equals_one_local_worker(client, tmp_path):
    """Real text: the five bundled plans give the same result files on both routes."""
    local = run_pipeline(n_jobs=1, cache=False, progress=False)
    local.write(tmp_path / "local")
    with distributed.get_task_stream(client) as stream:
        remote = run_pipeline(cache=False, progress=False, client=client)
    remote.write(tmp_path / "dask")
    _assert_same_files(tmp_path / "local", tmp_path / "dask")
    assert remote.provenance["scheduler"] == client.scheduler.address
    assert remote.provenance["n_jobs"] == 2
    assert local.provenance["scheduler"] == ""
    assert remote.plans["plan_id"].tolist() == read_catalog()["plan_id"].tolist()
    plan_tasks = [t for t in stream.data if "_remote_task" in str(t["key"])]
    assert len(plan_tasks) == 5
    assert len({t["worker"] for t in plan_tasks}) == 2  # both workers took plans


def test_generated_corpus_on_the_cluster_equals_local_pools(client, generated, tmp_path):
    for name, kwargs in (
        ("one", {"n_jobs": 1}),
        ("two", {"n_jobs": 2}),
        ("dask", {"client": client}),
    ):
        run_pipeline(generated, cache=False, progress=False, **kwargs).write(tmp_path / name)
    _assert_same_files(tmp_path / "one", tmp_path / "dask")
    _assert_same_files(tmp_path / "two", tmp_path / "dask")


def test_cache_is_shared_between_the_local_pool_and_the_cluster(client, generated, tmp_path):
    cache = tmp_path / "cache"
    cold = run_pipeline(generated, n_jobs=2, cache_dir=cache, progress=False)
    assert set(cold.plans["cached"]) == {""}
    warm = run_pipeline(generated, cache_dir=cache, progress=False, client=client)
    assert set(warm.plans["cached"]) == {"result"}  # finished counts the local pool stored
    own = {"safety": "防災 or 避難 or section:防災", "link": "seq(地域-連携)[3] or 連携 >= 2"}
    retold = run_pipeline(generated, own, cache_dir=cache, progress=False, client=client)
    assert set(retold.plans["cached"]) == {"tokens"}  # analysed words reused, themes recoded
    back = run_pipeline(generated, own, n_jobs=1, cache_dir=cache, progress=False)
    assert set(back.plans["cached"]) == {"result"}  # counts the cluster stored
    fresh = run_pipeline(generated, own, n_jobs=1, cache=False, progress=False)
    for result in (retold, back):
        result.write(tmp_path / "cached")
        fresh.write(tmp_path / "fresh")
        for name in ("themes.csv", "quotes.csv", "dtm.npz", "terms.csv", "documents.csv"):
            assert (tmp_path / "cached" / name).read_bytes() == (
                tmp_path / "fresh" / name
            ).read_bytes(), name


def test_a_plan_that_fails_on_a_worker_is_named(client, tmp_path):
    catalog = read_catalog()
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02" * 100)
    catalog.loc[1, "path"] = str(broken)
    plan_id = catalog.loc[1, "plan_id"]
    with pytest.raises(InputFileError, match=rf"{plan_id}.*broken\.txt.*binary"):
        run_pipeline(catalog, cache=False, progress=False, client=client)


def test_something_else_as_client_is_refused():
    with pytest.raises(CompareError, match=r"distributed\.Client"):
        run_pipeline(cache=False, progress=False, client="tcp://127.0.0.1:8786")


def test_cli_run_on_the_scheduler_writes_the_local_files(client, tmp_path, capsys):
    address = client.scheduler.address.replace("tcp://", "dask://")
    common = ["run", "--quiet", "--no-cache"]
    assert main([*common, "--jobs", "1", "--out", str(tmp_path / "local")]) == 0
    assert main([*common, "--scheduler", address, "--out", str(tmp_path / "dask")]) == 0
    assert "5 plans" in capsys.readouterr().out
    _assert_same_files(tmp_path / "local", tmp_path / "dask")


def test_cli_report_on_the_scheduler_writes_the_local_report(
    client, generated, tmp_path, monkeypatch, capsys
):
    """`compare report --scheduler` runs the pipeline on the cluster (its tasks reach the
    workers) and writes the report the local route writes, file for file."""
    common = ["report", "--catalog", str(generated), "--date", "2025-01-01", "--quiet"]
    common += ["--group-by", "municipality", "--text-plans", "2"]
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "local-cache"))
    assert main([*common, "--out", str(tmp_path / "local")]) == 0
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "dask-cache"))
    address = client.scheduler.address.replace("tcp://", "dask://")
    with distributed.get_task_stream(client) as stream:
        assert main([*common, "--scheduler", address, "--out", str(tmp_path / "dask")]) == 0
    assert any("_remote_task" in str(task["key"]) for task in stream.data)
    assert_same_report(tmp_path / "local", tmp_path / "dask")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("dask://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("scheduler.example.org:8786", "tcp://scheduler.example.org:8786"),
        ("tls://node-1:8786", "tls://node-1:8786"),
        ("dask://[::1]:8786", "tcp://[::1]:8786"),
    ],
)
def test_scheduler_addresses(text, address):
    assert scheduler_address(text) == address


@pytest.mark.parametrize(
    "text", ["dask://10.0.0.5", "http://10.0.0.5:8786", "dask://:8786", "dask://host:99999", ""]
)
def test_malformed_scheduler_address_is_refused(text):
    with pytest.raises(CompareError, match="dask://HOST:PORT"):
        scheduler_address(text)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command_name", ["run", "report"])
def test_unreachable_scheduler_is_a_clear_error_without_traceback(tmp_path, command_name):
    address = f"dask://127.0.0.1:{_closed_port()}"
    command = [sys.executable, "-c", "from compare.cli import run; run()"]
    args = [command_name, "--quiet", "--scheduler", address, "--scheduler-timeout", "1"]
    done = subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 2
    assert f"error: cannot reach the Dask scheduler at {address} within 1 s" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("command_name", ["run", "report"])
def test_scheduler_without_workers_is_a_clear_error(tmp_path, capsys, command_name):
    with distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        args = [command_name, "--quiet", "--scheduler", address, "--scheduler-timeout", "1"]
        if command_name == "report":
            args += ["--out", str(tmp_path / "report")]
        assert main(args) == 2
        assert not (tmp_path / "report").exists()
    assert f"error: the Dask scheduler at {address} has no workers after 1 s" in (
        capsys.readouterr().err
    )
