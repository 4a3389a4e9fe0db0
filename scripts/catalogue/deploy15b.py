"""Russian and Kazakh for the Idempotency-Key taken over by a retry after its
first run's process was taken for dead (merged by scripts/translations.py)."""

RU: dict[str, str] = {
    "A retry of this request took over its Idempotency-Key; it was not carried out.": (
        "Повтор этого запроса перехватил его Idempotency-Key; этот запрос не выполнен."
    ),
}

KK: dict[str, str] = {
    "A retry of this request took over its Idempotency-Key; it was not carried out.": (
        "Осы сұраудың қайталануы оның Idempotency-Key кілтін алды; бұл сұрау орындалмады."
    ),
}
