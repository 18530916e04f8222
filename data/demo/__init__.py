"""The demo township: a plausible 运河街道 with two years of matters ending now.

Deterministic for a seed. Each matter's whole lifecycle is planned first (in working
minutes, on the calendar's axis W), then cut at ``as_of``: what has not happened yet is
dropped, and the matter's state is what its kept events imply. Randomness is drawn per
day from ``default_rng([seed, day])``, so a day's matters are the same however the build
is chunked, and a later top-up can regenerate recent days and carry their open matters
forward to the present.

The last weeks carry planted anomalies (surges in chosen cells × 小类, a department whose
on-time rate drifts down, repeat complaints at chosen addresses), placed relative to the
build's as-of day and recorded in ``demo_ground_truth``: what the warnings must find.

One concern a module, in the order a build runs them:
``reference`` (grid, departments, categories, addresses, resources) → ``anomalies`` →
``arrivals`` (volume per day, each day's draws) → ``lifecycle`` (the typed plan) →
``tables`` (matters and events) → ``load`` (into the store, derived tables) →
``build`` (a new database) and ``top_up`` (carry one forward). Its SQL is in
``queries/writes/demo`` and ``queries/sql/demo``.
"""
