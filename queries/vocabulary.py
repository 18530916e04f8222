"""The coded values a matter carries, once: where it came from (来源), the states of its
lifecycle (状态), its level (级别) and the answer of its follow-up call (回访满意度).

The codes are what the store holds and the API speaks; their names in Chinese and English
are ``source.*``, ``status.*``, ``level.*`` and ``satisfaction.*`` in ``dashboard/i18n/``.
"""
from __future__ import annotations

SOURCES = ("transfer", "inspection", "grid", "public")
OPEN_STATUSES = ("registered", "dispatched", "handling", "feedback", "verified", "suspended", "returned",
                 "escalated")
CLOSED_STATUSES = ("closed", "voided")
STATUSES = (*OPEN_STATUSES, *CLOSED_STATUSES)
LEVELS = ("general", "larger", "major", "especially_major")
SATISFACTION = ("satisfied", "basic", "unsatisfied")
# The light of an open matter against its time limit (DOMAIN.md §4): as the lights query
# computes it; ``paused`` while the clock is stopped, ``none`` without a limit.
LIGHTS = ("red", "yellow", "green", "paused", "none")
# The roles of an account (DOMAIN.md §1): what each may see and do is the role's; names in
# ``role.*`` of ``dashboard/i18n/``.
ROLES = ("admin", "commander", "operator", "department", "leader", "analyst", "viewer")
# Emergencies (应急指挥): what kind of emergency, what the commander's log records, and the
# clock a linkage task's time limit runs on; names in ``emergency.*`` of ``dashboard/i18n/``.
EMERGENCY_KINDS = ("flood", "fallen_tree", "power", "fire", "geological", "other")
EMERGENCY_LOG_KINDS = ("note", "decision", "call")
TASK_CLOCKS = ("working", "calendar")
