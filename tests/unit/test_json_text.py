"""armmatch.io.json_lines: the JSON text of every record (assignment.json, FHIR bundles)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from armmatch import io as armmatch_io
from armmatch.io import json_lines

DOC: dict[str, Any] = {
    "status": "targeted",
    "arm": None,
    "events": [
        {"gene": "EGFR", "vaf": 0.0612345678901, "notes": ["naïve – “quoted”", 'a "b" \\ c']},
        {"gene": "KIT", "pos1": 55593610, "readings": [], "focal": True, "b": {"z": 1, "a": 2}},
    ],
    "empty": [],
    "number": 1e-7,
    "nested": {"y": [1, 2.5, "x"], "x": {"k": None}},
    "ümlaut key": "Größe",
}


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_each_value_is_what_json_dumps_writes(ensure_ascii: bool) -> None:
    text = json_lines(DOC, ensure_ascii=ensure_ascii)
    assert json.loads(text) == DOC
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and text.endswith("}\n")
    # one line per key, and per item of a non-empty list, each compact and keys sorted
    dumps = lambda v: json.dumps(v, sort_keys=True, ensure_ascii=ensure_ascii)  # noqa: E731
    for event in DOC["events"]:
        assert f"  {dumps(event)}," in lines or f"  {dumps(event)}" in lines
    assert f" {dumps('nested')}: {dumps(DOC['nested'])}," in lines
    assert ' "empty": [],' in lines
    assert ("\\u00fc" in text) is ensure_ascii
    assert [k for k in json.loads(text)] == sorted(DOC)


def test_the_reused_c_encoder_writes_what_a_fresh_encoder_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = json_lines(DOC, ensure_ascii=False)
    plain = armmatch_io._compact_encoder(False)
    monkeypatch.setattr(armmatch_io, "c_make_encoder", None)
    python_only = armmatch_io._compact_encoder(False)
    for value in [DOC, *DOC["events"], "naïve", 0.1, math.inf, None, [], {}]:
        assert plain(value) == python_only(value) == json.dumps(value, sort_keys=True,
                                                                ensure_ascii=False)  # fmt: skip
    assert json.loads(fast) == DOC


def test_an_error_midway_leaves_the_encoder_usable() -> None:
    encode = armmatch_io._compact_encoder(True)
    with pytest.raises(TypeError):
        encode({"a": [1, object()]})
    assert encode({"a": [1, 2]}) == '{"a": [1, 2]}'
