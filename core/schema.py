"""OpenAPI schema post-processing: document the error answers every operation can give.

All errors share one body, ``{"message": str, "extra": {...}}`` (core.errors). drf-spectacular documents
only the success answers by default; clients (and the schema fuzzing in tests/security) need the rest:
400 bad input, 403 not allowed, 404 not found (operations with a path parameter), 409 a step the state does
not allow (writes), 429 throttled, 503 database unavailable (with ``Retry-After``). An error answer a view
declares with a description only (the PBX endpoints' 400, 401 and 409) gets the same body; a 401 also says
how to authenticate (``WWW-Authenticate``).
"""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "extra": {"type": "object", "additionalProperties": True},
    },
    "required": ["message"],
}

DESCRIPTIONS = {
    "400": "Bad input; `extra.fields` names each field with its messages.",
    "403": "Not logged in, or not allowed.",
    "404": "Not found, or not yours.",
    "409": "The object is not in a state that allows this step.",
    "429": "Too many requests; retry later.",
    "503": "The database is unavailable; retry after `Retry-After` seconds.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["403", "429", "503"]
            if operation.get("requestBody") or operation.get("parameters"):
                codes.append("400")
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                codes.append("404")
            if method != "get":
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code, response in responses.items():
                if str(code) >= "400" and "content" not in response:
                    response["content"] = {"application/json": {"schema": reference}}
                if str(code) == "401":
                    response.setdefault("headers", {})["WWW-Authenticate"] = {
                        "schema": {"type": "string"},
                        "required": True,
                    }
            for code in codes:
                if code in responses:
                    continue
                responses[code] = {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": reference}},
                }
                if code == "503":
                    responses[code]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return result
