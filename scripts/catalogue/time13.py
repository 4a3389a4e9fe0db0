"""Russian and Kazakh for times and durations a person reads (the zone note,
duration units) and the steps of a placement's timeline (merged by
scripts/translations.py)."""

RU: dict[str, str] = {
    "%(n)s d": "%(n)s д",
    "%(n)s h": "%(n)s ч",
    "%(n)s min": "%(n)s мин",
    "Times are %(city)s time (%(offset)s).": "Время указано по часовому поясу %(city)s (%(offset)s).",
    "Time left": "Осталось",
    "Next one due by %(time)s.": "Следующий — не позднее %(time)s.",
    "since %(time)s": "с %(time)s",
    "requested": "запрошено",
    "waiting for a bed": "ожидает места",
    "assigned, beds held": "назначено, места забронированы",
    "in transit": "в пути",
    "checked in": "заселены",
    "did not arrive": "не прибыли",
    "cancelled": "отменено",
    "hold expired": "бронь истекла",
    "moved to another facility": "переведены на другой объект",
    "split into smaller groups": "разделены на группы",
    "released": "выписаны",
    "checked out": "выселены досрочно",
}

KK: dict[str, str] = {
    "%(n)s d": "%(n)s күн",
    "%(n)s h": "%(n)s сағ",
    "%(n)s min": "%(n)s мин",
    "Times are %(city)s time (%(offset)s).": "Уақыт %(city)s уақытымен көрсетілген (%(offset)s).",
    "Time left": "Қалған уақыт",
    "Next one due by %(time)s.": "Келесісі %(time)s кешіктірілмей.",
    "since %(time)s": "%(time)s бастап",
    "requested": "сұралды",
    "waiting for a bed": "орын күтуде",
    "assigned, beds held": "тағайындалды, орындар брондалды",
    "in transit": "жолда",
    "checked in": "орналастырылды",
    "did not arrive": "келмеді",
    "cancelled": "бас тартылды",
    "hold expired": "брондау мерзімі өтті",
    "moved to another facility": "басқа нысанға ауыстырылды",
    "split into smaller groups": "топтарға бөлінді",
    "released": "шығарылды",
    "checked out": "мерзімінен бұрын шығарылды",
}

RU["(team %(id)s)"] = "(бригада %(id)s)"
KK["(team %(id)s)"] = "(бригада %(id)s)"
