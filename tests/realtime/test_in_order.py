"""The realtime relay hands events to sockets in id order even when two
processes publish them the other way round (each right after its own
commit); an id that never comes (a rolled-back transaction) holds the later
ones back only briefly. The whole path is tests/deploy/test_scale_out.py."""

from __future__ import annotations

from coordinator.realtime.message_queue import InOrder


def _relay(hold: float, gave_up=None) -> tuple[InOrder, list[int], list]:
    sent: list[int] = []
    timers: list = []
    order = InOrder(sent.append, timers.append, hold=hold, gave_up=gave_up)
    order.start(10)
    return order, sent, timers


def test_a_later_event_waits_for_the_earlier_one():
    order, sent, timers = _relay(hold=60)
    order.add(12, 12)
    order.add(13, 13)
    assert sent == []
    order.add(11, 11)
    assert sent == [11, 12, 13]
    timers.pop()()  # the timer finds nothing held and ends
    assert sent == [11, 12, 13]
    order.add(15, 15)  # a new gap gets a timer of its own
    assert len(timers) == 1 and sent == [11, 12, 13]


def test_ids_that_never_come_are_given_up_after_the_hold():
    resyncs: list[int] = []
    order, sent, timers = _relay(hold=0, gave_up=resyncs.append)
    order.add(11, 11)
    order.add(13, 13)
    order.add(16, 16)
    assert sent == [11] and len(timers) == 1
    timers.pop()()  # 12, then 14 and 15, never came
    assert sent == [11, 13, 16]
    # Screens are told to replay from before each gap (a late 12 would be
    # dropped by a screen that has 16: older than what it has).
    assert resyncs == [11, 13]
    order.add(12, 12)  # too late for its place: relayed at once all the same
    order.add(17, 17)
    assert sent == [11, 13, 16, 12, 17]
