"""Record parsers, one module per file format. Each turns one decoded record into a
:class:`pipeline.schema.Post` or raises :class:`pipeline.schema.RecordError` naming the bad field.

They are pure (no I/O, no store), so the live collectors and the file importer share them:

- :func:`parse_snscrape` (snscrape JSONL: X, Telegram, Mastodon, Reddit, Facebook, Instagram items)
- :func:`parse_twscrape` (twscrape's tweet JSON)
- :func:`parse_status` (Mastodon REST API statuses)
- :func:`parse_message` (Telegram Desktop ``result.json`` messages)
- :func:`parse_row` with a :class:`CsvMapping` (CSV exports, any platform)
"""

from .csv_mapped import CsvMapping, load_mapping, parse_row
from .mastodon import parse_status
from .snscrape import parse_snscrape
from .telegram_export import parse_message
from .twscrape import parse_twscrape

# Names accepted by `netra collect file --format`.
FORMATS = ("auto", "snscrape", "twscrape", "mastodon", "telegram-export", "csv")

__all__ = [
    "FORMATS",
    "CsvMapping",
    "load_mapping",
    "parse_message",
    "parse_row",
    "parse_snscrape",
    "parse_status",
    "parse_twscrape",
]
