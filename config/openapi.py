"""drf-spectacular post-processing: document the contract's error responses on every API operation.

Every 4xx/503 of the API has the body `{"detail": "...", "errors": {field: [...]}}` (core.rest.exception_handler);
without this hook the schema only lists success codes and clients (and schemathesis) cannot rely on the others.
"""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "string",
            "description": "A human sentence (French by default, English with Accept-Language: en).",
        },
        "errors": {"type": "object", "additionalProperties": {}, "description": "Per-field messages (validation)."},
    },
    "required": ["detail"],
}

COMMON = {
    "400": "Invalid input (`errors` lists the fields).",
    "401": "Authentication needed.",
    "403": "Not allowed; `detail` says why.",
    "404": "Not found.",
    "429": "Too many requests (rate limit); see Retry-After.",
    "503": "Temporarily unavailable (database down); see Retry-After.",
}
WRITES = {"409": "Conflicts with the current state."}


def document_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            codes = {**COMMON, **(WRITES if method != "get" else {})}
            for code, description in codes.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
