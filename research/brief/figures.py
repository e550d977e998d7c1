"""Static charts for the brief (matplotlib/seaborn), one function per chart.

Each takes a result table and returns a Figure; nothing is shown or saved here
(``Results.figure`` saves PNG and SVG). What they share lives in `research.brief.chartkit`:

- Fonts that draw Devanagari and Cyrillic (`chartkit.style`, applied by ``@styled``).
- The client in `chartkit.CLIENT_COLOR` with a bold label, competitors in muted blues and
  greys, one colour per brand across charts: pass the `brand_palette` of the run's brands
  (``figures.brand_palette(run.brands)``), or ``client=`` with plain names.
- Plain words on every axis: no column names, shares as %, thousands separated, dates as
  "12 Sep", the client's time zone named on time axes.
- An empty table gives a figure saying "No data for this chart in the period" (never
  None), so notebooks record every chart unconditionally.
- A one-sentence summary (`chartkit.alt_text`) that the brief uses as alt text.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from research.brief.chartkit import (
    LABEL_CHARS,
    brand_color,
    brand_palette,
    day_month,
    empty_figure,
    mark_client,
    percent,
    plain,
    set_alt,
    short_label,
    styled,
    thousands,
    times,
)
from research.schema import MEDIA_TYPES

__all__ = [
    "brand_palette",
    "BETTER",
    "WORSE",
    "NEUTRAL",
    "engagement_per_post",
    "heatmap",
    "content_mix",
    "uplift",
    "share_of_voice",
    "sentiment_weekly",
    "top_hashtags",
    "bar",
]

# Uplift colours: the two ends of ColorBrewer's PRGn (colour-blind safe), grey for "not shown
# to differ"; none of them is the client's vermillion.
BETTER, WORSE, NEUTRAL = "#1B7837", "#762A83", "#9AA5B1"
# Media types in a fixed order of Okabe-Ito/Tableau hues (vermillion left to the client).
_MEDIA_COLORS = dict(
    zip(
        [*MEDIA_TYPES, "unknown"],
        ["#56B4E9", "#0072B2", "#009E73", "#F0E442", "#CC79A7", "#E69F00",
         "#8C564B", "#17BECF", "#9467BD", "#999999", "#C8C8C8"],
        strict=True,
    )
)  # fmt: skip
_DARK = "#333333"
_LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}


def _finish(fig: Figure, alt: str) -> Figure:
    # The last guard: any text still longer than a label can be (a tick, a legend entry) is cut.
    for text in fig.findobj(Text):
        if len(text.get_text()) > 2 * LABEL_CHARS:
            text.set_text(short_label(text.get_text(), 2 * LABEL_CHARS))
    plt.close(fig)  # keep pyplot's registry empty; the Figure object stays usable
    return set_alt(fig, short_label(alt, 1_000))


def _figure(height: float, width: float = 7.5):
    return plt.subplots(figsize=(width, height), layout="constrained")


def _client(palette: Mapping[str, str] | None, client: str | None) -> str | None:
    return client if client is not None else getattr(palette, "client", None)


def _palette(brands: pd.Series, palette: Mapping[str, str] | None, client: str | None) -> Mapping[str, str]:
    return palette if palette is not None else brand_palette(list(dict.fromkeys(brands.astype(str))), client)


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()


def _num(value: float, decimals: int = 0) -> str:
    return "–" if not np.isfinite(value) else f"{value:,.{decimals}f}"


def _pct(value: float) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.0%}"


@styled
def engagement_per_post(
    scorecard: pd.DataFrame, palette: Mapping[str, str] | None = None, *, client: str | None = None
) -> Figure:
    """Median engagement per own post for each brand (bars), with the mean (diamonds)."""
    title = "Engagement per own post"
    if scorecard.empty:
        return empty_figure(title)
    client = _client(palette, client)
    palette = _palette(scorecard["brand"], palette, client)
    brands = scorecard["brand"].astype(str).tolist()
    median, mean = _floats(scorecard["engagement_median"]), _floats(scorecard["engagement_mean"])
    fig, ax = _figure(1.5 + 0.45 * len(brands))
    y = np.arange(len(brands))
    bars = ax.barh(y, np.nan_to_num(median), height=0.6, color=[brand_color(palette, b) for b in brands])
    ax.bar_label(bars, labels=[_num(m) for m in median], padding=3, fontsize=9, color=_DARK)
    ax.scatter(mean, y, marker="D", s=24, color=_DARK, zorder=3)
    ax.set_yticks(y, brands)
    ax.invert_yaxis()
    mark_client(ax.get_yticklabels(), client)
    ax.set_xlabel("Engagement per own post (likes, reposts, replies, quotes and saves)")
    thousands(ax.xaxis)
    ax.set_xlim(0, np.nanmax([*median, *mean, 1]) * 1.15)
    handles = [
        Patch(color="#BBBBBB", label="median post (bar)"),
        Line2D([], [], marker="D", linestyle="", color=_DARK, label="mean post"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=9)
    alt = "; ".join(
        f"{b}{' (client)' if b == client else ''} {_num(m)}" for b, m in zip(brands, median, strict=True)
    )
    return _finish(fig, f"Median engagement per own post: {alt}.")


@styled
def heatmap(matrix: pd.DataFrame, *, title: str, unit: str, timezone: str) -> Figure:
    """A weekday × hour matrix (rows Monday..Sunday, columns 0..23) as a heatmap."""
    values = matrix.astype("float64")  # seaborn's heatmap rejects nullable Float64
    if values.empty or not np.nansum(values.to_numpy()):
        return empty_figure(title, width=9)
    fig, ax = _figure(3.3, width=9)
    sns.heatmap(
        values,
        cmap="rocket_r",
        ax=ax,
        cbar_kws={"label": unit.capitalize()},
        linewidths=0.3,
        linecolor="white",
    )
    thousands(ax.collections[0].colorbar.ax.yaxis)
    ax.set_title(title)
    ax.set_xticks(
        np.arange(len(values.columns)) + 0.5, [str(c) for c in values.columns], rotation=0, fontsize=8
    )
    ax.set_xlabel(f"Hour of day, local time ({timezone})")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    day, hour = np.unravel_index(np.nanargmax(values.to_numpy()), values.shape)
    peak = values.iat[day, hour]
    alt = (
        f"{title}: busiest {values.index[day]} at {values.columns[hour]}:00 {timezone} ({_num(peak)} {unit})."
    )
    return _finish(fig, alt)


@styled
def content_mix(
    mix: pd.DataFrame, palette: Mapping[str, str] | None = None, *, client: str | None = None
) -> Figure:
    """Share of each media type in each brand's own posts (stacked bars); the client's label stands out."""
    title = "Content-type mix"
    if mix.empty:
        return empty_figure(title)
    client = _client(palette, client)
    table = mix.pivot_table(index="brand", columns="media_type", values="share", aggfunc="sum", sort=False)
    table = table.fillna(0.0).astype("float64")
    fig, ax = _figure(1.6 + 0.45 * len(table))
    left = np.zeros(len(table))
    for column in table.columns:
        shares = table[column].to_numpy()
        bars = ax.barh(table.index.astype(str), shares, left=left, height=0.65,
                       color=_MEDIA_COLORS.get(str(column), "#C8C8C8"), label=plain(column), edgecolor="white")  # fmt: skip
        ax.bar_label(
            bars, labels=[f"{s:.0%}" if s >= 0.08 else "" for s in shares], label_type="center", fontsize=8
        )
        left += shares
    ax.invert_yaxis()
    mark_client(ax.get_yticklabels(), client)
    ax.set_xlabel("Share of own posts")
    ax.set_xlim(0, 1)
    percent(ax.xaxis)
    fig.legend(loc="outside lower center", ncols=min(len(table.columns), 6), fontsize=9)
    top = table.idxmax(axis=1)
    alt = "; ".join(f"{b}: mostly {plain(t)} ({_pct(table.at[b, t])})" for b, t in top.items())
    return _finish(fig, f"Content-type mix of own posts. {alt}.")


@styled
def uplift(table: pd.DataFrame, *, label: str = "feature", title: str = "") -> Figure:
    """Uplift with its 95 % interval per feature (format, mechanic, hashtag); 1× = no difference.

    A point is green ("better") or purple ("worse") only where the table's ``significant``
    column says so (the analysis's own rule, see `research.analyses.stats.uplift`), grey
    otherwise; the chart never applies a rule of its own. Features too rare to test
    (``eligible`` false) are left out.
    """
    data = table.loc[table["eligible"].fillna(False).astype(bool)].copy()
    if data.empty:
        return empty_figure(title or "Engagement uplift")
    data = data.sort_values("uplift", ascending=True)
    names = [short_label(n) for n in data[label].astype(str).map(plain if label == "feature" else str)]
    mid = _floats(data["uplift"])
    low, high = _floats(data["ci_low"]), _floats(data["ci_high"])
    significant = data["significant"].fillna(False).astype(bool).to_numpy()
    verdict = np.where(significant, np.where(mid > 1, "better", "worse"), "not shown to differ")
    colours = np.where(verdict == "better", BETTER, np.where(verdict == "worse", WORSE, NEUTRAL))
    fig, ax = _figure(1.7 + 0.42 * len(data))
    y = np.arange(len(data))
    ax.axvline(1.0, color="#52606D", linestyle="--", linewidth=1, zorder=1)
    xerr = np.vstack([np.nan_to_num(mid - low), np.nan_to_num(high - mid)]).clip(min=0)
    for colour in dict.fromkeys(colours):  # errorbar's caps take one colour per call
        at = colours == colour
        ax.errorbar(
            mid[at], y[at], xerr=xerr[:, at], fmt="none", ecolor=colour, elinewidth=2.2, capsize=3, zorder=2
        )
    ax.scatter(mid, y, c=colours, s=42, zorder=3)
    for yi, m, h in zip(y, mid, high, strict=True):
        ax.annotate(f"{m:.2f}×", (np.nanmax([m, h]), yi), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=8, color=_DARK, bbox=_LABEL_BOX)  # fmt: skip
    ax.set_yticks(y, names)
    span = np.nanmax([*high, *mid, 1.0]) - np.nanmin([*low, *mid, 1.0])
    ax.set_xlim(
        min(np.nanmin([*low, *mid, 1.0]) - 0.08 * span, 0.95), np.nanmax([*high, *mid, 1.0]) + 0.18 * span
    )
    times(ax.xaxis)
    ax.annotate("1× = the usual post", (1.0, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 2),
                textcoords="offset points", ha="center", va="bottom", fontsize=8, color="#52606D")  # fmt: skip
    ax.set_xlabel("Times the engagement of the account's usual post (median), with 95% interval")
    if title:
        ax.set_title(title, pad=14)
    shown = [("better", BETTER, "better (significant)"), ("worse", WORSE, "worse (significant)"),
             ("not shown to differ", NEUTRAL, "not significant")]  # fmt: skip
    handles = [
        Line2D([], [], marker="o", color=c, label=text) for v, c, text in shown if (verdict == v).any()
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=9)
    parts = [
        f"{n} {m:.2f}× (95% interval {lo:.2f}–{hi:.2f}, {v})"
        for n, m, lo, hi, v in zip(names, mid, low, high, verdict, strict=True)
    ]
    return _finish(fig, f"{title or 'Engagement uplift'}: {'; '.join(reversed(parts))}.")


@styled
def share_of_voice(
    sov: pd.DataFrame, palette: Mapping[str, str] | None = None, *, client: str | None = None
) -> Figure:
    """Each brand's share of the brands' posts (solid) and of their engagement (hatched)."""
    title = "Share of voice"
    if sov.empty:
        return empty_figure(title)
    client = _client(palette, client)
    palette = _palette(sov["brand"], palette, client)
    brands = sov["brand"].astype(str).tolist()
    posts, engagement = _floats(sov["share_of_voice"]), _floats(sov["engagement_share"])
    fig, ax = _figure(1.6 + 0.6 * len(brands))
    y = np.arange(len(brands))
    colours = [brand_color(palette, b) for b in brands]
    a = ax.barh(y - 0.2, np.nan_to_num(posts), height=0.38, color=colours)
    b = ax.barh(y + 0.2, np.nan_to_num(engagement), height=0.38, color=colours, alpha=0.55, hatch="///",
                edgecolor="white")  # fmt: skip
    for bars, values in ((a, posts), (b, engagement)):
        ax.bar_label(
            bars, labels=[f"{v:.0%}" if np.isfinite(v) else "–" for v in values], padding=3, fontsize=8
        )
    ax.set_yticks(y, brands)
    ax.invert_yaxis()
    mark_client(ax.get_yticklabels(), client)
    ax.set_xlabel("Share of all brands' posts and engagement in the market's hashtag stream")
    ax.set_xlim(0, max(np.nanmax([*posts, *engagement, 0.1]) * 1.2, 0.1))
    percent(ax.xaxis)
    handles = [Patch(color="#8C96A3", label="share of posts"),
               Patch(facecolor="#8C96A3", alpha=0.55, hatch="///", edgecolor="white", label="share of engagement")]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=9)
    alt = "; ".join(
        f"{n}{' (client)' if n == client else ''} {_pct(p)} of posts, {_pct(e)} of engagement"
        for n, p, e in zip(brands, posts, engagement, strict=True)
    )
    return _finish(fig, f"Share of voice: {alt}.")


_MARKERS = ("s", "^", "v", "D", "P", "X", "<", ">")


@styled
def sentiment_weekly(
    weekly: pd.DataFrame,
    palette: Mapping[str, str] | None = None,
    *,
    timezone: str,
    client: str | None = None,
) -> Figure:
    """Share of negative mentions per brand and week; the client's line is the strong one."""
    title = "Negative share of mentions per week"
    data = weekly.assign(when=pd.to_datetime(weekly["when"]), share=_floats(weekly["negative_share"]))
    data = data.loc[data["when"].notna()]
    if data.empty or not np.isfinite(data["share"]).any():
        return empty_figure(title, width=8.5)
    client = _client(palette, client)
    palette = _palette(data["brand"], palette, client)
    fig, ax = _figure(3.4, width=8.5)
    brands = list(dict.fromkeys(data["brand"].astype(str)))
    others = [b for b in brands if b != client]
    worst = {}
    for i, brand in enumerate(
        [*others, *[b for b in brands if b == client]]
    ):  # the client drawn last, on top
        line = data.loc[data["brand"].astype(str) == brand].sort_values("when")
        is_client = brand == client
        ax.plot(line["when"], line["share"], label=brand, color=brand_color(palette, brand),
                linewidth=2.8 if is_client else 1.4, marker="o" if is_client else _MARKERS[i % len(_MARKERS)],
                markersize=5 if is_client else 4, zorder=3 if is_client else 2)  # fmt: skip
        if line["share"].notna().any():
            top = line.loc[line["share"].idxmax()]
            worst[brand] = (top["share"], top["when"])
    ax.set_ylim(0, 1)
    percent(ax.yaxis)
    day_month(ax.xaxis)
    ax.set_ylabel("Negative share of scored mentions")
    ax.set_xlabel(f"Week starting (local time, {timezone})")
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda k: (labels[k] != client, brands.index(labels[k])))
    legend = fig.legend(
        [handles[k] for k in order], [labels[k] for k in order], loc="outside right upper", fontsize=9
    )
    mark_client(legend.get_texts(), client)
    alt = "; ".join(f"{b} peaked at {_pct(s)} in the week of {w.day} {w:%b}" for b, (s, w) in worst.items())
    return _finish(fig, f"Negative share of mentions per week. {alt}.")


@styled
def top_hashtags(freq: pd.DataFrame, *, n: int = 15) -> Figure:
    """Most used hashtags across all posts in the period."""
    data = freq.loc[freq["scope"] == "all posts"].nsmallest(n, "rank")
    return bar(
        data, x="posts", y="hashtag", xlabel="Posts using the hashtag", prefix="#", title="Most used hashtags"
    )


@styled
def bar(data: pd.DataFrame, *, x: str, y: str, xlabel: str, prefix: str = "", title: str = "") -> Figure:
    """A plain horizontal bar chart of one count per label, largest first, values at the bar ends."""
    if data.empty:
        return empty_figure(title)
    values, names = _floats(data[x]), [short_label(n) for n in prefix + data[y].astype(str)]
    fig, ax = _figure(1.3 + 0.32 * len(data))
    bars = ax.barh(np.arange(len(data)), np.nan_to_num(values), color="#4E6E8E", height=0.7)
    ax.bar_label(bars, labels=[_num(v) for v in values], padding=3, fontsize=8, color=_DARK)
    ax.set_yticks(np.arange(len(data)), names)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, np.nanmax([*values, 1]) * 1.12)
    thousands(ax.xaxis)
    if title:
        ax.set_title(title)
    alt = "; ".join(f"{n} {_num(v)}" for n, v in zip(names[:10], values[:10], strict=True))
    return _finish(fig, f"{title or xlabel}: {alt}.")
