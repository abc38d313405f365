"""While the database is down, operators-api answers 503 with Retry-After (service_kit.pytest_plugin)."""

from service_kit.pytest_plugin import OutageChecks


class TestDatabaseOutage(OutageChecks):
    reads = (("/api/v1/operators", "official"), ("/api/v1/operators/1", "official"))
