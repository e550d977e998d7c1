"""fourcat: importers and collectors (being written)."""
