"""The HTTP API beside the pages: the KPI summary and health check (``summary``), intake
and actions (``matters``), analysis and warnings (``analysis``) and Open311 GeoReport v2
(``open311``); ``replies`` holds what they share: the one JSON encoder, body and argument
parsing, and the one shape of an error."""
