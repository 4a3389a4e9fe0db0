"""Russian and Kazakh for the phone-width, confirmation, "Move here" and
field-app reason texts of issue 13 (merged by scripts/translations.py)."""

RU: dict[str, str] = {
    "Swipe the table sideways to see every column.": "Проведите по таблице вбок, чтобы увидеть все столбцы.",
    "Check them out now? Their beds become free for other groups.": (
        "Выписать их сейчас? Их койки освободятся для других групп."
    ),
    "Yes, check out": "Да, выписать",
    "Keep them": "Оставить",
    "Close %(name)s? No new group will be placed here.": "Закрыть %(name)s? Новые группы сюда не направят.",
    "Yes, close it": "Да, закрыть",
    "Keep it open": "Оставить открытым",
    "Nearest facilities with room for this group": "Ближайшие объекты, где есть места для группы",
    "%(name)s: %(free)s free, %(km)s km": "%(name)s: свободно %(free)s, %(km)s км",
    "No other facility has room for this group now.": "Сейчас ни на одном другом объекте нет мест для этой группы.",
    "Choose a reason": "Выберите причину",
    "Other reason…": "Другая причина…",
    "Say why": "Укажите причину",
    "Back": "Назад",
    "Choose a reason, or Other to type one.": "Выберите причину или «Другая причина», чтобы ввести свою.",
    "Type the reason.": "Введите причину.",
    "Too far away": "Слишком далеко",
    "Busy with another task": "Заняты другой задачей",
    "Vehicle cannot carry it": "Транспорт не подходит",
    "Shift ends before it can be done": "Смена закончится раньше",
    "Address not found": "Адрес не найден",
    "Nobody on site": "На месте никого нет",
    "Road blocked": "Дорога перекрыта",
    "Vehicle broke down": "Транспорт сломался",
    "Refused on site": "На месте отказались",
}

KK: dict[str, str] = {
    "Swipe the table sideways to see every column.": "Барлық бағанды көру үшін кестені бүйірге сырғытыңыз.",
    "Check them out now? Their beds become free for other groups.": (
        "Оларды қазір шығарасыз ба? Олардың төсектері басқа топтарға босайды."
    ),
    "Yes, check out": "Иә, шығару",
    "Keep them": "Қалдыру",
    "Close %(name)s? No new group will be placed here.": "%(name)s жабылсын ба? Мұнда жаңа топ орналастырылмайды.",
    "Yes, close it": "Иә, жабу",
    "Keep it open": "Ашық қалдыру",
    "Nearest facilities with room for this group": "Осы топқа орны бар ең жақын нысандар",
    "%(name)s: %(free)s free, %(km)s km": "%(name)s: %(free)s бос, %(km)s км",
    "No other facility has room for this group now.": "Қазір басқа ешбір нысанда бұл топқа орын жоқ.",
    "Choose a reason": "Себебін таңдаңыз",
    "Other reason…": "Басқа себеп…",
    "Say why": "Себебін жазыңыз",
    "Back": "Артқа",
    "Choose a reason, or Other to type one.": "Себебін таңдаңыз немесе өзіңіз жазу үшін «Басқа себепті» таңдаңыз.",
    "Type the reason.": "Себебін жазыңыз.",
    "Too far away": "Тым алыс",
    "Busy with another task": "Басқа тапсырмамен бос емеспіз",
    "Vehicle cannot carry it": "Көлік сыймайды",
    "Shift ends before it can be done": "Ауысым оған дейін аяқталады",
    "Address not found": "Мекенжай табылмады",
    "Nobody on site": "Орында ешкім жоқ",
    "Road blocked": "Жол жабық",
    "Vehicle broke down": "Көлік бұзылды",
    "Refused on site": "Орнында бас тартты",
}
