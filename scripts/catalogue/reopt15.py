"""Russian and Kazakh for re-optimised holds (issue 15): why a group whose
hold nobody had confirmed was moved to a much nearer facility."""

RU: dict[str, str] = {
    "Moved from %(old)s to %(new)s: %(new_km)s km instead of %(old_km)s km (a nearer facility freed beds).": (
        "Переведены: %(old)s → %(new)s, %(new_km)s км вместо %(old_km)s км (ближе освободились места)."
    ),
    "The group was moved to %(new)s, a nearer facility; a new transfer goes there.": (
        "Группа переведена на более близкий объект (%(new)s); туда поедет новый трансфер."
    ),
    "Moved by HQ from %(old)s to %(new)s.": "Переведены штабом: %(old)s → %(new)s.",
    "moved to a nearer facility": "переведены на более близкий объект",
    "Placement #%(id)s: %(reason)s": "Размещение №%(id)s: %(reason)s",
    "Moved away": "Переведены на другие объекты",
}

KK: dict[str, str] = {
    "Moved from %(old)s to %(new)s: %(new_km)s km instead of %(old_km)s km (a nearer facility freed beds).": (
        "Ауыстырылды: %(old)s → %(new)s, %(old_km)s км орнына %(new_km)s км (жақынырақ нысанда орын босады)."
    ),
    "The group was moved to %(new)s, a nearer facility; a new transfer goes there.": (
        "Топ жақынырақ нысанға (%(new)s) ауыстырылды; жаңа трансфер сонда барады."
    ),
    "Moved by HQ from %(old)s to %(new)s.": "Штаб ауыстырды: %(old)s → %(new)s.",
    "moved to a nearer facility": "жақынырақ нысанға ауыстырылды",
    "Placement #%(id)s: %(reason)s": "№%(id)s орналастыру: %(reason)s",
    "Moved away": "Басқа нысандарға ауыстырылғандар",
}
