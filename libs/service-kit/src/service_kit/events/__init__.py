"""Events: an outbox written with the change, a feed read by cursor, signed webhooks, feed consumers."""
