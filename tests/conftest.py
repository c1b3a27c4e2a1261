"""Shared helpers for the test suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every orylint the tests run, in process or as a command, caches in a temporary directory.

    Never the user's cache: a test must not read what another run left there, nor leave
    anything behind. Subprocesses inherit the variable.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ORYLINT_CACHE_DIR", str(tmp_path_factory.mktemp("orylint-cache")))
        yield
