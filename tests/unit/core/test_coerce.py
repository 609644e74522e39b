"""Submitted ids and counts are parsed leniently, one way everywhere."""

from __future__ import annotations

import pytest

from parkops.core.coerce import optional_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        (12, 12),
        ("", None),
        (None, None),
        ("x", None),
        (True, None),
        ("1.5", None),
    ],
)
def test_optional_int(raw, expected):
    assert optional_int(raw) == expected
