"""Importing customers from a spreadsheet (CSV), including the customer exports
of the systems merchants leave: Square, Shopify, Lightspeed, Open Source POS
and Comptoir's own.

The package, by step:
- reading.py: refuse what is not a usable CSV; encoding, delimiter, row
  count; then the rows with their line numbers.
- targets.py: the fields an import fills, and which an employee may fill.
- sources.py: the exports of the systems shops leave (Square, Shopify,
  Lightspeed, Open Source POS, Comptoir): their column names for each field.
- uploads.py: the uploaded file, kept in the database until its job ends.
- cells.py: one cell read as a value (a protective apostrophe taken off; yes
  or no, a number, an email, a phone, a country, a birthday...).
- rows.py: one row's cells turned into customer values, with its refusals
  (a broken line, nobody identified) and warnings (a value it could not read,
  kept unverified or in the comments).
- preview.py: the first rows as they would be read, on the mapping page.
- staging.py, then committing.py: the checked rows written in two steps,
  all-or-nothing even if the worker dies, duplicates handled as chosen;
  bulk.py: the bulk inserts under both.
- jobs.py: the job's run on the queue (blueprints/customers/tasks.py
  enqueues it), cancel and retry; recovery.py: jobs whose worker died,
  uploads left behind.
- report.py: the report in words and as CSV.

The report holds line numbers and reason codes only, never a rejected value.
"""
from blueprints.customers.importing.jobs import (  # noqa: F401
    BATCH,
    DUPLICATE_CHOICES,
    cancel,
    queue,
    retry,
    run_import,
)
from blueprints.customers.importing.preview import PREVIEW_ROWS, PreviewRow, preview  # noqa: F401
from blueprints.customers.importing.reading import (  # noqa: F401
    MAX_BYTES,
    MAX_COLUMNS,
    ImportRefused,
    UploadInfo,
    decode,
    detect_delimiter,
    iter_rows,
    read_upload,
)
from blueprints.customers.importing.recovery import is_dead, recover, sweep_uploads  # noqa: F401
from blueprints.customers.importing.report import (  # noqa: F401
    REASONS,
    entry_reason,
    reason_text,
    report_rows,
    warning_text,
)
from blueprints.customers.importing.rows import ParsedRow, RowParser  # noqa: F401
from blueprints.customers.importing.sources import ALIASES, auto_mapping  # noqa: F401
from blueprints.customers.importing.targets import TARGETS, Target, allowed_targets, check_mapping  # noqa: F401
from blueprints.customers.importing.uploads import (  # noqa: F401
    delete_upload,
    has_upload,
    start_upload,
    upload_text,
)
