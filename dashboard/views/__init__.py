"""What each page shows, as data and figures: one module a page (the analysis page's in
three: charts, tables, filters), ``common`` for what every page shares. No HTML here: the
pages (``dashboard/pages/``) lay it out, the views only compute it from a ``Reader``."""
