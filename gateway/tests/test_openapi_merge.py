"""The merged document: each service's paths as clients call them through the gateway."""

from gateway.aggregate.openapi import merge, public_path


def _doc(paths, schemas):
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def test_service_scoped_paths_are_renamed_and_health_is_hidden():
    assert public_path("facilities", "/api/v1/events") == "/api/v1/facilities/events"
    assert public_path("feedback", "/api/v1/webhooks/{webhook_id}") == "/api/v1/feedback/webhooks/{webhook_id}"
    assert public_path("facilities", "/readyz") is None
    assert public_path("feedback", "/open311/v2/services.json") == "/open311/v2/services.json"


def test_conflicting_schemas_are_prefixed_and_references_follow():
    gateway = _doc({"/api/v1/me": {"get": {"operationId": "me"}}}, {"Page": {"title": "gateway page"}})
    facilities = _doc(
        {
            "/api/v1/facilities": {
                "get": {
                    "operationId": "list",
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}
                    },
                }
            }
        },
        {"Page": {"title": "facility page"}},
    )
    merged = merge(gateway, {"facilities": facilities})
    op = merged["paths"]["/api/v1/facilities"]["get"]
    assert op["operationId"] == "facilities_list"
    assert (
        op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        == "#/components/schemas/facilities_Page"
    )
    assert merged["components"]["schemas"]["facilities_Page"] == {"title": "facility page"}
    assert merged["components"]["schemas"]["Page"] == {"title": "gateway page"}
    assert "/api/v1/me" in merged["paths"]
