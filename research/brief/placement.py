"""Labels beside points that never overlap each other: greedy placement around each point.

Used by `research.brief.graph_export.draw_graph`. Each label, in priority order, tries
spots around its point (16 directions, at growing distances) and takes the cheapest one
that stays inside the axes and touches no label placed before it; covering other points
costs extra, so labels sit in empty space when there is some. A label with no free spot
is left out (the most important go first, so it is the least important that go).

Placement works in display pixels, so the axes position and limits must be final before
calling (no constrained layout or autoscaling afterwards). Saving at another dpi scales
everything alike, so what does not overlap here does not overlap in the saved file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.collections import LineCollection
from matplotlib.text import Text

__all__ = ["Label", "place_labels"]

_DIRECTIONS = np.deg2rad(
    [0, 180, 90, 270, 45, 135, 315, 225, 22.5, 157.5, 337.5, 202.5, 67.5, 112.5, 292.5, 247.5]
)
_STEPS = np.array([0, 4, 10, 18, 28, 40, 55, 75, 100, 130])  # extra pixels beyond the point's edge
_COVER_COST = 30.0  # one covered point costs as much as 30 px of extra distance


@dataclass
class Label:
    """A label to place: its ``text``, the point ``xy`` (data), the point's radius in pixels."""

    text: str
    xy: tuple[float, float]
    radius: float = 0.0
    props: dict[str, Any] = field(default_factory=dict)  # Text properties (fontsize, weight...)


def _covered(rects: np.ndarray, discs: np.ndarray) -> np.ndarray:
    """How many discs (x, y, r) each rectangle (x0, y0, x1, y1) touches."""
    if len(discs) == 0:
        return np.zeros(len(rects), dtype=int)
    x = np.clip(discs[None, :, 0], rects[:, None, 0], rects[:, None, 2])
    y = np.clip(discs[None, :, 1], rects[:, None, 1], rects[:, None, 3])
    d2 = (x - discs[None, :, 0]) ** 2 + (y - discs[None, :, 1]) ** 2
    return (d2 < discs[None, :, 2] ** 2).sum(axis=1)


def _free(rects: np.ndarray, placed: list[np.ndarray]) -> np.ndarray:
    """Whether each rectangle misses every placed one."""
    if not placed:
        return np.ones(len(rects), dtype=bool)
    p = np.array(placed)
    apart = (
        (rects[:, None, 2] <= p[None, :, 0])
        | (rects[:, None, 0] >= p[None, :, 2])
        | (rects[:, None, 3] <= p[None, :, 1])
        | (rects[:, None, 1] >= p[None, :, 3])
    )
    return apart.all(axis=1)


def place_labels(
    ax: Axes,
    labels: Sequence[Label],
    *,
    renderer: RendererBase,
    discs: np.ndarray | None = None,
    margin: float = 2.0,
    leader_color: str = "#777777",
) -> list[Text]:
    """Add ``labels`` (most important first) to ``ax`` where they overlap nothing placed before.

    Parameters
    ----------
    ax : Axes
        With its final position and limits.
    labels : sequence of Label
    renderer : RendererBase
        Measures the texts (``fig.canvas.get_renderer()`` of an Agg canvas).
    discs : array of (x, y, r), optional
        Points to keep clear of, in display pixels (the drawn nodes).
    margin : float
        Pixels kept free around each label (room for a background box).

    Returns
    -------
    list of Text
        The placed labels (``ax.texts``), with a thin leader line where a label sits away
        from its point.
    """
    box = ax.get_window_extent(renderer)
    discs = np.empty((0, 3)) if discs is None else np.asarray(discs, dtype=float).reshape(-1, 3)
    placed: list[np.ndarray] = []
    texts: list[Text] = []
    leaders = []
    unit = np.column_stack([np.cos(_DIRECTIONS), np.sin(_DIRECTIONS)])
    for label in labels:
        text = ax.text(0, 0, label.text, ha="center", va="center", **label.props)
        extent = text.get_window_extent(renderer)
        half = np.array([extent.width / 2 + margin, extent.height / 2 + margin])
        point = ax.transData.transform(label.xy)
        reach = label.radius + margin + _STEPS[:, None, None]  # steps × directions × 2
        centres = (point + unit[None] * reach + unit[None] * half).reshape(-1, 2)
        distance = np.repeat(_STEPS, len(unit)).astype(float)
        rects = np.column_stack([centres - half, centres + half])
        inside = (
            (rects[:, 0] >= box.x0)
            & (rects[:, 1] >= box.y0)
            & (rects[:, 2] <= box.x1)
            & (rects[:, 3] <= box.y1)
        )
        ok = inside & _free(rects, placed)
        if not ok.any():
            text.remove()
            continue
        cost = np.where(ok, distance + _COVER_COST * _covered(rects, discs), np.inf)
        best = int(np.argmin(cost))  # the first of equal costs: nearest step, preferred direction
        text.set_position(ax.transData.inverted().transform(centres[best]))
        placed.append(rects[best])
        texts.append(text)
        if distance[best] > 12:
            edge = np.clip(point, rects[best][:2], rects[best][2:])
            start = point + (edge - point) * label.radius / max(np.hypot(*(edge - point)), 1e-9)
            leaders.append(ax.transData.inverted().transform([start, edge]))
    if leaders:
        ax.add_collection(
            LineCollection(leaders, colors=leader_color, linewidths=0.6, zorder=2.5), autolim=False
        )
    return texts
