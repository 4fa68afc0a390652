"""The project as a wheel: every app and its subpackages are in it and import from it."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "core", "comparison", "questionnaire", "devtools")
MODULES = ("comparison.models", "questionnaire.models", "questionnaire.decision", "portal.urls")


def test_the_wheel_holds_every_app_and_each_imports_from_it(tmp_path):
    # From a clean copy: a build/ directory left by an earlier build would leak into the wheel.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "*.egg-info", "__pycache__", "test-artifacts", "node_modules"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for package in (
        *APPS,
        "questionnaire/decision",
        "comparison/migrations",
        "comparison/management/commands",
        "questionnaire/migrations",
    ):
        assert f"{package}/__init__.py" in names, package
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = (
        "import importlib, django\n"
        "django.setup()\n"
        f"for name in {(*APPS, *MODULES)!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(unpacked)!r}), module.__file__\n"
    )
    # Run outside the checkout, so only the wheel's copy can be found.
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=tmp_path,
        env={
            "PYTHONPATH": str(unpacked),
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "true",
        },
    )
