"""Russian and Kazakh for batch dispatch (issue 15): why a nearer facility
was passed over when a surge's groups were placed together."""

RU: dict[str, str] = {
    "its free beds went to other groups placed at the same time (less travel for everyone)": (
        "его свободные места отданы другим группам, размещённым одновременно (всем ехать меньше)"
    ),
}

KK: dict[str, str] = {
    "its free beds went to other groups placed at the same time (less travel for everyone)": (
        "оның бос орындары бір мезгілде орналастырылған басқа топтарға берілді (барлығына жол қысқарады)"
    ),
}
