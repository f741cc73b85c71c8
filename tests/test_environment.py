"""environment.yml and pyproject.toml must ask for the same packages."""

from __future__ import annotations

import re

import tomllib
import yaml

from tests.conftest import ROOT

_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _normalise(requirement: str) -> tuple[str, str]:
    match = _REQ.match(requirement)
    assert match, f"unparsable requirement {requirement!r}"
    name, spec = match.groups()
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return dict(_normalise(r) for r in requirements)


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    requirements: list[str] = []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip = item["pip"]
            assert "-e ." in pip, "environment.yml must install this package with pip install -e ."
            requirements.extend(r for r in pip if not r.startswith("-e"))
        else:
            requirements.append(item)
    found = dict(_normalise(r) for r in requirements)
    for tool in ("python", "pip"):
        found.pop(tool, None)
    return found


def test_environment_and_pyproject_list_the_same_packages_and_versions():
    assert _environment_requirements() == _pyproject_requirements()
