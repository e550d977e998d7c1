"""Running the workbench: one brief (``pipeline``), many (``batch``), what a notebook
starts from (``notebook``), and the interactive explorer (``explore``)."""
