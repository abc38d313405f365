"""Which service owns a path: the table derived from the services' OpenAPI documents."""

from __future__ import annotations

import pytest

from gateway.proxy.routing import Route, RoutingConflict, derive_routes

from .documents import DOCUMENTS, document

ROUTES = derive_routes(DOCUMENTS)
resolve = ROUTES.resolve


class TestResolve:
    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("/api/v1/facilities", ("facilities", "/api/v1/facilities")),
            ("/api/v1/facilities/", ("facilities", "/api/v1/facilities/")),
            ("/api/v1/facilities/42", ("facilities", "/api/v1/facilities/42")),
            ("/api/v1/facilities.geojson", ("facilities", "/api/v1/facilities.geojson")),
            ("/api/v1/activities.ics", ("facilities", "/api/v1/activities.ics")),
            ("/api/v1/bookings/7/cancel", ("facilities", "/api/v1/bookings/7/cancel")),
            ("/api/v1/contracts/c-1", ("operators", "/api/v1/contracts/c-1")),
            ("/api/v1/ocds/releases", ("operators", "/api/v1/ocds/releases")),
            ("/api/v1/satisfaction", ("feedback", "/api/v1/satisfaction")),
            ("/api/v1/cases/%E6%96%87", ("feedback", "/api/v1/cases/%E6%96%87")),
        ],
    )
    def test_resources_go_to_their_service_at_the_same_path(self, path, expected):
        assert resolve(path) == expected

    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("/api/v1/facilities/events", ("facilities", "/api/v1/events")),
            ("/api/v1/operators/events", ("operators", "/api/v1/events")),
            ("/api/v1/feedback/events", ("feedback", "/api/v1/events")),
            ("/api/v1/feedback/webhooks", ("feedback", "/api/v1/webhooks")),
            ("/api/v1/operators/webhooks/subscriptions/3", ("operators", "/api/v1/webhooks/subscriptions/3")),
        ],
    )
    def test_service_scoped_infrastructure_is_rewritten(self, path, expected):
        assert resolve(path) == expected

    def test_a_facility_subpath_that_is_not_infrastructure_stays_a_facility_path(self):
        assert resolve("/api/v1/facilities/events-hall") == ("facilities", "/api/v1/facilities/events-hall")
        assert resolve("/api/v1/operators/9/contracts") == ("operators", "/api/v1/operators/9/contracts")

    @pytest.mark.parametrize("path", ["/open311/v2", "/open311/v2/services.json", "/open311/v2/requests/12.json"])
    def test_open311_goes_to_feedback_unchanged(self, path):
        assert resolve(path) == ("feedback", path)

    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/healthz",
            "/api/v1",
            "/api/v1/",
            "/api/v1/xyz",
            "/api/v1/facilitiesx",
            "/api/v1/feedback",  # a service name alone is not a resource
            "/api/v1/feedback/ratings",
            "/api/v2/facilities",
            "/open311/v20/services.json",
            "/open311",
            "/api/v1/facilities/../../admin",
            "/api/v1/facilities/./1",
            "/api/v1/facilities/%2e%2e/x",
            "/api/v1/operators/events/../contracts",
        ],
    )
    def test_paths_no_service_owns_are_left_to_the_gateway(self, path):
        assert resolve(path) is None

    def test_resolve_returns_a_route_tuple(self):
        route = resolve("/api/v1/ratings/1")
        assert isinstance(route, Route)
        service, path = route
        assert (route.service, route.path) == (service, path) == ("feedback", "/api/v1/ratings/1")


class TestDerivedFromOpenAPI:
    def test_every_published_resource_is_routed_to_its_service(self):
        assert ROUTES.resources["facilities.geojson"] == "facilities"
        assert ROUTES.resources["volunteer-teams"] == "operators"
        assert ROUTES.resources["open311-clients"] == "feedback"
        assert ROUTES.passthrough == {"/open311/v2": "feedback"}
        assert ROUTES.services == {"facilities", "operators", "feedback"}

    def test_a_new_router_in_a_service_is_routed_without_touching_the_gateway(self):
        documents = {**DOCUMENTS, "operators": document(*DOCUMENTS["operators"]["paths"], "/api/v1/mural-walks/{id}")}
        assert derive_routes(documents).resolve("/api/v1/mural-walks/5") == ("operators", "/api/v1/mural-walks/5")
        assert resolve("/api/v1/mural-walks/5") is None

    def test_infrastructure_and_health_are_not_resources(self):
        for name in ("events", "webhooks", "personal-data", "healthz", "readyz"):
            assert name not in ROUTES.resources

    def test_two_services_publishing_one_resource_is_refused(self):
        documents = {**DOCUMENTS, "feedback": document("/api/v1/ratings", "/api/v1/bookings/{id}")}
        with pytest.raises(RoutingConflict, match="facilities-api and feedback-api both publish 'bookings'"):
            derive_routes(documents)

    def test_a_service_publishing_a_path_the_gateway_serves_is_refused(self):
        with pytest.raises(RoutingConflict, match="the gateway serves itself"):
            derive_routes({"feedback": document("/api/v1/auth/token")}, reserved={"auth"})

    def test_a_service_not_read_yet_still_has_its_infrastructure_paths(self):
        table = derive_routes({"facilities": DOCUMENTS["facilities"]}, services=["facilities", "feedback"])
        assert table.resolve("/api/v1/feedback/events") == ("feedback", "/api/v1/events")
        assert table.resolve("/api/v1/ratings") is None
