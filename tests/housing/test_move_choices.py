""" "Move here" on the placements board: the nearest open facilities with
room for the whole group, measured from where the group is (its facility
once assigned, else its origin), with free beds and distance."""

import re

from coordinator.housing.moves import CHOICES


def _options(html: str, placement_id: int) -> list[str]:
    row = html.split(f'id="placement-{placement_id}"', 1)[1].split("</details>", 1)[0]
    return re.findall(r"<option value=\"\d+\">([^<]*)</option>", row)


def test_nearest_with_room_first_from_where_the_group_is(client, make, hq, login):
    region = make.region("almaty")
    here = make.facility("almaty", beds={"standard": 3}, lat=region.lat + 1.0, lon=region.lon)
    beside_here = make.facility("almaty", beds={"standard": 6}, lat=region.lat + 1.05, lon=region.lon)
    near_origin = make.facility("almaty", beds={"standard": 4}, lat=region.lat + 0.05, lon=region.lon)
    make.facility("almaty", beds={"standard": 40}, lat=region.lat, lon=region.lon, status="closed")
    make.facility("almaty", beds={"isolation": 40}, lat=region.lat, lon=region.lon)  # not a category for them
    waiting = make.placement(None, head_count=3, status="waiting")
    assigned = make.placement(here, head_count=3)
    login(hq)
    html = client.get("/hq/placements").get_data(as_text=True)

    # Waiting: measured from its origin; `here` is full once `assigned` holds its beds.
    assert _options(html, waiting.id) == [
        f"{near_origin.name}: 4 free, 5.6 km",
        f"{beside_here.name}: 6 free, 116.8 km",
    ]
    # Assigned: measured from its facility, which is not offered again.
    assert _options(html, assigned.id) == [
        f"{beside_here.name}: 6 free, 5.6 km",
        f"{near_origin.name}: 4 free, 105.6 km",
    ]


def test_a_group_nobody_can_take_is_told_so(client, make, hq, login):
    make.facility("almaty", beds={"standard": 2})
    waiting = make.placement(None, head_count=5, status="waiting")
    login(hq)
    html = client.get("/hq/placements").get_data(as_text=True)
    assert _options(html, waiting.id) == []
    assert "No other facility has room for this group now." in html


def test_at_most_the_nearest_few_are_offered(client, make, hq, login):
    region = make.region("almaty")
    for i in range(CHOICES + 5):
        make.facility("almaty", beds={"standard": 5}, lat=region.lat + 0.01 * (i + 1), lon=region.lon)
    waiting = make.placement(None, head_count=1, status="waiting")
    login(hq)
    options = _options(client.get("/hq/placements").get_data(as_text=True), waiting.id)
    assert len(options) == CHOICES
    km = [float(o.rsplit(", ", 1)[1].removesuffix(" km")) for o in options]
    assert km == sorted(km)
