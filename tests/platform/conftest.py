"""platform/ holds scripts, not a package (it would shadow the standard library's
``platform``); tests load its modules from their files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

PLATFORM = Path(__file__).resolve().parents[2] / "platform"


def load_script(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PLATFORM / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def supervisor_module():
    return load_script("supervisor")


@pytest.fixture(scope="session")
def backends_module():
    return load_script("backends")


@pytest.fixture(scope="session")
def services_module(supervisor_module, backends_module):
    return load_script("services")
