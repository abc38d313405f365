from __future__ import annotations

import pytest

from gateway.proxy.routing import RESOURCES, Route, RoutingTable, resolve


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


class TestRoutingTable:
    def test_the_lead_can_extend_the_table(self):
        table = RoutingTable({**RESOURCES, "mural-walks": "operators"})
        assert table.resolve("/api/v1/mural-walks/5") == ("operators", "/api/v1/mural-walks/5")
        assert resolve("/api/v1/mural-walks/5") is None  # the default is untouched

    def test_extended_keeps_the_other_rules(self):
        table = RoutingTable().extended({"volunteers": "operators"})
        assert table.resolve("/api/v1/volunteers") == ("operators", "/api/v1/volunteers")
        assert table.resolve("/api/v1/feedback/events") == ("feedback", "/api/v1/events")
        assert table.resolve("/open311/v2/services.json") == ("feedback", "/open311/v2/services.json")

    def test_services_lists_every_target(self):
        assert RoutingTable().services == {"facilities", "operators", "feedback"}
