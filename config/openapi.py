"""drf-spectacular post-processing: the schema says what the API does.

- Every 4xx/503 of the API has the body `{"detail": "...", "errors": {field: [...]}}` (serving.rest.exception_handler);
  without this hook the schema only lists success codes and clients (and schemathesis) cannot rely on the others.
- Fields that a response may leave out (`distance_km` without `near`) are marked with `optional_field` and are not
  `required`: drf-spectacular makes every read-only field required.
- Pagination parameters state their minimum (1): a value the schema allows is never refused.
"""

from drf_spectacular.utils import extend_schema_field

OPTIONAL = "x-participe-optional"
POSITIVE_PARAMETERS = {"page", "page_size"}


def optional_field(schema: dict):
    """Decorate a SerializerMethodField's method whose value the response may leave out (absent, not null)."""
    return extend_schema_field({**schema, OPTIONAL: True})


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


def _optional_fields_not_required(schemas: dict):
    for component in schemas.values():
        properties = component.get("properties", {})
        optional = {name for name, prop in properties.items() if prop.pop(OPTIONAL, False)}
        if optional and "required" in component:
            component["required"] = [name for name in component["required"] if name not in optional]
            if not component["required"]:
                del component["required"]


def document_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    _optional_fields_not_required(schemas)
    schemas["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter.get("name") in POSITIVE_PARAMETERS:
                    parameter.setdefault("schema", {}).setdefault("minimum", 1)
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
