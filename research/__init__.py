"""Competitor and audience research workbench for social media marketing.

Data flow: sources (importers, collectors) -> store (raw + canonical Parquet) ->
analyses (competitors, timing, hashtags, graph, audience, text) -> notebooks -> brief.
"""

__version__ = "0.1.0"
