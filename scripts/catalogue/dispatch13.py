"""Russian and Kazakh for dispatch and alerts (issue 13): "needs HQ" reasons,
task titles, alert texts and kinds, and the live event feed's sentences
(merged by scripts/translations.py)."""

RU: dict[str, str] = {
    # Why a task needs HQ, or was closed.
    "Offered %(count)s times; no team took it.": "Предложено раз: %(count)s; ни одна бригада не взяла.",
    "No capable team within %(km)s km (the nearest is %(nearest)s km away).": (
        "В радиусе %(km)s км нет подходящей бригады (ближайшая — в %(nearest)s км)."
    ),
    "No capable team is on duty with a working phone.": "Нет подходящей бригады на смене с работающим телефоном.",
    "waiting for an offer": "ждёт предложения бригаде",
    "Its placement request no longer exists.": "Заявки на размещение больше нет.",
    "The group has already checked in.": "Группа уже заселилась.",
    "The placement was cancelled.": "Размещение отменено.",
    "The group no longer waits for a transfer (placement %(status)s).": (
        "Группа больше не ждёт перевозки (размещение: %(status)s)."
    ),
    # Task titles.
    "Transfer from %(origin)s to %(facility)s (group of %(count)s)": (
        "Перевозка из пункта «%(origin)s» в «%(facility)s» (группа: %(count)s чел.)"
    ),
    "the pick-up point": "место сбора",
    "Deliver supplies from %(warehouse)s to %(place)s": "Доставка со склада «%(warehouse)s»: %(place)s",
    "stops: %(count)s": "остановок: %(count)s",
    "Inspection %(number)s: %(category)s at %(place)s": "Проверка %(number)s: %(category)s, %(place)s",
    # Alerts.
    "%(warehouse)s: %(item)s, days of cover: %(days)s (%(on_hand)s %(unit)s on hand, %(per_day)s a day).": (
        "%(warehouse)s: %(item)s, запаса на дней: %(days)s (в наличии %(on_hand)s %(unit)s, расход %(per_day)s в день)."
    ),
    "Case %(number)s (%(category)s, %(severity)s): SLA breached, due %(due)s.": (
        "Обращение %(number)s (%(category)s, %(severity)s): срок нарушен, нужно было до %(due)s."
    ),
    "Case %(number)s (%(category)s, %(severity)s): SLA due soon, at %(due)s.": (
        "Обращение %(number)s (%(category)s, %(severity)s): срок скоро истекает, в %(due)s."
    ),
    "Stock ledger drift at warehouse %(warehouse)s, lot %(lot)s: the balance says %(cached)s on hand "
    "(%(cached_held)s held), the moves add up to %(moves)s (%(moves_held)s held).": (
        "Расхождение учёта на складе %(warehouse)s, партия %(lot)s: по остатку %(cached)s в наличии "
        "(%(cached_held)s в резерве), по движениям — %(moves)s (%(moves_held)s в резерве)."
    ),
    "%(hq)s has not reported since %(since)s.": "%(hq)s: нет доклада с %(since)s.",
    "%(hq)s has not reported since it was set up.": "%(hq)s: ни одного доклада с момента создания.",
    "Task #%(id)s needs HQ: %(title)s. %(reason)s": "Задание №%(id)s ждёт решения штаба: %(title)s. %(reason)s",
    "%(hq)s: on-duty teams whose phone is silent (%(count)s): %(teams)s.": (
        "%(hq)s: бригады на смене без связи (%(count)s): %(teams)s."
    ),
    "SLA breached": "Срок нарушен",
    "SLA due soon": "Срок скоро истекает",
    "Low stock": "Мало запасов",
    "Stock ledger drift": "Расхождение учёта",
    "Tasks for HQ": "Задания для штаба",
    "Silent HQs": "Молчащие штабы",
    "Stale teams": "Бригады без связи",
    # The live event feed.
    "Task #%(id)s created: %(title)s.": "Создано задание №%(id)s: %(title)s.",
    "Task #%(id)s offered to %(team)s.": "Задание №%(id)s предложено бригаде %(team)s.",
    "Task #%(id)s: the team did not answer in time.": "Задание №%(id)s: бригада не ответила вовремя.",
    "Task #%(id)s accepted.": "Задание №%(id)s принято.",
    "Task #%(id)s: the team is on the way.": "Задание №%(id)s: бригада в пути.",
    "Task #%(id)s: the team is on site.": "Задание №%(id)s: бригада на месте.",
    "Task #%(id)s done.": "Задание №%(id)s выполнено.",
    "Task #%(id)s failed: %(reason)s": "Задание №%(id)s не выполнено: %(reason)s",
    "Task #%(id)s declined: %(reason)s": "От задания №%(id)s отказались: %(reason)s",
    "Task #%(id)s needs HQ: %(reason)s": "Задание №%(id)s ждёт решения штаба: %(reason)s",
    "Task #%(id)s cancelled.": "Задание №%(id)s отменено.",
    "Task #%(id)s closed: %(reason)s": "Задание №%(id)s закрыто: %(reason)s",
    "Team #%(id)s came on duty.": "Бригада №%(id)s заступила на смену.",
    "Team #%(id)s went off duty.": "Бригада №%(id)s ушла со смены.",
    "Team #%(id)s reported its position.": "Бригада №%(id)s сообщила своё место.",
    "Placement #%(id)s: a group of %(count)s asks for beds.": (
        "Размещение №%(id)s: группа (%(count)s чел.) просит места."
    ),
    "Placement #%(id)s waits for beds.": "Размещение №%(id)s ждёт свободных мест.",
    "Placement #%(id)s: beds are held for the group (%(count)s).": (
        "Размещение №%(id)s: для группы (%(count)s чел.) забронированы места."
    ),
    "Placement #%(id)s: the group is on its way.": "Размещение №%(id)s: группа в пути.",
    "Placement #%(id)s: the group checked in.": "Размещение №%(id)s: группа заселилась.",
    "Placement #%(id)s: the group left the facility.": "Размещение №%(id)s: группа выехала с объекта.",
    "Placement #%(id)s: the group was released from quarantine.": "Размещение №%(id)s: группа выпущена из карантина.",
    "Placement #%(id)s: nobody of the group arrived.": "Размещение №%(id)s: никто из группы не прибыл.",
    "Placement #%(id)s cancelled.": "Размещение №%(id)s отменено.",
    "Placement #%(id)s: the hold on its beds ran out.": "Размещение №%(id)s: бронь мест истекла.",
    "Placement #%(id)s moved to another facility.": "Размещение №%(id)s перенесено на другой объект.",
    "Placement #%(id)s split into smaller groups.": "Размещение №%(id)s разделено на меньшие группы.",
    "Facility %(name)s opened.": "Открыт объект %(name)s.",
    "Facility %(name)s updated.": "Объект %(name)s изменён.",
    "Facility #%(id)s: its beds changed.": "Объект №%(id)s: изменились места.",
    "Facility #%(id)s: its managers changed.": "Объект №%(id)s: сменились управляющие.",
    "Alert: %(message)s": "Оповещение: %(message)s",
    "Alert updated: %(message)s": "Оповещение обновлено: %(message)s",
    "Alert #%(id)s acknowledged.": "Оповещение №%(id)s принято к сведению.",
    "Alert #%(id)s cleared: its condition ended.": "Оповещение №%(id)s снято: причина устранена.",
    "HQ #%(id)s filed a status report.": "Штаб №%(id)s отправил доклад.",
    "HQ #%(id)s has gone silent.": "Штаб №%(id)s перестал докладывать.",
    "HQ #%(id)s: a shift began.": "Штаб №%(id)s: смена заступила.",
    "HQ #%(id)s: a shift ended.": "Штаб №%(id)s: смена закончилась.",
    "Supply request #%(id)s filed.": "Подана заявка на снабжение №%(id)s.",
    "Supply request #%(id)s cancelled.": "Заявка на снабжение №%(id)s отменена.",
    "Update to %(subject)s #%(id)s.": "Изменение: %(subject)s №%(id)s.",
    "Update #%(id)s.": "Изменение №%(id)s.",
    "team": "бригада",
    "placement": "размещение",
    "facility": "объект",
    "alert": "оповещение",
    "HQ": "штаб",
    "supply request": "заявка на снабжение",
    "hotline case": "обращение на горячую линию",
    "delivery run": "рейс доставки",
    "warehouse": "склад",
}

KK: dict[str, str] = {
    "Offered %(count)s times; no team took it.": "%(count)s рет ұсынылды; ешбір топ алмады.",
    "No capable team within %(km)s km (the nearest is %(nearest)s km away).": (
        "%(km)s км радиуста лайықты топ жоқ (ең жақыны %(nearest)s км жерде)."
    ),
    "No capable team is on duty with a working phone.": "Телефоны істеп тұрған, кезекшіліктегі лайықты топ жоқ.",
    "waiting for an offer": "топқа ұсынуды күтуде",
    "Its placement request no longer exists.": "Орналастыру өтінімі енді жоқ.",
    "The group has already checked in.": "Топ әлдеқашан орналасты.",
    "The placement was cancelled.": "Орналастыру тоқтатылды.",
    "The group no longer waits for a transfer (placement %(status)s).": (
        "Топ енді тасымалды күтпейді (орналастыру: %(status)s)."
    ),
    "Transfer from %(origin)s to %(facility)s (group of %(count)s)": (
        "«%(origin)s» жерінен «%(facility)s» нысанына тасымалдау (топ: %(count)s адам)"
    ),
    "the pick-up point": "жиналу орны",
    "Deliver supplies from %(warehouse)s to %(place)s": "«%(warehouse)s» қоймасынан жеткізу: %(place)s",
    "stops: %(count)s": "аялдама саны: %(count)s",
    "Inspection %(number)s: %(category)s at %(place)s": "Тексеру %(number)s: %(category)s, %(place)s",
    "%(warehouse)s: %(item)s, days of cover: %(days)s (%(on_hand)s %(unit)s on hand, %(per_day)s a day).": (
        "%(warehouse)s: %(item)s, қор жететін күн: %(days)s (қолда %(on_hand)s %(unit)s, күніне %(per_day)s)."
    ),
    "Case %(number)s (%(category)s, %(severity)s): SLA breached, due %(due)s.": (
        "Өтініш %(number)s (%(category)s, %(severity)s): мерзім бұзылды, %(due)s дейін болуы керек еді."
    ),
    "Case %(number)s (%(category)s, %(severity)s): SLA due soon, at %(due)s.": (
        "Өтініш %(number)s (%(category)s, %(severity)s): мерзім жақында бітеді, %(due)s."
    ),
    "Stock ledger drift at warehouse %(warehouse)s, lot %(lot)s: the balance says %(cached)s on hand "
    "(%(cached_held)s held), the moves add up to %(moves)s (%(moves_held)s held).": (
        "%(warehouse)s қоймасында есеп сәйкес емес, партия %(lot)s: қалдық бойынша қолда %(cached)s "
        "(%(cached_held)s брондалған), қозғалыстар бойынша %(moves)s (%(moves_held)s брондалған)."
    ),
    "%(hq)s has not reported since %(since)s.": "%(hq)s: %(since)s бері баяндама жоқ.",
    "%(hq)s has not reported since it was set up.": "%(hq)s: құрылғаннан бері бірде-бір баяндама жоқ.",
    "Task #%(id)s needs HQ: %(title)s. %(reason)s": "№%(id)s тапсырма штаб шешімін күтеді: %(title)s. %(reason)s",
    "%(hq)s: on-duty teams whose phone is silent (%(count)s): %(teams)s.": (
        "%(hq)s: байланыссыз кезекші топтар (%(count)s): %(teams)s."
    ),
    "SLA breached": "Мерзім бұзылды",
    "SLA due soon": "Мерзім жақында бітеді",
    "Low stock": "Қор аз",
    "Stock ledger drift": "Есеп сәйкессіздігі",
    "Tasks for HQ": "Штабқа арналған тапсырмалар",
    "Silent HQs": "Үнсіз штабтар",
    "Stale teams": "Байланыссыз топтар",
    "Task #%(id)s created: %(title)s.": "№%(id)s тапсырма құрылды: %(title)s.",
    "Task #%(id)s offered to %(team)s.": "№%(id)s тапсырма %(team)s тобына ұсынылды.",
    "Task #%(id)s: the team did not answer in time.": "№%(id)s тапсырма: топ уақытында жауап бермеді.",
    "Task #%(id)s accepted.": "№%(id)s тапсырма қабылданды.",
    "Task #%(id)s: the team is on the way.": "№%(id)s тапсырма: топ жолда.",
    "Task #%(id)s: the team is on site.": "№%(id)s тапсырма: топ орнында.",
    "Task #%(id)s done.": "№%(id)s тапсырма орындалды.",
    "Task #%(id)s failed: %(reason)s": "№%(id)s тапсырма орындалмады: %(reason)s",
    "Task #%(id)s declined: %(reason)s": "№%(id)s тапсырмадан бас тартылды: %(reason)s",
    "Task #%(id)s needs HQ: %(reason)s": "№%(id)s тапсырма штаб шешімін күтеді: %(reason)s",
    "Task #%(id)s cancelled.": "№%(id)s тапсырма тоқтатылды.",
    "Task #%(id)s closed: %(reason)s": "№%(id)s тапсырма жабылды: %(reason)s",
    "Team #%(id)s came on duty.": "№%(id)s топ кезекшілікке шықты.",
    "Team #%(id)s went off duty.": "№%(id)s топ кезекшіліктен шықты.",
    "Team #%(id)s reported its position.": "№%(id)s топ орнын хабарлады.",
    "Placement #%(id)s: a group of %(count)s asks for beds.": "№%(id)s орналастыру: топ (%(count)s адам) орын сұрайды.",
    "Placement #%(id)s waits for beds.": "№%(id)s орналастыру бос орын күтуде.",
    "Placement #%(id)s: beds are held for the group (%(count)s).": (
        "№%(id)s орналастыру: топқа (%(count)s адам) орын брондалды."
    ),
    "Placement #%(id)s: the group is on its way.": "№%(id)s орналастыру: топ жолда.",
    "Placement #%(id)s: the group checked in.": "№%(id)s орналастыру: топ орналасты.",
    "Placement #%(id)s: the group left the facility.": "№%(id)s орналастыру: топ нысаннан кетті.",
    "Placement #%(id)s: the group was released from quarantine.": "№%(id)s орналастыру: топ карантиннен шығарылды.",
    "Placement #%(id)s: nobody of the group arrived.": "№%(id)s орналастыру: топтан ешкім келмеді.",
    "Placement #%(id)s cancelled.": "№%(id)s орналастыру тоқтатылды.",
    "Placement #%(id)s: the hold on its beds ran out.": "№%(id)s орналастыру: орын броны бітті.",
    "Placement #%(id)s moved to another facility.": "№%(id)s орналастыру басқа нысанға ауыстырылды.",
    "Placement #%(id)s split into smaller groups.": "№%(id)s орналастыру шағын топтарға бөлінді.",
    "Facility %(name)s opened.": "%(name)s нысаны ашылды.",
    "Facility %(name)s updated.": "%(name)s нысаны өзгертілді.",
    "Facility #%(id)s: its beds changed.": "№%(id)s нысан: орындар өзгерді.",
    "Facility #%(id)s: its managers changed.": "№%(id)s нысан: басқарушылар ауысты.",
    "Alert: %(message)s": "Ескерту: %(message)s",
    "Alert updated: %(message)s": "Ескерту жаңартылды: %(message)s",
    "Alert #%(id)s acknowledged.": "№%(id)s ескерту назарға алынды.",
    "Alert #%(id)s cleared: its condition ended.": "№%(id)s ескерту алынды: себебі жойылды.",
    "HQ #%(id)s filed a status report.": "№%(id)s штаб баяндама жіберді.",
    "HQ #%(id)s has gone silent.": "№%(id)s штаб баяндама беруді тоқтатты.",
    "HQ #%(id)s: a shift began.": "№%(id)s штаб: ауысым басталды.",
    "HQ #%(id)s: a shift ended.": "№%(id)s штаб: ауысым аяқталды.",
    "Supply request #%(id)s filed.": "№%(id)s жабдықтау өтінімі берілді.",
    "Supply request #%(id)s cancelled.": "№%(id)s жабдықтау өтінімі тоқтатылды.",
    "Update to %(subject)s #%(id)s.": "Өзгеріс: %(subject)s №%(id)s.",
    "Update #%(id)s.": "№%(id)s өзгеріс.",
    "team": "топ",
    "placement": "орналастыру",
    "facility": "нысан",
    "alert": "ескерту",
    "HQ": "штаб",
    "supply request": "жабдықтау өтінімі",
    "hotline case": "жедел желі өтініші",
    "delivery run": "жеткізу рейсі",
    "warehouse": "қойма",
}
