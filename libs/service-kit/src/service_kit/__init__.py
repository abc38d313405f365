"""Infrastructure shared by the culture-ops services.

Only infrastructure lives here: problem+json errors, request ids and JSON logs, settings, token
verification, pagination, health and metrics, idempotency, the event outbox, its feed and webhooks.
No domain models, schemas or migrations: a service that needs another's data asks its API.
"""
