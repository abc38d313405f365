"""Make the generated OpenAPI say what the service really answers: every error as problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi

from service_kit.problems import PROBLEM_MEDIA_TYPE, Problem

PROBLEM_REF = "#/components/schemas/Problem"


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in problem_schema.pop("$defs", {}).items():
        components.setdefault(name, sub)
    components["Problem"] = problem_schema
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    problem_content = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, response in list(responses.items()):
                if status.isdigit() and int(status) >= 400:
                    response["content"] = dict(problem_content)
            if "422" in responses:
                responses["422"]["description"] = "Invalid input: the errors name each field and rule"
            for status in ("400", "413", "415", "429"):
                if operation.get("requestBody") and status not in responses:
                    responses[status] = {"description": "See the problem detail", "content": dict(problem_content)}
    _document_gates(app, schema)
    app.openapi_schema = schema
    return schema


def route_gate(dependant: Dependant) -> dict[str, Any] | None:
    """The gate (`service_kit.auth.require_roles`, `viewer`) among a route's dependencies, if any."""
    for sub in dependant.dependencies:
        gate = getattr(sub.call, "__authorization__", None)
        if gate is not None:
            described: dict[str, Any] = gate.openapi()
            return described
        found = route_gate(sub)
        if found is not None:
            return found
    return None


def _document_gates(app: FastAPI, schema: dict[str, Any]) -> None:
    """Each operation says who may call it (`x-authorization`: roles, and the scope an API key needs),
    read from the route's own gate, so the documentation cannot drift from what is enforced."""
    paths = schema.get("paths", {})
    # FastAPI keeps included routers nested; its own OpenAPI walks them with the same helper.
    for route in routing.iter_route_contexts(app.routes):
        if not isinstance(route.original_route, routing.APIRoute) or not route.include_in_schema:
            continue
        gate = route_gate(route.dependant)
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            if gate is None:
                operation["x-authorization"] = {"roles": [], "scope": None, "signed_in": False, "district_only": False}
                continue
            operation["x-authorization"] = gate
            if gate["signed_in"]:
                operation["security"] = [{"bearer": []}, {"apiKey": [gate["scope"]] if gate["scope"] else []}]
    if any("security" in op for item in paths.values() for op in item.values() if isinstance(op, dict)):
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes.setdefault("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
        schemes.setdefault(
            "apiKey",
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "description": "Swapped at the gateway for a token of the key's role and scopes.",
            },
        )
