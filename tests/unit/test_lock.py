"""requirements.lock pins every dependency pyproject.toml declares, within its bounds, and this
environment was installed from it (make setup-dev uses it as pip constraints)."""

from __future__ import annotations

import tomllib
from importlib import metadata

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from parkops.config import PROJECT_ROOT


def _pins() -> dict[str, tuple[str, Requirement]]:
    pins = {}
    for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            requirement = Requirement(line)
            (version,) = [spec.version for spec in requirement.specifier if spec.operator == "=="]
            pins[canonicalize_name(requirement.name)] = (version, requirement)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [Requirement(r) for r in [*project["dependencies"], *extras]]


def test_every_declared_dependency_is_pinned_within_its_bounds():
    pins = _pins()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside {requirement.specifier}: "
            "run `make lock`"
        )


def test_weasyprint_is_the_version_documents_xhtml_was_written_for():
    assert _pins()["weasyprint"][0].startswith("70.")


def test_this_environment_matches_the_lock():
    environment = default_environment()
    wrong = {}
    for name, (version, requirement) in _pins().items():
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # an optional group not installed here
        if installed != version:
            wrong[name] = (installed, version)
    assert not wrong, f"installed != locked: {wrong} (run `make setup-dev`)"
