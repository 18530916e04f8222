"""The time the dashboard shows and computes lights against: the one clock in queries."""
from queries.clock import now, to_minute  # noqa: F401
