"""While the database is down, feedback-api answers 503 with Retry-After (service_kit.pytest_plugin)."""

from service_kit.pytest_plugin import OutageChecks


class TestDatabaseOutage(OutageChecks):
    reads = (("/api/v1/cases/1", "official"), ("/api/v1/events", "official"))
