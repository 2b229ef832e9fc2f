"""Make nbgrader's cell-metadata validation cheap for the single gradebook writer.

nbgrader validates every cell's metadata with `jsonschema.validate(meta, schema)`, which first
re-validates nbgrader's own schema against the JSON Schema metaschema on every call. In the one
process that writes the gradebook that was ~40% of its time (7 s of a 40-submission class),
and that process is the bottleneck of parallel grading. `install()` swaps in a validator built
once per schema: the same schema, the same error (jsonschema's `best_match`), no repeated
metaschema check. Valid metadata (nearly all of it) is accepted by the same schema compiled
with fastjsonschema (what nbformat already uses for notebooks); jsonschema walks the instance
only to name the error of invalid metadata: 16 ms of the writer's time per submission
(py-spy, 2026-11-28) was jsonschema walking cells that were valid.

Runs in: the grader process (installed by course.grading.writer.GradebookWriter).
"""

from __future__ import annotations

import functools
import json

import fastjsonschema
import jsonschema
from jsonschema.exceptions import best_match
from nbgrader.nbgraderformat import common


@functools.cache
def _validator(schema_json: str):
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@functools.cache
def _accepts(schema_json: str):
    return fastjsonschema.compile(json.loads(schema_json))


def validate(instance, schema) -> None:
    key = json.dumps(schema, sort_keys=True)
    try:
        _accepts(key)(instance)
        return
    except fastjsonschema.JsonSchemaException:
        pass  # jsonschema decides, and names the error as nbgrader would
    error = best_match(_validator(key).iter_errors(instance))
    if error is not None:
        raise error


class _Jsonschema:
    """Stands in for the `jsonschema` module inside nbgrader.nbgraderformat.common."""

    validate = staticmethod(validate)
    ValidationError = jsonschema.ValidationError


def install() -> None:
    common.jsonschema = _Jsonschema()
