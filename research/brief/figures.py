"""Static charts for the brief (matplotlib/seaborn), one function per chart.

Each takes a result table and returns a Figure; nothing is shown or saved here
(``Results.figure`` saves). Brands keep one colour across charts. Every axis says
its unit; time axes say the client's timezone.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.text import Text

__all__ = [
    "brand_palette",
    "engagement_per_post",
    "heatmap",
    "content_mix",
    "uplift",
    "share_of_voice",
    "sentiment_weekly",
    "top_hashtags",
    "bar",
    "short_label",
]

PALETTE = "colorblind"
LABEL_CHARS = 40  # a label longer than this (a 1 MB handle) is cut, or the figure grows to fit it


def short_label(text: object, limit: int = LABEL_CHARS) -> str:
    """``text`` as a label of at most ``limit`` characters (cut with an ellipsis).

    >>> short_label("x" * 50)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'
    """
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def brand_palette(brands: list[str]) -> dict[str, tuple]:
    """A fixed colour per brand, in params order (client first)."""
    return dict(zip(brands, sns.color_palette(PALETTE, max(len(brands), 3)), strict=False))


def _finish(fig: Figure) -> Figure:
    # The last guard: any text still longer than a label can be (a legend entry, a title) is cut.
    for text in fig.findobj(Text):
        if len(text.get_text()) > 2 * LABEL_CHARS:
            text.set_text(short_label(text.get_text(), 2 * LABEL_CHARS))
    fig.tight_layout()
    plt.close(fig)  # keep pyplot's registry empty; the Figure object stays usable
    return fig


def engagement_per_post(scorecard: pd.DataFrame) -> Figure:
    """Median and mean engagement per post for each brand, side by side."""
    data = scorecard.melt(
        id_vars=["brand"],
        value_vars=["engagement_median", "engagement_mean"],
        var_name="statistic",
        value_name="engagement per post",
    )
    data["statistic"] = data["statistic"].map({"engagement_median": "median", "engagement_mean": "mean"})
    data["engagement per post"] = data["engagement per post"].astype("float64")  # seaborn needs numpy floats
    fig, ax = plt.subplots(figsize=(7, 2.4 + 0.35 * len(scorecard)))
    sns.barplot(data=data, y="brand", x="engagement per post", hue="statistic", palette=PALETTE, ax=ax)
    ax.set_xlabel("engagement per own post (likes + reposts + replies + quotes + saves)")
    ax.set_ylabel("")
    ax.legend(title="", loc="lower right")
    sns.despine(fig)
    return _finish(fig)


def heatmap(matrix: pd.DataFrame, *, title: str, unit: str, timezone: str) -> Figure:
    """A weekday × hour matrix (rows Monday..Sunday, columns 0..23) as a heatmap."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    values = matrix.astype("float64")  # seaborn's heatmap rejects nullable Float64
    sns.heatmap(values, cmap="rocket_r", ax=ax, cbar_kws={"label": unit}, linewidths=0.3, linecolor="white")
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_xlabel(f"hour of day ({timezone})")
    ax.set_ylabel("")
    return _finish(fig)


def content_mix(mix: pd.DataFrame) -> Figure:
    """Share of each media type in each brand's own posts (stacked bars)."""
    table = mix.pivot_table(index="brand", columns="media_type", values="share", aggfunc="sum", sort=False)
    table = table.fillna(0.0).astype("float64")
    fig, ax = plt.subplots(figsize=(7, 2.2 + 0.35 * len(table)))
    left = np.zeros(len(table))
    for colour, column in zip(sns.color_palette(PALETTE, len(table.columns)), table.columns, strict=True):
        ax.barh(table.index, table[column], left=left, color=colour, label=column)
        left += table[column].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("share of own posts")
    ax.set_xlim(0, 1)
    ax.legend(
        ncols=min(len(table.columns), 6), loc="upper center", bbox_to_anchor=(0.5, -0.25), frameon=False
    )
    sns.despine(fig)
    return _finish(fig)


def uplift(table: pd.DataFrame, *, label: str = "feature", title: str = "") -> Figure:
    """Uplift with its interval per feature (format, mechanic, hashtag); 1 = no effect."""
    data = table.loc[table["eligible"].fillna(False).astype(bool)].copy()
    fig, ax = plt.subplots(figsize=(7, 1.6 + 0.4 * max(len(data), 1)))
    if data.empty:
        ax.text(0.5, 0.5, "not enough posts to measure", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _finish(fig)
    data = data.sort_values("uplift")
    y = np.arange(len(data))
    significant = data["significant"].fillna(False).astype(bool).to_numpy()
    mid = data["uplift"].astype("float64").to_numpy()
    low = mid - data["ci_low"].astype("float64").to_numpy()
    high = data["ci_high"].astype("float64").to_numpy() - mid
    colours = np.where(significant, "#0b6e4f", "#9aa5b1")
    ax.errorbar(mid, y, xerr=[low, high], fmt="none", ecolor=colours, elinewidth=2)
    ax.scatter(mid, y, c=colours, zorder=3)
    ax.axvline(1.0, color="#52606d", linestyle="--", linewidth=1)
    ax.set_yticks(y, [short_label(v) for v in data[label]])
    ax.set_xlabel("engagement relative to the account's median (1 = no effect; green = significant)")
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    sns.despine(fig)
    return _finish(fig)


def share_of_voice(sov: pd.DataFrame, palette: dict[str, tuple]) -> Figure:
    """Share of voice by posts and by engagement, per brand."""
    data = sov.melt(
        id_vars=["brand"],
        value_vars=["share_of_voice", "engagement_share"],
        var_name="measure",
        value_name="share",
    )
    data["measure"] = data["measure"].map({"share_of_voice": "posts", "engagement_share": "engagement"})
    data["share"] = data["share"].astype("float64")
    fig, ax = plt.subplots(figsize=(7, 2.4 + 0.35 * len(sov)))
    sns.barplot(data=data, y="brand", x="share", hue="measure", palette=PALETTE, ax=ax)
    ax.set_xlabel("share of voice in the market's hashtag stream")
    ax.set_ylabel("")
    ax.legend(title="by", loc="lower right")
    sns.despine(fig)
    return _finish(fig)


def sentiment_weekly(weekly: pd.DataFrame, palette: dict[str, tuple], *, timezone: str) -> Figure:
    """Share of negative mentions per brand and week."""
    data = weekly.copy()
    data["when"] = pd.to_datetime(data["when"])
    data["negative_share"] = data["negative_share"].astype("float64")
    fig, ax = plt.subplots(figsize=(8, 3.2))
    sns.lineplot(data=data, x="when", y="negative_share", hue="brand", palette=palette, marker="o", ax=ax)
    ax.set_ylabel("negative share of scored mentions")
    ax.set_xlabel(f"week starting ({timezone})")
    ax.set_ylim(0, 1)
    ax.legend(title="", ncols=2)
    sns.despine(fig)
    return _finish(fig)


def top_hashtags(freq: pd.DataFrame, *, n: int = 15) -> Figure:
    """Most used hashtags across all posts in the period."""
    data = freq.loc[freq["scope"] == "all posts"].nsmallest(n, "rank")
    return bar(data, x="posts", y="hashtag", xlabel="posts using the hashtag", prefix="#")


def bar(data: pd.DataFrame, *, x: str, y: str, xlabel: str, prefix: str = "") -> Figure:
    """A plain horizontal bar chart of one measure."""
    data = data.assign(**{x: data[x].astype("float64"), y: [short_label(prefix + str(v)) for v in data[y]]})
    fig, ax = plt.subplots(figsize=(7, 1.4 + 0.3 * max(len(data), 1)))
    sns.barplot(data=data, y=y, x=x, color=sns.color_palette(PALETTE)[0], ax=ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    sns.despine(fig)
    return _finish(fig)
