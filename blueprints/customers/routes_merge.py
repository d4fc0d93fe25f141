"""Filled in by the directory data work (merge, delete, export, import)."""
