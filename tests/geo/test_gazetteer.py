"""Offline geocoding and distances."""

import json

import numpy as np
import pytest

from coordinator.geo import gazetteer
from coordinator.geo.distance import geodesic_km, haversine_matrix

# (spelling a person might type, the settlement GeoNames calls it, its region)
NAMES = [
    ("Караганда", "Karagandy", "karaganda"),
    ("Қарағанды", "Karagandy", "karaganda"),
    ("Karaganda", "Karagandy", "karaganda"),
    ("Алматы", "Almaty", "almaty"),
    ("Alma-Ata", "Almaty", "almaty"),
    ("Алма-Ата", "Almaty", "almaty"),
    ("Астана", "Astana", "astana"),
    ("Nur-Sultan", "Astana", "astana"),
    ("Нур-Султан", "Astana", "astana"),
    ("Tselinograd", "Astana", "astana"),
    ("Шымкент", "Shymkent", "shymkent"),
    ("Chimkent", "Shymkent", "shymkent"),
    ("Усть-Каменогорск", "Ust-Kamenogorsk", "east-kz"),
    ("Өскемен", "Ust-Kamenogorsk", "east-kz"),
    ("Oskemen", "Ust-Kamenogorsk", "east-kz"),
    ("Семей", "Semey", "abai"),
    ("Семипалатинск", "Semey", "abai"),
    ("Павлодар", "Pavlodar", "pavlodar"),
    ("Экибастуз", "Ekibastuz", "pavlodar"),
    ("Актобе", "Aktobe", "aktobe"),
    ("Aktyubinsk", "Aktobe", "aktobe"),
    ("Атырау", "Atyrau", "atyrau"),
    ("Гурьев", "Atyrau", "atyrau"),
    ("Уральск", "Oral", "west-kz"),
    ("Uralsk", "Oral", "west-kz"),
    ("Актау", "Aktau", "mangystau"),
    ("Жанаозен", "Zhanaozen", "mangystau"),
    ("Кызылорда", "Kyzylorda", "kyzylorda"),
    ("Туркестан", "Turkistan", "turkistan"),
    ("Тараз", "Taraz", "jambyl"),
    ("Талдыкорган", "Taldykorgan", "jetisu"),
    ("Жезказган", "Zhezqazghan", "ulytau"),
    ("Zhezkazgan", "Zhezqazghan", "ulytau"),
    ("Костанай", "Kostanay", "kostanay"),
    ("Рудный", "Rudnyy", "kostanay"),
    ("Петропавловск", "Petropavl", "north-kz"),
    ("Кокшетау", "Kokshetau", "akmola"),
    ("Темиртау", "Temirtau", "karaganda"),
    ("Балхаш", "Balqash", "karaganda"),
    ("Щучинск", "Shchuchinsk", "akmola"),
]


@pytest.mark.parametrize(("query", "name", "region"), NAMES)
def test_geocode_offline(query, name, region):
    found = gazetteer.geocode(query)
    assert found is not None, query
    assert (found.name, found.region_code) == (name, region)
    assert 40.5 < found.lat < 55.5 and 46.4 < found.lon < 87.4


def test_unknown_place_is_not_guessed():
    assert gazetteer.geocode("Springfield") is None
    assert gazetteer.geocode("x") is None


def test_every_region_has_its_centre_and_settlements():
    assert len(gazetteer.regions()) == 20
    counts = {r.code: 0 for r in gazetteer.regions()}
    for s in gazetteer.settlements():
        counts[s.region_code] += 1
    assert all(n >= 1 for n in counts.values()), counts


def test_almaty_to_astana_is_about_970_km():
    almaty, astana = gazetteer.geocode("Almaty"), gazetteer.geocode("Astana")
    exact = geodesic_km((almaty.lat, almaty.lon), (astana.lat, astana.lon))
    assert 950 < exact < 990
    matrix = haversine_matrix(
        np.array([almaty.lat]),
        np.array([almaty.lon]),
        np.array([astana.lat, almaty.lat]),
        np.array([astana.lon, almaty.lon]),
    )
    assert matrix.shape == (1, 2)
    assert abs(matrix[0, 0] - exact) < 5 and matrix[0, 1] < 1e-6


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """The gazetteer with a cache directory of the test's own, read afresh."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    gazetteer._data.cache_clear()
    yield tmp_path / "birlik"
    gazetteer._data.cache_clear()  # the next test reads the usual cache


def test_the_countrys_settlements_are_kept_once_read_and_a_broken_copy_is_read_again(own_cache):
    settlements = gazetteer.settlements()
    (kept,) = own_cache.glob("geonames-KZ-*.json")
    assert len(settlements) > 300 and gazetteer.geocode("Өскемен").name == "Ust-Kamenogorsk"

    # What is kept is what is read: a copy naming one settlement gives one.
    almaty = next(c for c in json.loads(kept.read_text()) if c["name"] == "Almaty")
    kept.write_text(json.dumps([almaty]))
    gazetteer._data.cache_clear()
    assert [s.name for s in gazetteer.settlements()] == ["Almaty"]

    # A copy cut short (a process stopped while writing another way) is read from GeoNames again, and replaced.
    kept.write_text(json.dumps([almaty])[:40])
    gazetteer._data.cache_clear()
    assert gazetteer.settlements() == settlements
    assert len(json.loads(kept.read_text())) == len(settlements)
