"""Streamed CSV and GeoJSON downloads of the map's layers. Rows are written
as they are read (in batches), so a large export never builds up in memory
and the first bytes leave at once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from coordinator.events.service import jsonable
from coordinator.housing.models import BED_CATEGORIES
from coordinator.hq_screen.layers import Rows

FORMATS = ("csv", "geojson")
_FLUSH = 200


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # keep spreadsheet programs from running names as formulas
    return value


BED_FIGURES = ("free", "held", "occupied", "total")


def _beds(beds: dict[str, dict[str, int]]) -> dict[str, int]:
    """A facility's beds as one column per category and figure (`standard_free`
    …), the same columns for every facility, so a spreadsheet can sum them."""
    return {f"{c}_{k}": beds.get(c, {}).get(k, 0) for c in BED_CATEGORIES for k in BED_FIGURES}


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    if isinstance(row.get("beds"), dict):
        row = {k: v for k, v in row.items() if k != "beds"} | _beds(row["beds"])
    return row


def csv_stream(rows: Rows) -> Iterator[str]:
    """CSV with a header from the first row's keys; a facility's beds one
    column per category and figure; other nested values as JSON."""
    buf = io.StringIO()
    writer: csv.DictWriter | None = None
    count = 0
    for row in map(_flat, rows):
        if writer is None:
            writer = csv.DictWriter(buf, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: _cell(v) for k, v in row.items()})
        count += 1
        if count % _FLUSH == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def geojson_stream(rows: Rows) -> Iterator[str]:
    """A FeatureCollection of points, one feature per row."""
    yield '{"type":"FeatureCollection","features":['
    first = True
    for row in rows:
        if row.get("lat") is None or row.get("lon") is None:
            continue
        props = {k: v for k, v in row.items() if k not in ("lat", "lon")}
        feature = {
            "type": "Feature",
            "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": jsonable(props),
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        first = False
    yield "]}"
