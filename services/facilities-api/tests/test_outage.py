"""While the database is down, facilities-api answers 503 with Retry-After (service_kit.pytest_plugin)."""

from service_kit.pytest_plugin import OutageChecks


class TestDatabaseOutage(OutageChecks):
    reads = (("/api/v1/facilities", None), ("/api/v1/facilities/1", None))
