"""JSON-schema validation (draft 2020-12) of config, sample-sheet rows and rule-table rows.

The schemas live in ``workflow/schemas/`` as YAML. Validation fills in ``default`` values, so a
config with only ``samples`` set comes back complete.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, MutableMapping
from functools import cache
from typing import Any

import jsonschema
import yaml

from armmatch.paths import schema_file


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Load ``workflow/schemas/<name>.schema.yaml``."""
    with open(schema_file(name), encoding="utf-8") as fh:
        schema: dict[str, Any] = yaml.safe_load(fh)
    return schema


def _set_defaults(
    validator: Any, properties: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[Any]:
    if isinstance(instance, MutableMapping):
        for key, sub in properties.items():
            if "default" in sub and key not in instance:
                # a copy: the schema is cached, and a filled-in {} must not become shared state
                instance[key] = copy.deepcopy(sub["default"])
    yield from jsonschema.Draft202012Validator.VALIDATORS["properties"](
        validator, properties, instance, schema
    )


_DefaultFilling = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"properties": _set_defaults}
)


def schema_errors(
    instance: Any, schema: dict[str, Any], *, fill_defaults: bool = True
) -> list[str]:
    """Validate ``instance``; return one readable message per problem (empty when valid).

    Examples
    --------
    >>> schema_errors({"a": "x"}, {"type": "object", "properties": {"a": {"type": "integer"}}})
    ["a: 'x' is not of type 'integer'"]
    """
    cls = _DefaultFilling if fill_defaults else jsonschema.Draft202012Validator
    validator = cls(schema)
    messages = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path))):
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        messages.append(f"{where}: {err.message}")
    return messages


_STRING_KEYWORDS = frozenset({"type", "pattern", "minLength", "maxLength", "enum", "description",
                              "default"})  # fmt: skip


def string_check(sub: dict[str, Any]) -> Callable[[str], bool] | None:
    """A plain predicate equal to validating a string against ``sub``, for a schema of only
    ``type: string``, ``pattern`` (searched, as JSON Schema does), ``minLength``, ``maxLength``
    and ``enum``; None for anything else (validate with jsonschema).

    Examples
    --------
    >>> check = string_check({"type": "string", "pattern": "^[0-9]+$", "maxLength": 3})
    >>> check("12"), check("1234"), check("x")
    (True, False, False)
    """
    if sub.get("type") != "string" or not set(sub) <= _STRING_KEYWORDS:
        return None
    pattern = re.compile(sub["pattern"]) if "pattern" in sub else None
    low, high = sub.get("minLength", 0), sub.get("maxLength")
    enum = frozenset(sub["enum"]) if "enum" in sub else None

    def check(value: str) -> bool:
        return (
            low <= len(value)
            and (high is None or len(value) <= high)
            and (enum is None or value in enum)
            and (pattern is None or pattern.search(value) is not None)
        )

    return check
