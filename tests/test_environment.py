"""One source of dependencies: environment.yml (Binder) must list pyproject.toml's."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def test_environment_yml_pip_list_is_pyproject_dependencies() -> None:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict) and "pip" in item)
    assert pip == deps, "environment.yml's pip list drifted from pyproject.toml's dependencies"


def test_environment_python_satisfies_requires_python() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    major, minor = (int(x) for x in python.split("=")[1].split(".")[:2])
    floor = project["requires-python"].removeprefix(">=")
    assert (major, minor) >= tuple(int(x) for x in floor.split("."))


def test_binder_installs_the_package_without_other_dependencies() -> None:
    post = (REPO / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post
