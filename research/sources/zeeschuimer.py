"""zeeschuimer: importers and collectors (being written)."""
