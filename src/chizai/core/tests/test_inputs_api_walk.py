"""R8 across the whole API: every text field of every JSON request body, walked from the
OpenAPI schema, refuses a NUL and a value one longer than its stated maxLength, and every
number a value beyond its stated maximum, with a 422
(never a 2xx that stores it, never a 5xx). Cheaper and more pointed than schemathesis'
random walk (tests/test_api_schema.py), which keeps checking everything else."""

import json

import pytest
from django.test import Client

from chizai.api import api
from chizai.core import services


def _resolve(schema, components):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        return _resolve(schema, components)
    return schema


def _example(schema, components):
    schema = _resolve(schema, components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        return "2026-11-01" if schema.get("format") == "date" else "x"
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "array":
        return [_example(schema.get("items", {}), components)]
    return {}


def _fields_of(api_schema):
    components = api_schema["components"]["schemas"]
    for path, operations in api_schema["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" not in content:
                continue
            body = _resolve(content["application/json"]["schema"], components)
            properties = {name: _resolve(p, components) for name, p in body.get("properties", {}).items()}
            base = {name: _example(p, components) for name, p in properties.items()}
            for name, prop in properties.items():
                item = _resolve(prop.get("items", {}), components) if prop.get("type") == "array" else prop
                if "enum" in item or item.get("format") == "date" or item.get("type") not in ("string", "integer"):
                    continue
                wrap = (lambda v: [v]) if prop.get("type") == "array" else (lambda v: v)
                limit = item.get("maxLength") if item["type"] == "string" else item.get("maximum")
                yield item["type"], method, path, name, base, wrap, limit


def _fields(kind: str = "string"):
    return [f[1:] for f in _fields_of(api.get_openapi_schema()) if f[0] == kind]


def test_the_walk_covers_the_api():
    names = {(path, name) for _m, path, name, *_ in _fields()}
    assert ("/api/orgs/{slug}/deals", "new_partner") in names
    assert ("/api/orgs/{slug}/disclosure/disclosures", "recipients") in names
    assert len(names) > 40


@pytest.mark.parametrize("kind", ["nul", "oversize", "number"])
def test_every_field_refuses_what_its_model_cannot_hold(org, owner, kind):
    _token, secret = services.create_api_token(owner, name="walk")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    seen = 0
    for method, path, name, base, wrap, limit in _fields("integer" if kind == "number" else "string"):
        if kind != "nul" and limit is None:
            continue
        value = "a\x00b" if kind == "nul" else "x" * (limit + 1) if kind == "oversize" else limit + 1
        url = path.replace("{slug}", org.slug).replace("{", "").replace("}", "")
        url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
        body = {**base, name: wrap(value)}
        response = client.generic(method.upper(), url, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 422, (method, path, name, response.status_code, response.content[:300])
        seen += 1
    assert seen >= {"nul": 40, "oversize": 25, "number": 3}[kind]
