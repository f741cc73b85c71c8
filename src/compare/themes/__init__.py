"""Code themes: rules in a small boolean language, applied to each passage of a plan."""

from compare.themes.coding import (
    Theme,
    code_themes,
    default_themes_path,
    load_themes,
    themes_wide,
)

__all__ = ["Theme", "code_themes", "default_themes_path", "load_themes", "themes_wide"]
