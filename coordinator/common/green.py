"""Whether this process runs on gevent (gunicorn's gevent worker monkey-patches
it before loading the app). Only looks: importing gevent here would patch
nothing and cost a lot."""

from __future__ import annotations

import sys


def patched() -> bool:
    """True when the standard library's sockets are gevent's."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("socket"))
