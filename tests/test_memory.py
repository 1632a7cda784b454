"""Giving freed memory back (``site_builder.memory``): glibc's trim on Linux, nothing
elsewhere, and never an error that would stop a build."""

from __future__ import annotations

import platform as platforms
import sys

import pytest

from site_builder import memory


@pytest.fixture(autouse=True)
def _fresh_lookup():
    memory._malloc_trim.cache_clear()
    yield
    memory._malloc_trim.cache_clear()


@pytest.mark.parametrize("platform", ["win32", "darwin", "cygwin"])
def test_off_linux_nothing_is_looked_up_and_nothing_fails(
    monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(memory.sys, "platform", platform)
    assert memory._malloc_trim() is None
    memory.give_back()


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platforms.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's",
)
def test_with_glibc_its_trim_is_found_and_runs() -> None:
    assert memory._malloc_trim() is not None
    memory.give_back()
