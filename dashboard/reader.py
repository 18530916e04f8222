"""The dashboard's way to the store: named queries, cached on (query, parameters, data
version).

Every write bumps the store's data version, so a cached answer is reused only while the
data it was computed from are unchanged; reading the version is one tiny look-up. Derived
values that cost more than the query behind them (the map's GeoJSON) are cached the same
way with ``memo``.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable

import pandas as pd

from queries.store import Store

# Matters not (yet) placed in a village count as village -1 in every query's scope and
# filters, as in the daily rollup.
UNPLACED = -1


class Reader:
    def __init__(self, store: Store, cache: Any = None, timeout_s: int = 600) -> None:
        self.store = store
        self.cache = cache          # a flask_caching.Cache, or None: no caching
        self.timeout_s = timeout_s

    def data_version(self) -> int:
        return self.store.data_version()

    def _key(self, kind: str, name: str, params: dict[str, Any], version: int) -> str:
        text = repr((kind, name, sorted(params.items()), version))
        return f"{kind}:{name}:{hashlib.sha1(text.encode('utf-8')).hexdigest()}"

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """``store.run(name, **params)``, served from the cache when the data are unchanged."""
        if self.cache is None:
            return self.store.run(name, **params)
        key = self._key("q", name, params, self.data_version())
        frame = self.cache.get(key)
        if frame is None:
            frame = self.store.run(name, **params)
            self.cache.set(key, frame, timeout=self.timeout_s)
        return frame

    def memo(self, name: str, params: dict[str, Any], build: Callable[[], Any]) -> Any:
        """A value derived from the data, rebuilt only when the data version changes."""
        if self.cache is None:
            return build()
        key = self._key("m", name, params, self.data_version())
        value = self.cache.get(key)
        if value is None:
            value = build()
            self.cache.set(key, value, timeout=self.timeout_s)
        return value
