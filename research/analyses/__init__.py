"""Analyses: pure functions of the canonical tables, one module per question.

``metrics`` and ``stats`` hold the shared definitions (engagement, periods, tests);
``competitors``, ``timing``, ``hashtags``, ``mechanics``, ``text``, ``audience`` and
``overview`` answer the brief's questions; ``graph`` builds and measures the audience
interaction graph.
"""
