"""The lock files agree with the pins, the pins with pyproject, and the locks are complete."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
RUNTIME, DEV = ROOT / "requirements.txt", ROOT / "requirements-dev.txt"
RUNTIME_LOCK, DEV_LOCK = ROOT / "requirements.lock", ROOT / "requirements-dev.lock"
STALE = "is stale: run `make lock` after editing requirements*.txt"


def pinned(path: Path) -> dict[str, Requirement]:
    """The `name==version` lines of a requirements file, following `-r` includes."""
    found: dict[str, Requirement] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#")[0].strip()
        if line.startswith("-r "):
            found |= pinned(path.parent / line.split(maxsplit=1)[1])
        elif line and not line.startswith("-"):
            requirement = Requirement(line)
            found[canonicalize_name(requirement.name)] = requirement
    return found


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """Each locked package's version and how many hashes it has."""
    text = path.read_text(encoding="utf-8")
    entries = re.findall(
        r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s*\\\s*--hash=\S+)*)", text, re.M
    )
    return {
        canonicalize_name(name): (version, hashes.count("--hash=sha256:"))
        for name, version, hashes in entries
    }


def version_of(requirement: Requirement) -> str:
    (spec,) = requirement.specifier
    assert spec.operator == "==", f"{requirement} must pin one version"
    return spec.version


@pytest.mark.parametrize(("pins", "lock"), [(RUNTIME, RUNTIME_LOCK), (DEV, DEV_LOCK)])
def test_every_pin_is_in_its_lock_at_the_same_version(pins, lock):
    held = locked(lock)
    for name, requirement in pinned(pins).items():
        assert name in held, f"{name} is pinned in {pins.name} but {lock.name} {STALE}"
        assert held[name][0] == version_of(requirement), f"{name}: {lock.name} {STALE}"


def test_the_dev_lock_installs_every_runtime_package_at_the_runtime_version():
    dev = locked(DEV_LOCK)
    for name, (version, _hashes) in locked(RUNTIME_LOCK).items():
        assert dev.get(name, ("missing",))[0] == version, name


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK])
def test_every_locked_package_carries_a_hash(lock):
    held = locked(lock)
    assert len(held) > 50  # the parse found the file's entries, not a handful
    assert [name for name, (_version, hashes) in held.items() if hashes == 0] == []


def test_the_lock_holds_torchs_cuda_wheels_and_the_course_machines_build_of_torch():
    held = locked(RUNTIME_LOCK)
    assert held["torch"][0] == "2.14.1" and held["torchvision"][0] == "0.29.1"
    assert any(name.startswith("nvidia-") for name in held)
    # The wheel on the course machines' disk index (/opt/pypi-more) is one of torch's hashes.
    torch_entry = RUNTIME_LOCK.read_text(encoding="utf-8").split("\ntorch==")[1].split("\n#")[0]
    assert "305a61f61f35f128579f299c5bd33d475f6a01c6307336139632e30856c4854d" in torch_entry


def test_every_dependency_of_an_installed_locked_package_is_locked_too():
    held = locked(DEV_LOCK)
    wanted_extras = {name: set(requirement.extras) for name, requirement in pinned(DEV).items()}
    missing: list[str] = []
    for name in held:
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # this venv was not made from the dev lock; nothing to read
        extras = {""} | wanted_extras.get(name, set())
        for line in requires:
            dependency = Requirement(line)
            wanted = dependency.marker is None or any(
                dependency.marker.evaluate({"extra": extra}) for extra in extras
            )
            if wanted and canonicalize_name(dependency.name) not in held:
                missing.append(f"{name} needs {dependency}")
    assert missing == []


def project_requirements() -> dict[str, list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"core": project["dependencies"]} | project["optional-dependencies"]
    return {group: [Requirement(line) for line in lines] for group, lines in groups.items()}


def test_every_pyproject_dependency_is_pinned_and_accepts_the_version_ci_tests():
    runtime, everything = pinned(RUNTIME), pinned(DEV)
    for group, requirements in project_requirements().items():
        pins = runtime if group in {"core", "app", "lab"} else everything
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{group} extra: {name} is not pinned in requirements*.txt"
            tested = version_of(pins[name])
            assert requirement.specifier.contains(tested), (
                f"{group} extra: {requirement} refuses {tested}, the version CI tests"
            )


def test_every_pin_belongs_to_a_pyproject_extra():
    declared = {
        canonicalize_name(r.name) for group in project_requirements().values() for r in group
    }
    assert sorted(set(pinned(DEV)) - declared) == []
