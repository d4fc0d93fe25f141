"""The shared machinery every blueprint uses: the one permission mechanism
(permissions, masking, customer_views), the audit trail, htmx answers, pages,
phones, text folding, passwords, sessions, the edge guards, formatting and the
catalogues, the search and purchase indexes, CSV safety. A module here imports
models and other core modules, never a blueprint."""
