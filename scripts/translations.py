"""Keeps the Russian and Kazakh catalogues in step with the code.

`python scripts/translations.py` extracts the messages, merges the
translations held below into coordinator/translations/*/messages.po, and lists
any message still untranslated. Add new translations to the tables and rerun.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "coordinator" / "translations"

RU = {
    "Too many failed sign-ins. Try again later.": "Слишком много неудачных попыток входа. Попробуйте позже.",
    "Wrong username or password.": "Неверное имя пользователя или пароль.",
    "Unknown language.": "Неизвестный язык.",
    "administrator": "администратор",
    "headquarters": "штаб",
    "facility manager": "управляющий объектом",
    "warehouse manager": "заведующий складом",
    "field team": "выездная бригада",
    "hotline operator": "оператор горячей линии",
    "requester": "заявитель",
    "standard": "стандартные",
    "shared / dormitory": "общие / общежитие",
    "family room": "семейные номера",
    "isolation with medical staff": "изоляция с медперсоналом",
    "Sign out": "Выйти",
    "Something needs your attention": "Требуется ваше внимание",
    "Back to the home page": "На главную страницу",
    "Sign in": "Войти",
    "Sign in to Birlik": "Вход в Birlik",
    "Emergency-response coordination: housing, supplies, hotlines and field teams.": "Координация реагирования на чрезвычайные ситуации: размещение, снабжение, горячие линии и выездные бригады.",
    "Username": "Имя пользователя",
    "Password": "Пароль",
    "Enter your username and password.": "Введите имя пользователя и пароль.",
    "My facilities": "Мои объекты",
    "full": "заполнен",
    "closed": "закрыт",
    "open": "открыт",
    "Beds": "Койки",
    "Total": "Всего",
    "Out of service": "Не используются",
    "Held": "Забронированы",
    "Occupied": "Заняты",
    "Free": "Свободны",
    "No facility is assigned to you yet. Ask your headquarters to add you as a manager.": "За вами пока не закреплён ни один объект. Попросите штаб назначить вас управляющим.",
    "My team": "Моя бригада",
    "On duty": "На смене",
    "Off duty": "Не на смене",
    "Members": "Состав",
    "Assignments": "Задания",
    "No assignments yet. New ones appear here.": "Заданий пока нет. Новые появятся здесь.",
    "You are not on a team yet. Ask your headquarters to add you.": "Вы пока не состоите в бригаде. Попросите штаб добавить вас.",
    "Hotline": "Горячая линия",
    "Hotline cases": "Обращения горячей линии",
    "Case": "Обращение",
    "Category": "Категория",
    "Severity": "Важность",
    "Status": "Статус",
    "No cases yet.": "Обращений пока нет.",
    "Headquarters": "Штабы",
    "Headquarters overview": "Обзор штаба",
    "Key figures": "Ключевые показатели",
    "beds free": "коек свободно",
    "beds held": "коек забронировано",
    "beds occupied": "коек занято",
    "facilities": "объектов",
    "field teams": "выездных бригад",
    "open cases": "открытых обращений",
    "Live events": "События в реальном времени",
    "connecting…": "подключение…",
    "No events yet. Changes anywhere in your scope appear here as they happen.": "Событий пока нет. Изменения в вашей зоне ответственности появятся здесь сразу.",
    "Name": "Название",
    "Last report": "Последний отчёт",
    "silent": "молчит",
    "reporting": "на связи",
    "No headquarters in your scope yet.": "В вашей зоне ответственности пока нет штабов.",
    "Warehouses": "Склады",
    "No warehouses in your scope yet.": "В вашей зоне ответственности пока нет складов.",
    "Tools": "Инструменты",
    "API documentation": "Документация API",
    "System health": "Состояние системы",
    "Supply requests": "Заявки на снабжение",
    "Supply requests of my organization": "Заявки моей организации на снабжение",
    "Your organization has no supply requests yet.": "У вашей организации пока нет заявок на снабжение.",
    "My warehouses": "Мои склады",
    "Item": "Позиция",
    "On hand": "В наличии",
    "No stock recorded yet.": "Остатки пока не внесены.",
    "No warehouse is assigned to you yet.": "За вами пока не закреплён ни один склад.",
}

# Kazakh: the public pages (sign-in, errors, language) and the field pages first.
KK = {
    "Too many failed sign-ins. Try again later.": "Кіру әрекеттері тым көп сәтсіз болды. Кейінірек қайталаңыз.",
    "Wrong username or password.": "Пайдаланушы аты немесе құпиясөз қате.",
    "Unknown language.": "Белгісіз тіл.",
    "administrator": "әкімші",
    "headquarters": "штаб",
    "facility manager": "нысан басшысы",
    "warehouse manager": "қойма меңгерушісі",
    "field team": "көшпелі топ",
    "hotline operator": "жедел желі операторы",
    "requester": "өтініш беруші",
    "Sign out": "Шығу",
    "Something needs your attention": "Назар аударыңыз",
    "Back to the home page": "Басты бетке оралу",
    "Sign in": "Кіру",
    "Sign in to Birlik": "Birlik жүйесіне кіру",
    "Emergency-response coordination: housing, supplies, hotlines and field teams.": "Төтенше жағдайларға ден қоюды үйлестіру: орналастыру, жабдықтау, жедел желілер және көшпелі топтар.",
    "Username": "Пайдаланушы аты",
    "Password": "Құпиясөз",
    "Enter your username and password.": "Пайдаланушы аты мен құпиясөзді енгізіңіз.",
    "My team": "Менің тобым",
    "On duty": "Кезекшілікте",
    "Off duty": "Кезекшілікте емес",
    "Members": "Құрамы",
    "Assignments": "Тапсырмалар",
    "No assignments yet. New ones appear here.": "Әзірге тапсырма жоқ. Жаңалары осында пайда болады.",
    "You are not on a team yet. Ask your headquarters to add you.": "Сіз әлі ешбір топта жоқсыз. Штабтан сізді қосуды сұраңыз.",
    "My facilities": "Менің нысандарым",
    "full": "толы",
    "closed": "жабық",
    "open": "ашық",
    "Beds": "Төсек-орындар",
    "Total": "Барлығы",
    "Free": "Бос",
    "Occupied": "Бос емес",
    "Held": "Брондалған",
    "Out of service": "Пайдаланылмайды",
    "Status": "Күйі",
    "Name": "Атауы",
    "standard": "стандартты",
    "shared / dormitory": "ортақ / жатақхана",
    "family room": "отбасылық бөлме",
    "isolation with medical staff": "медициналық персоналы бар оқшаулау",
    "No facility is assigned to you yet. Ask your headquarters to add you as a manager.": "Сізге әлі ешбір нысан бекітілмеген. Штабтан сізді басшы ретінде қосуды сұраңыз.",
    "Hotline": "Жедел желі",
    "Hotline cases": "Жедел желі өтініштері",
    "Case": "Өтініш",
    "Category": "Санаты",
    "Severity": "Маңыздылығы",
    "No cases yet.": "Әзірге өтініш жоқ.",
    "Headquarters": "Штабтар",
    "Headquarters overview": "Штабқа шолу",
    "Key figures": "Негізгі көрсеткіштер",
    "beds free": "бос төсек-орын",
    "beds held": "брондалған төсек-орын",
    "beds occupied": "бос емес төсек-орын",
    "facilities": "нысан",
    "field teams": "көшпелі топ",
    "open cases": "ашық өтініш",
    "Live events": "Нақты уақыттағы оқиғалар",
    "connecting…": "қосылуда…",
    "No events yet. Changes anywhere in your scope appear here as they happen.": "Әзірге оқиға жоқ. Сіздің аймағыңыздағы өзгерістер осында бірден көрінеді.",
    "Last report": "Соңғы есеп",
    "silent": "хабарласпайды",
    "reporting": "байланыста",
    "No headquarters in your scope yet.": "Сіздің аймағыңызда әзірге штаб жоқ.",
    "Warehouses": "Қоймалар",
    "No warehouses in your scope yet.": "Сіздің аймағыңызда әзірге қойма жоқ.",
    "Tools": "Құралдар",
    "API documentation": "API құжаттамасы",
    "System health": "Жүйе күйі",
    "Supply requests": "Жабдықтау өтінімдері",
    "Supply requests of my organization": "Менің ұйымымның жабдықтау өтінімдері",
    "Your organization has no supply requests yet.": "Ұйымыңыздың әзірге жабдықтау өтінімі жоқ.",
    "My warehouses": "Менің қоймаларым",
    "Item": "Тауар",
    "On hand": "Қолда бар",
    "No stock recorded yet.": "Қалдықтар әлі енгізілмеген.",
    "No warehouse is assigned to you yet.": "Сізге әлі ешбір қойма бекітілмеген.",
}


def main() -> int:
    pot = ROOT / "var" / "messages.pot"
    pot.parent.mkdir(exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-o",
            str(pot),
            "--no-location",
            "--omit-header",
            str(ROOT / "coordinator"),
        ],
        check=True,
        capture_output=True,
    )
    template = read_po(pot.open("rb"))
    missing = 0
    for locale, table in (("ru", RU), ("kk", KK)):
        catalog = Catalog(locale=locale, project="Birlik", fuzzy=False)
        for message in template:
            if message.id:
                catalog.add(message.id, table.get(message.id, ""))
                if message.id not in table:
                    missing += 1
                    print(f"{locale}: untranslated: {message.id!r}")
        path = OUT / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, sort_output=True, width=120)
    print(f"wrote catalogues; {missing} messages untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
