"""reddit: importers and collectors (being written)."""
