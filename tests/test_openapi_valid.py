"""The OpenAPI document is valid by the OpenAPI 3 rules, so client generators that validate accept it."""

import pytest
import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

pytestmark = pytest.mark.django_db


def test_the_schema_at_api_schema_is_a_valid_openapi_document(client):
    # when
    response = client.get("/api/schema/")
    # then
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validator = OpenAPIV31SpecValidator if document["openapi"].startswith("3.1") else OpenAPIV30SpecValidator
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator(document).iter_errors()]
    assert errors == []


def test_a_request_field_default_obeys_its_own_pattern_and_format(client):
    # given every request body schema
    document = yaml.safe_load(client.get("/api/schema/").content)
    # then no field declares a default its own pattern or e-mail format refuses
    offending = []
    for name, component in document["components"]["schemas"].items():
        for field, spec in (component.get("properties") or {}).items():
            if spec.get("default") == "" and ("pattern" in spec or spec.get("format") == "email"):
                offending.append(f"{name}.{field}")
    assert offending == []
