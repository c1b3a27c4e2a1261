"""The JSON report's writer gives exactly what ``json.dumps(indent=2, ensure_ascii=False)`` gives.

``json_report.dumps`` indents by itself because the standard library's indenting encoder is
pure Python (a second for a report of 50,000 findings); its output must not change by a byte.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from orylint.report.json_report import dumps
from tests.test_properties import SETTINGS, TEXT

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


@SETTINGS
@given(value=VALUES)
def test_dumps_equals_json_dumps(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_dumps_nested_and_empty() -> None:
    value = {"a": [], "b": {}, "c": [{"d": None, "e": True, "f": 1.5, "g": '\u2028"\\\n'}]}
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)
