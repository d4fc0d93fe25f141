"""Importing customers from a spreadsheet (CSV), including the customer exports
of the systems merchants leave: Square, Shopify, Lightspeed, and Comptoir's own.

The package, by step:
- reading.py: refuse what is not a usable CSV; encoding, delimiter, row count.
- targets.py: the fields an import fills and the header names that find them.
- rows.py: one row's cells turned into customer values, with its refusals
  (a broken line, nobody identified) and warnings (a value it could not read,
  kept unverified or in the comments).
- writing.py: checked rows written in bulk, duplicates handled as chosen.
- jobs.py: the job (upload kept in the database until it ends, preview, run
  on the queue, recovery after a dead worker, report); blueprints/customers/tasks.py enqueues it.

The report holds line numbers and reason codes only, never a rejected value.
"""
from blueprints.customers.importing.jobs import (  # noqa: F401
    BATCH,
    DUPLICATE_CHOICES,
    PREVIEW_ROWS,
    PreviewRow,
    cancel,
    delete_upload,
    has_upload,
    iter_rows,
    preview,
    queue,
    recover,
    report_rows,
    retry,
    run_import,
    start_upload,
    sweep_uploads,
    upload_text,
)
from blueprints.customers.importing.reading import (  # noqa: F401
    MAX_BYTES,
    MAX_COLUMNS,
    ImportRefused,
    UploadInfo,
    decode,
    detect_delimiter,
    read_upload,
)
from blueprints.customers.importing.rows import (  # noqa: F401
    REASONS,
    ParsedRow,
    RowParser,
    reason_text,
    warning_text,
)
from blueprints.customers.importing.targets import (  # noqa: F401
    ALIASES,
    TARGETS,
    Target,
    allowed_targets,
    auto_mapping,
    check_mapping,
)
