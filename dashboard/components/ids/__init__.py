"""Every component id of the dashboard, made here and nowhere else: one module a page
(``overview``, ``desk``, ``analysis``, ``warnings``, ``admin_import``) and ``shell`` for the
app around them.

Repeated widgets get pattern-matching ids (dicts with a ``type``), so one callback serves
all of them (``ALL``); single widgets get a constant, prefixed by page (``ov-``, ``desk-``,
``an-``, ``wn-``, ``adm-``) so that no page's ids meet another's. A typo then fails at
import time, not as a silent callback that never fires.
"""
from __future__ import annotations

from typing import Any, Callable


def pattern(kind: str, **keys: Any) -> dict[str, Any]:
    """A pattern-matching id: the widget's ``type`` and what tells one of them from another."""
    return {"type": kind, **keys}


def patterns(kind: str, *keys: str) -> Callable[..., dict[str, Any]]:
    """The factory of one kind's pattern-matching ids: its values fill ``keys`` in order
    (``ALL`` and the other wildcards pass through), ``patterns("wn-ack", "key")("k1")`` is
    ``{"type": "wn-ack", "key": "k1"}``."""
    def make(*values: Any) -> dict[str, Any]:
        if len(values) != len(keys):
            raise TypeError(f"a {kind} id takes {len(keys)} values: {', '.join(keys)}")
        return pattern(kind, **dict(zip(keys, values)))

    make.__name__ = make.__qualname__ = kind.replace("-", "_")
    return make
