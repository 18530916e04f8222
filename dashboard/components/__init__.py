"""Widgets several pages reuse: the id factories (``ids/``, one module a page), light
badges, the dropdowns' words, export buttons, the navbar and panel frames. Pure layout
builders: no data access. A page's own pieces live beside it in ``pages/``."""
