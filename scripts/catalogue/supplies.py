"""Russian and Kazakh for the supplies pages (merged by scripts/translations.py)."""

RU: dict[str, str] = {}
KK: dict[str, str] = {}
