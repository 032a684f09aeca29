"""Helpers shared by tests: where artifacts go, and how a missing service is reported."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose service is missing, saying which; under CI=true, fail instead."""
    if available:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: a missing service is a failure, not a skip)")
    pytest.skip(reason)
