"""mastodon: importers and collectors (being written)."""
