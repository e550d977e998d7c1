"""generic CSV/XLSX: importers (being written)."""
