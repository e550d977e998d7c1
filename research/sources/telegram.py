"""telegram: importers and collectors (being written)."""
