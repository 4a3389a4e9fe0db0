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
from coordinator.hq_screen.layers import Rows

FORMATS = ("csv", "geojson")
_FLUSH = 200


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # keep spreadsheet programs from running names as formulas
    return value


def csv_stream(rows: Rows) -> Iterator[str]:
    """CSV with a header from the first row's keys; nested values as JSON."""
    buf = io.StringIO()
    writer: csv.DictWriter | None = None
    count = 0
    for row in rows:
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
