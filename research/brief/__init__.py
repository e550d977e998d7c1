"""The strategy brief: one self-contained HTML file rendered from recorded results."""

from research.brief.render import SECTIONS, render_brief

__all__ = ["SECTIONS", "render_brief"]
