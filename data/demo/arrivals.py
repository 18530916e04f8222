"""When and where matters arrive: the volume of each day and each day's draws.

Randomness is drawn per day from ``default_rng([seed, day])``, so a day's matters are the
same however the build is chunked, and a top-up can regenerate recent days exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from data.demo.anomalies import planted_matters_of_day
from data.demo.reference import ADDRESSES_PER_CELL, Reference

N_UNIFORMS = 34                    # uniforms drawn per matter for its lifecycle
# Hour-of-day weights: office peaks, a quiet night.
HOUR_WEIGHTS = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 3.5, 5, 5, 4.5,
                         2.5, 2.5, 4.5, 5, 4.5, 3.5, 2, 1.5, 1.2, 1, 0.7, 0.5])
WEEKDAY_FACTOR = np.array([1.15, 1.05, 1.05, 1.0, 1.0, 0.75, 0.7])


def day_weights(days: pd.DatetimeIndex, calendar_kinds: pd.Series, first_day: date) -> np.ndarray:
    """Expected relative volume per day: week cycle, summer, holidays, slow growth."""
    w = WEEKDAY_FACTOR[np.asarray(days.day_of_week)]
    month = pd.Series(np.asarray(days.month))
    w = w * np.where((month >= 6) & (month <= 8), 1.25, 1.0)
    w = w * np.where(month.isin([12, 1, 2]), 0.9, 1.0)
    w = w * np.where(calendar_kinds.to_numpy() == "holiday", 0.6, 1.0)
    years = (days - pd.Timestamp(first_day)).days / 365.25
    return np.asarray(w * (1 + 0.12 * np.asarray(years)), dtype=float)


def season_multiplier(day: pd.Timestamp, seasons: np.ndarray) -> np.ndarray:
    m, d = day.month, day.day
    summer = 6 <= m <= 8
    plum = (m == 6 and d >= 15) or (m == 7 and d <= 15)     # 梅雨
    winter = m in (12, 1, 2)
    return np.select([seasons == "summer", seasons == "plum", seasons == "winter"],
                     [1.8 if summer else 1.0, 2.5 if plum else 1.0, 1.6 if winter else 1.0], 1.0)


def allocate_days(first_day: date, last_day: date, matters: int, seed: int,
                  calendar_kinds: pd.Series) -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range(first_day, last_day, freq="D")
    w = day_weights(days, calendar_kinds, first_day)
    rng = np.random.default_rng([seed, 2])
    counts = rng.multinomial(matters, w / w.sum()) if matters else np.zeros(len(days), dtype=int)
    return days, counts


@dataclass
class DayDraws:
    created: np.ndarray        # datetime64[s]
    matter_id: np.ndarray      # int64
    category: np.ndarray       # row index in categories
    cell: np.ndarray           # row index in cells
    address: np.ndarray        # row index in addresses
    source: np.ndarray         # index in queries.vocabulary.SOURCES
    u: np.ndarray              # (n, N_UNIFORMS) uniforms for the lifecycle


def draw_days(days: list[pd.Timestamp], counts: list[int], seed: int, ref: Reference) -> DayDraws:
    cats = ref.categories
    base_cat_w = cats["demo_weight"].to_numpy(dtype=float)
    seasons = cats["demo_season"].to_numpy()
    cell_cdf = np.cumsum(ref.cells["weight"].to_numpy())
    cell_cdf /= cell_cdf[-1]
    hour_cdf = np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum()
    parts: dict[str, list[np.ndarray]] = {k: [] for k in DayDraws.__dataclass_fields__}
    for day, n in zip(days, counts):
        if n == 0:
            continue
        rng = np.random.default_rng([seed, day.toordinal()])
        u = rng.random((n, N_UNIFORMS))
        hour = np.searchsorted(hour_cdf, u[:, 0], side="right")
        seconds = hour * 3600 + (u[:, 1] * 3600).astype(np.int64)
        order = np.argsort(seconds, kind="stable")
        u, seconds, hour = u[order], seconds[order], hour[order]
        created = np.datetime64(day.date(), "s") + seconds.astype("timedelta64[s]")
        office = (hour >= 8) & (hour < 18)
        src_cdf_office = np.cumsum([0.22, 0.22, 0.30, 0.26])
        src_cdf_night = np.cumsum([0.15, 0.0, 0.05, 0.80])
        source = np.where(office, np.searchsorted(src_cdf_office, u[:, 2] * 0.999999, side="right"),
                          np.searchsorted(src_cdf_night, u[:, 2] * 0.999999, side="right"))
        cw = base_cat_w * season_multiplier(day, seasons)
        if day.month == 2 and day.day <= 20:   # Spring Festival fireworks
            cw = cw * np.where(np.isin(cats["code"].to_numpy(), ["0405", "0802"]), 3.0, 1.0)
        cat_cdf = np.cumsum(cw) / cw.sum()
        category = np.minimum(np.searchsorted(cat_cdf, u[:, 3], side="right"), len(cw) - 1)
        cell = np.minimum(np.searchsorted(cell_cdf, u[:, 4], side="right"), len(cell_cdf) - 1)
        hot = u[:, 5] < 0.08
        cell = np.where(hot, ref.hot_cell_of_category[category], cell)
        address = cell * ADDRESSES_PER_CELL + (u[:, 6] * ADDRESSES_PER_CELL).astype(np.int64)
        planted = planted_matters_of_day(ref, day, seed) if ref.anomalies else []
        if planted:
            # Planted matters come in office hours, from their own stream of draws, so the
            # day's ordinary matters stay as they are.
            extra_u = np.random.default_rng([seed, 6, day.toordinal()]).random((len(planted), N_UNIFORMS))
            extra_u[:, 25] = 0.5 + 0.5 * extra_u[:, 25]     # never voided: the ground truth holds
            extra = np.array(planted, dtype=np.int64)
            seconds = np.concatenate([seconds, (8.5 * 3600 + extra_u[:, 1] * 9 * 3600).astype(np.int64)])
            u = np.concatenate([u, extra_u])
            category = np.concatenate([category, extra[:, 0]])
            cell = np.concatenate([cell, extra[:, 1]])
            address = np.concatenate([address, extra[:, 2]])
            source = np.concatenate([source, extra[:, 3]])
            order = np.argsort(seconds, kind="stable")
            seconds, u, category, cell, address, source = (x[order] for x in (seconds, u, category, cell,
                                                                               address, source))
            created = np.datetime64(day.date(), "s") + seconds.astype("timedelta64[s]")
            n = len(seconds)
        ymd = day.year * 10000 + day.month * 100 + day.day
        parts["created"].append(created)
        parts["matter_id"].append(ymd * 100000 + np.arange(1, n + 1, dtype=np.int64))
        parts["category"].append(category)
        parts["cell"].append(cell)
        parts["address"].append(address)
        parts["source"].append(source)
        parts["u"].append(u)
    if not parts["created"]:
        empty = np.array([], dtype=np.int64)
        return DayDraws(np.array([], dtype="datetime64[s]"), empty, empty, empty, empty, empty,
                        np.empty((0, N_UNIFORMS)))
    return DayDraws(**{k: np.concatenate(v) for k, v in parts.items()})


# The lifecycle template: every matter takes an ordered subset of these steps.
