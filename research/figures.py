"""Static charts for the brief (matplotlib/seaborn), one function per chart.

Each takes a result table and returns a Figure; nothing is shown or saved here
(``Results.figure`` saves). Colours are fixed per brand so charts agree.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

__all__ = ["engagement_per_post"]

PALETTE = "colorblind"


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
    fig, ax = plt.subplots(figsize=(7, 3.2 + 0.25 * len(scorecard)))
    sns.barplot(data=data, y="brand", x="engagement per post", hue="statistic", palette=PALETTE, ax=ax)
    ax.set_xlabel("engagement per post (likes + reposts + replies + quotes + saves)")
    ax.set_ylabel("")
    ax.legend(title="", loc="lower right")
    sns.despine(fig)
    fig.tight_layout()
    plt.close(fig)  # keep pyplot's registry empty; the Figure object stays usable
    return fig
