"""Russian and Kazakh for delivery runs: the field app's stops and proof, and the pick list."""

RU: dict[str, str] = {
    "Stops in route order": "Остановки в порядке маршрута",
    "Pick the load up at the warehouse first: the proof forms open once the pick-up reaches the server.": (
        "Сначала заберите груз на складе: формы подтверждения откроются, когда отметка о погрузке дойдёт до сервера."
    ),
    "to deliver": "доставить",
    "delivered": "доставлено",
    "not delivered": "не доставлено",
    "Proof of delivery": "Подтверждение доставки",
    "shipped": "отгружено",
    "Accepted": "Принято",
    "Rejected": "Отклонено",
    "Why rejected?": "Почему отклонено?",
    "Photo": "Фото",
    "Send proof": "Отправить подтверждение",
    "Turn on location: the proof records where the delivery was made.": (
        "Включите геолокацию: в подтверждении указывается место доставки."
    ),
    "Record the proof of every stop first.": "Сначала подтвердите доставку на каждой остановке.",
    "damaged": "повреждено",
    "wrong item": "не тот товар",
    "missing": "недостача",
    "Pick list, run %(id)s": "Лист комплектации, рейс %(id)s",
    "Load %(load)s of %(capacity)s kg": "Груз %(load)s из %(capacity)s кг",
    "Route %(km)s km": "Маршрут %(km)s км",
    "Print this page for the team loading the vehicle.": "Распечатайте эту страницу для тех, кто грузит машину.",
    "Items to pick": "Что собрать",
    "Lot": "Партия",
    "Expires": "Срок годности",
    "Quantity": "Количество",
    "Picked": "Собрано",
    "Nothing to pick: every stop of this run was cancelled.": "Собирать нечего: все остановки этого рейса отменены.",
}

KK: dict[str, str] = {
    "Stops in route order": "Маршрут бойынша аялдамалар",
    "Pick the load up at the warehouse first: the proof forms open once the pick-up reaches the server.": (
        "Алдымен жүкті қоймадан алыңыз: жүк алынғаны серверге жеткенде растау формалары ашылады."
    ),
    "to deliver": "жеткізу керек",
    "delivered": "жеткізілді",
    "not delivered": "жеткізілмеді",
    "Proof of delivery": "Жеткізуді растау",
    "shipped": "жөнелтілді",
    "Accepted": "Қабылданды",
    "Rejected": "Қабылданбады",
    "Why rejected?": "Неге қабылданбады?",
    "Photo": "Фото",
    "Send proof": "Растауды жіберу",
    "Turn on location: the proof records where the delivery was made.": (
        "Геолокацияны қосыңыз: растауда жеткізілген орын жазылады."
    ),
    "Record the proof of every stop first.": "Алдымен әр аялдамадағы жеткізуді растаңыз.",
    "damaged": "бүлінген",
    "wrong item": "басқа тауар",
    "missing": "жетіспейді",
    "Pick list, run %(id)s": "Жинақтау парағы, рейс %(id)s",
    "Load %(load)s of %(capacity)s kg": "Жүк %(load)s / %(capacity)s кг",
    "Route %(km)s km": "Маршрут %(km)s км",
    "Print this page for the team loading the vehicle.": "Көлікті тиейтіндерге осы бетті басып шығарыңыз.",
    "Items to pick": "Жинайтын тауарлар",
    "Lot": "Партия",
    "Expires": "Жарамдылық мерзімі",
    "Quantity": "Саны",
    "Picked": "Жиналды",
    "Nothing to pick: every stop of this run was cancelled.": (
        "Жинайтын ештеңе жоқ: бұл рейстің барлық аялдамалары тоқтатылды."
    ),
}
