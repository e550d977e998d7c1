"""facebook: importers and collectors (being written)."""
