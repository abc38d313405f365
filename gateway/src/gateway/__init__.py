"""The culture-ops gateway: the one public origin in front of the three services."""
