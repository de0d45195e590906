"""The JSON Schemas in casebase/schema/ are the loader's own, and they check real files."""

from __future__ import annotations

import json

import jsonschema
from ruamel.yaml import YAML

from analysis.casebase import json_schemas
from tests.conftest import CASEBASE


def test_committed_schemas_equal_the_loader():
    for name, schema in json_schemas().items():
        committed = json.loads(
            (CASEBASE / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
        )
        assert committed == json.loads(json.dumps(schema)), f"run `workbench schema` ({name})"


def test_schema_accepts_the_case_files_and_rejects_a_bad_score():
    schema = json_schemas()["case"]
    doc = YAML(typ="safe").load((CASEBASE / "cases" / "shaoxing.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    doc["level"] = "province"
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError as exc:
        assert "province" in str(exc.message)
    else:  # pragma: no cover
        raise AssertionError("schema must reject an unknown level")
