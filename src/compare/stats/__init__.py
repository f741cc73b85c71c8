"""The compare stage: ``stat_*`` functions over segment, token and theme tables.

Each function returns a documented DataFrame (or a small result object whose
parts are DataFrames) that a ``plot_*`` function can draw and a user can export.
"""
