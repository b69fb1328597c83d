"""The Makefile's install: system packages only with a word on the terminal, skippable."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import ROOT


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_no_system_skips_the_apt_packages_and_says_so() -> None:
    proc = subprocess.run(["make", "--no-print-directory", "system-deps", "NO_SYSTEM=1"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert (proc.returncode, proc.stdout) == (
        0, "make: NO_SYSTEM=1: not installing the optional system packages "
           "libharfbuzz-subset0 poppler-utils librsvg2-bin\n")
