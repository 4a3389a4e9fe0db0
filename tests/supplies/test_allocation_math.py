"""The arithmetic of fair shares, on cases computed by hand (no database)."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.supplies.fair_share import cover_claim, nearest_first, quantity_claim, share


def asks(*quantities, allocated=None):
    """Water-filling claims A, B, C ... in age order (A is the oldest request)."""
    allocated = allocated or [0] * len(quantities)
    return [
        quantity_claim(chr(65 + i), allocated=a, asked=q, rank=(i,))
        for i, (q, a) in enumerate(zip(quantities, allocated, strict=True))
    ]


# -- max-min water-filling on the quantities asked -----------------------------------------


def test_enough_stock_gives_everyone_what_they_asked():
    result = share(asks(10, 4, 10), 30)
    assert result.units == {"A": 10, "B": 4, "C": 10}
    assert result.level is None


def test_short_stock_is_water_filled_and_nobody_gets_more_than_asked():
    # 15 units for 10 + 4 + 10: B asked only 4 and gets them; the 11 left are
    # shared by A and C at 5.5 each; whole units: 5 and 5, and the one unit
    # left over goes to the oldest request still short, A.
    result = share(asks(10, 4, 10), 15)
    assert result.level == Fraction(11, 2)
    assert result.units == {"A": 6, "B": 4, "C": 5}


def test_leftover_units_go_one_each_to_the_oldest_still_short():
    # 8 units for three lines of 10: 8/3 each, so 2 each and 2 left over,
    # one to A and one to B.
    result = share(asks(10, 10, 10), 8)
    assert result.level == Fraction(8, 3)
    assert result.units == {"A": 3, "B": 3, "C": 2}


def test_earlier_allocations_count_toward_the_level():
    # A already holds 6 of its 10, B nothing of its 10; 8 units arrive.
    # B is raised to A's 6 first (6 units), the last 2 raise both to 7.
    result = share(asks(10, 10, allocated=[6, 0]), 8)
    assert result.level == 7
    assert result.units == {"A": 1, "B": 7}


def test_a_line_above_the_level_gets_nothing():
    result = share(asks(10, 10, 10, allocated=[9, 0, 0]), 6)
    assert result.units == {"A": 0, "B": 3, "C": 3}


def test_no_stock_gives_nothing():
    assert share(asks(5, 5), 0).units == {"A": 0, "B": 0}


# -- levelling days of cover ------------------------------------------------------------


def cover(key, on_hand, daily_use, asked, rank, allocated=0):
    return cover_claim(key, on_hand=on_hand, daily_use=daily_use, allocated=allocated, asked=asked, rank=(rank,))


def test_days_of_cover_raise_the_fewest_days_first():
    # A: 20 on hand at 10 a day = 2 days; B: 0 at 5 a day = 0 days;
    # C: 30 at 5 a day = 6 days. 25 units: B is raised to 2 days (10 units);
    # then A and B rise together, 15 units a day, by the last 15 units: one
    # day, to 3 days. C, at 6 days, gets nothing.
    result = share([cover("A", 20, 10, 100, 0), cover("B", 0, 5, 100, 1), cover("C", 30, 5, 100, 2)], 25)
    assert result.level == 3
    assert result.units == {"A": 10, "B": 15, "C": 0}


def test_days_of_cover_never_beyond_what_was_asked():
    # As above, but B asks only 12 (2.4 days). B takes 10 to reach 2 days;
    # A and B rise together until B's 12 (2.4 days, A taking 4); the last 9
    # go to A alone at 10 a day: 0.9 more days, level 3.3 days.
    result = share([cover("A", 20, 10, 100, 0), cover("B", 0, 5, 12, 1), cover("C", 30, 5, 100, 2)], 25)
    assert result.level == Fraction(33, 10)
    assert result.units == {"A": 13, "B": 12, "C": 0}


def test_days_of_cover_leftovers_go_to_the_lowest_cover_before_the_oldest():
    # A (newer) uses 4 a day, B (older) 6 a day, neither has stock; 7 units:
    # level 0.7 days, A 2.8 and B 4.2 units; whole units 2 and 4, and the
    # unit left over goes to A, whose 2 units are 0.5 days against B's 0.67.
    result = share([cover("A", 0, 4, 50, 1), cover("B", 0, 6, 50, 0)], 7)
    assert result.level == Fraction(7, 10)
    assert result.units == {"A": 3, "B": 4}


def test_days_of_cover_count_units_already_allocated():
    # A had 0 at 10 a day and has 20 allocated (2 days); B has 10 at 10 a day
    # (1 day). 30 units: B to 2 days (10), then both rise by 1 day (20).
    result = share([cover("A", 0, 10, 100, 0, allocated=20), cover("B", 10, 10, 100, 1)], 30)
    assert result.level == 3
    assert result.units == {"A": 10, "B": 20}


def test_fractional_daily_use_is_exact():
    # 2.5 and 0.5 a day, no stock, 9 units: level 3 days, 7.5 and 1.5 units;
    # floors 7 and 1, the unit left over to the lower cover: A at 2.8 days
    # against B at 2.0, so B.
    result = share([cover("A", 0, 2.5, 50, 0), cover("B", 0, 0.5, 50, 1)], 9)
    assert result.level == 3
    assert result.units == {"A": 7, "B": 2}


# -- nearest warehouse first ---------------------------------------------------------------


def test_nearest_first_splits_across_warehouses():
    sources = [("far", 120.0, 50), ("near", 3.5, 4), ("middle", 40.0, 10)]
    assert nearest_first(10, sources) == [("near", 4), ("middle", 6)]
    assert nearest_first(100, sources) == [("near", 4), ("middle", 10), ("far", 50)]
    assert nearest_first(3, sources) == [("near", 3)]
    assert nearest_first(5, [("empty", 1.0, 0), ("next", 2.0, 9)]) == [("next", 5)]


# -- properties of every share ---------------------------------------------------------------

lines = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 60)), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(lines=lines, supply=st.integers(0, 400))
def test_water_filling_is_max_min_in_whole_units(lines, supply):
    claims = [
        quantity_claim(i, allocated=min(a, q), asked=q, rank=(i,)) for i, (a, q) in enumerate(lines)
    ]  # (allocated, asked)
    units = share(claims, supply).units
    assert sum(units.values()) == min(supply, sum(c.cap for c in claims))
    for c in claims:
        assert 0 <= units[c.key] <= c.cap
    # Max-min: a line still short is within one unit of any line that got something.
    for c in claims:
        if units[c.key] < c.cap:
            for d in claims:
                if units[d.key] > 0:
                    assert c.base + units[c.key] >= d.base + units[d.key] - 1


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(st.integers(0, 100), st.integers(1, 20), st.integers(1, 80)), min_size=1, max_size=8),
    supply=st.integers(0, 400),
)
def test_days_of_cover_levelling_is_max_min_in_whole_units(lines, supply):
    claims = [
        cover_claim(i, on_hand=h, daily_use=u, allocated=0, asked=q, rank=(i,)) for i, (h, u, q) in enumerate(lines)
    ]
    units = share(claims, supply).units
    assert sum(units.values()) == min(supply, sum(c.cap for c in claims))
    for c in claims:
        assert 0 <= units[c.key] <= c.cap
        if units[c.key] < c.cap:
            # No line still short has fewer days than another line had before its last unit.
            for d in claims:
                if units[d.key] > 0:
                    assert c.level_with(units[c.key]) >= d.level_with(units[d.key] - 1) - Fraction(1) / c.weight
