"""Ids of the import page (数据导入, ``/admin/import``)."""
from __future__ import annotations

from dashboard.components.ids import patterns

ADM_LANG = "adm-lang"                    # dcc.Store: the page's language
ADM_FILE = "adm-file"                    # dcc.Store: the inspected upload (token, columns, preview…)
ADM_STATUS_VALUES = "adm-status-values"  # dcc.Store: their status values, in row order
ADM_MAPPING = "adm-mapping"              # dcc.Store: {"toml": text, "mapping": dict} when valid
ADM_JOB = "adm-job"                      # dcc.Store: the running or finished import's job id
ADM_INTERVAL = "adm-interval"            # polls the job while it runs
ADM_UPLOAD = "adm-upload"                # the drop box; assets/admin_upload.js gives it its file input
ADM_UPLOADED = "adm-uploaded"            # dcc.Store: what POST /admin/import/upload answered
ADM_UPLOAD_MSG = "adm-upload-msg"
ADM_PREVIEW = "adm-preview"
ADM_FORM = "adm-form"                    # the mapping section, shown once a file is in
ADM_TIMESTAMP = "adm-timestamp"
ADM_STATUS_ROWS = "adm-status-rows"
ADM_TOML = "adm-toml"
ADM_MAPPING_MSG = "adm-mapping-msg"
ADM_MAPPING_NAME = "adm-mapping-name"
ADM_SAVE = "adm-save"
ADM_SAVE_MSG = "adm-save-msg"
ADM_DOWNLOAD_MAPPING = "adm-download-mapping"
ADM_MAPPING_DOWNLOAD = "adm-mapping-download"    # dcc.Download
ADM_RUN = "adm-run"
ADM_RUN_MSG = "adm-run-msg"
ADM_PROGRESS = "adm-progress"
ADM_PROGRESS_BAR = "adm-progress-bar"
ADM_PROGRESS_TEXT = "adm-progress-text"
ADM_RESULT = "adm-result"
ADM_DOWNLOAD_REJECTS = "adm-download-rejects"
ADM_REJECTS_DOWNLOAD = "adm-rejects-download"    # dcc.Download


def admin_field(field: str) -> str:
    """The column dropdown of one of our fields."""
    return f"adm-field-{field.replace('_', '-')}"


# The dropdown mapping their ``index``-th status value to ours.
admin_status = patterns("adm-status", "index")
