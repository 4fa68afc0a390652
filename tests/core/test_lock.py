"""The lock files (requirements.txt, requirements-dev.txt) that scripts/serve, scripts/test, the
container and CI install from agree with pyproject.toml: every declared dependency is pinned to a
version its range allows, with hashes, and the runtime lock is the dev lock's runtime part."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;]+)", re.MULTILINE)


def pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    found = {canonicalize_name(package): version for package, version in PIN.findall(text)}
    # Every pin carries its hashes: pip installs it with --require-hashes.
    hashed = re.findall(r"^\S+==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", text, re.MULTILINE)
    assert len(hashed) == len(found) > 10
    return found


def declared() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(line) for line in project["dependencies"]]
    dev = [Requirement(line) for line in project["optional-dependencies"]["dev"]]
    return runtime, dev


def test_every_declared_dependency_is_locked_within_its_range():
    runtime, dev = declared()
    locked, locked_dev = pins("requirements.txt"), pins("requirements-dev.txt")
    for requirement in runtime:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.txt: update the lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), name
    for requirement in [*runtime, *dev]:
        name = canonicalize_name(requirement.name)
        assert name in locked_dev, f"{name} is not in requirements-dev.txt: update the lock"
        assert requirement.specifier.contains(locked_dev[name], prereleases=True), name


def test_the_runtime_lock_is_the_dev_locks_runtime_part():
    locked, locked_dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {name: locked_dev.get(name) for name in locked} == locked


def test_every_install_reads_the_lock():
    for script, lock in (
        ("scripts/serve", "requirements.txt"),
        ("scripts/test", "requirements-dev.txt"),
    ):
        text = (ROOT / script).read_text()
        assert f"--require-hashes -r {lock}" in text and "--no-deps -e ." in text
    assert "--require-hashes -r requirements.txt" in (ROOT / "Containerfile").read_text()
