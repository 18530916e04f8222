"""Ids of the security audit page (安全审计, ``/audit``); every one starts ``aud-``, which is
how ``dashboard.permit`` knows its callbacks are the admin's."""
from __future__ import annotations

AUD_LANG = "aud-lang"            # dcc.Store: the page's language
AUD_USER = "aud-user"            # dropdown: one user, or everyone
AUD_WHAT = "aud-what"            # dropdown: one kind of record
AUD_OUTCOME = "aud-outcome"      # dropdown: ok / refused / failed
AUD_PERIOD = "aud-period"        # date range
AUD_TABLE = "aud-table"          # the records
AUD_COUNT = "aud-count"
AUD_EXPORT = "aud-export"        # the CSV button
AUD_DOWNLOAD = "aud-download"    # dcc.Download
