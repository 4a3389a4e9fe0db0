"""Russian and Kazakh for operations: the busy answer (503) and its retry
notice, and who may read /metrics (merged by scripts/translations.py)."""

RU: dict[str, str] = {
    "The service is busy. Try again in %(seconds)s seconds.": "Сервис перегружен. Повторите через %(seconds)s с.",
    "Busy": "Сервис занят",
    "The server is busy; trying again in %(seconds)s s.": "Сервер перегружен; повторим через %(seconds)s с.",
    "Metrics are readable from this machine or with the metrics token.": (
        "Метрики доступны только с этого сервера или с токеном метрик."
    ),
    "That job or queue is no longer in Redis.": "Этой задачи или очереди уже нет в Redis.",
}

KK: dict[str, str] = {
    "The service is busy. Try again in %(seconds)s seconds.": (
        "Қызмет бос емес. %(seconds)s секундтан кейін қайталап көріңіз."
    ),
    "Busy": "Қызмет бос емес",
    "The server is busy; trying again in %(seconds)s s.": (
        "Сервер жүктелген; %(seconds)s секундтан кейін қайта жібереміз."
    ),
    "Metrics are readable from this machine or with the metrics token.": (
        "Метрикаларды тек осы серверден немесе метрика токенімен оқуға болады."
    ),
    "That job or queue is no longer in Redis.": "Бұл тапсырма немесе кезек Redis-те енді жоқ.",
}
