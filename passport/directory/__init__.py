"""The community directory: organisations, services, search."""
