"""Russian and Kazakh for the messages of the 4xx answers that the core and
the housing, field, headquarters, import, map and alert services raise
(merged by scripts/translations.py). Code words in them (a status, a kind,
an action) stay as the API spells them, so they are quoted."""

RU: dict[str, str] = {
    # regions, alerts
    "Unknown region %(id)s. Pick one from /api/v1/geo/regions.": (
        "Неизвестный регион %(id)s. Выберите регион из списка /api/v1/geo/regions."
    ),
    "Unknown state %(state)s. States: %(states)s.": "Неизвестное состояние %(state)s. Возможные: %(states)s.",
    "No alert with id %(id)s.": "Оповещения с номером %(id)s нет.",
    "someone": "кто-то",
    "%(who)s already acknowledged this alert at %(time)s.": "%(who)s уже подтвердил(а) это оповещение в %(time)s.",
    # requests
    "Idempotency-Key is longer than 128 characters.": "Idempotency-Key длиннее 128 символов.",
    "This Idempotency-Key was already used with a different request body.": (
        "Этот Idempotency-Key уже использовался с другим телом запроса."
    ),
    "This request was already carried out, but its first answer was lost. "
    "Look the result up instead of sending it again.": (
        "Этот запрос уже выполнен, но первый ответ на него потерян. Проверьте результат, а не отправляйте запрос снова."
    ),
    "A request with this Idempotency-Key is still being processed; retry shortly.": (
        "Запрос с этим Idempotency-Key ещё обрабатывается; повторите чуть позже."
    ),
    "There is no %(name)s %(value)s: ids run from %(min)s to %(max)s.": (
        "Значения %(name)s = %(value)s не существует: номера идут от %(min)s до %(max)s."
    ),
    # users, sign-in
    "Unknown role '%(role)s'.": "Неизвестная роль «%(role)s».",
    "The username '%(username)s' is taken.": "Имя пользователя «%(username)s» уже занято.",
    "Too many failed sign-ins from your address. Try again in %(minutes)s minute(s).": (
        "Слишком много неудачных попыток входа с вашего адреса. Повторите через %(minutes)s мин."
    ),
    "There is no such photo.": "Такой фотографии нет.",
    # field teams and tasks
    "Unknown kind '%(kind)s'.": "Неизвестный вид «%(kind)s».",
    "Give both dest_lat and dest_lon, or neither.": "Укажите и dest_lat, и dest_lon либо ни одного из них.",
    "No task with id %(id)s.": "Задачи с номером %(id)s нет.",
    "This task is not your team's.": "Это задача не вашей бригады.",
    "This task was given to another team meanwhile.": "Тем временем задачу передали другой бригаде.",
    "Cannot %(action)s a task that is %(status)s.": (
        "Шаг «%(action)s» невозможен: задача сейчас в состоянии «%(status)s»."
    ),
    "Say why.": "Укажите причину.",
    "The offer is no longer open.": "Предложение уже недействительно.",
    "The task is already %(status)s.": "Задача уже в состоянии «%(status)s».",
    "%(team)s cannot do %(kind)s tasks.": "Бригада «%(team)s» не выполняет задачи вида «%(kind)s».",
    "No team with id %(id)s.": "Бригады с номером %(id)s нет.",
    "The position's time is in the future.": "Время местоположения — в будущем.",
    "The position is more than 12 hours old.": "Местоположение старше 12 часов.",
    # places
    "Unknown settlement '%(name)s'. Check the spelling or give coordinates.": (
        "Неизвестный населённый пункт «%(name)s». Проверьте написание или укажите координаты."
    ),
    "Regions are not loaded; run the migrations and seed.": (
        "Регионы не загружены; выполните миграции и начальное заполнение (seed)."
    ),
    "The point (%(lat)s, %(lon)s) lies outside Kazakhstan.": (
        "Точка (%(lat)s, %(lon)s) находится за пределами Казахстана."
    ),
    # headquarters
    "No headquarters with id %(id)s.": "Штаба с номером %(id)s нет.",
    "You may edit only your own HQ.": "Изменять можно только свой штаб.",
    "Only the national HQ sets how often an HQ must report.": (
        "Только республиканский штаб устанавливает, как часто штаб должен докладывать."
    ),
    "Give minutes from %(min)s to %(max)s (7 days), or 0 for the default (%(default)s).": (
        "Укажите от %(min)s до %(max)s минут (7 суток) или 0 для значения по умолчанию (%(default)s)."
    ),
    "Give the HQ a name.": "Укажите название штаба.",
    "%(user)s cannot serve %(hq)s: staff are active HQ users of the national HQ.": (
        "%(user)s не может работать в штабе «%(hq)s»: его состав — активные пользователи штабов "
        "республиканского уровня."
    ),
    "%(user)s cannot serve %(hq)s: staff are active HQ users of its region.": (
        "%(user)s не может работать в штабе «%(hq)s»: его состав — активные пользователи штабов его региона."
    ),
    "You may change only your own HQ's staff.": "Изменять можно только состав своего штаба.",
    "No user is named %(name)s.": "Пользователя с именем %(name)s нет.",
    "%(user)s is on another HQ's staff; remove them there first.": (
        "%(user)s состоит в другом штабе; сначала исключите его (её) оттуда."
    ),
    "User %(id)s is not on the staff of %(hq)s.": "Пользователь %(id)s не входит в состав штаба «%(hq)s».",
    "You are not on the staff of %(hq)s. Ask its HQ to add you first.": (
        "Вы не входите в состав штаба «%(hq)s». Сначала попросите штаб добавить вас."
    ),
    "You are on duty already, since %(time)s UTC.": "Вы уже на дежурстве с %(time)s UTC.",
    "You are on duty already.": "Вы уже на дежурстве.",
    "No shift %(id)s at %(hq)s.": "Дежурства %(id)s в штабе «%(hq)s» нет.",
    "Only a lead of %(hq)s may sign others off duty.": (
        "Снимать с дежурства других может только руководитель штаба «%(hq)s»."
    ),
    "This shift ended at %(time)s UTC.": "Это дежурство закончилось в %(time)s UTC.",
    # beds and facilities
    "The bed counts of facility %(id)s (%(category)s) do not allow %(what)s.": (
        "Число коек объекта %(id)s (%(category)s) не позволяет: %(what)s."
    ),
    "releasing this hold": "снять эту бронь",
    "this check-in": "это заселение",
    "this check-out": "это выселение",
    "Unknown bed category '%(category)s'. Use one of: %(categories)s.": (
        "Неизвестная категория коек «%(category)s». Используйте одну из: %(categories)s."
    ),
    "%(category)s beds must be between 0 and %(max)s.": "Коек категории %(category)s должно быть от 0 до %(max)s.",
    "Out-of-service %(category)s beds must be between 0 and the total (%(total)s).": (
        "Неиспользуемых коек категории %(category)s должно быть от 0 до общего числа (%(total)s)."
    ),
    "Give a settlement or coordinates.": "Укажите населённый пункт или координаты.",
    "Unknown kind '%(kind)s'. Use one of: %(kinds)s.": "Неизвестный вид «%(kind)s». Используйте один из: %(kinds)s.",
    "Status is 'open' or 'closed' ('full' follows from the beds).": (
        "Статус — «open» или «closed» («full» определяется по койкам)."
    ),
    "%(category)s: %(held)s beds are held and %(occupied)s occupied, so at least "
    "%(needed)s must stay in service (asked for %(asked)s).": (
        "%(category)s: забронировано коек — %(held)s, занято — %(occupied)s, поэтому в работе должно "
        "остаться не меньше %(needed)s (запрошено %(asked)s)."
    ),
    "No facility with id %(id)s.": "Объекта с номером %(id)s нет.",
    "Unknown users: %(names)s.": "Неизвестные пользователи: %(names)s.",
    "Not facility managers: %(names)s.": "Не управляющие объектами: %(names)s.",
    # placements
    "Cannot move a placement that is %(status)s.": "Нельзя перенести размещение в состоянии «%(status)s».",
    "%(facility)s has no %(n)s free beds in %(category)s.": (
        "В объекте «%(facility)s» нет %(n)s свободных коек категории %(category)s."
    ),
    "Only a requested or waiting group can be split (this one is %(status)s).": (
        "Разделить можно только запрошенную или ожидающую группу (эта — в состоянии «%(status)s»)."
    ),
    "A group of one cannot be split.": "Группу из одного человека разделить нельзя.",
    "head_count must be between 1 and %(max)s.": "head_count должно быть от 1 до %(max)s.",
    "%(names)s names were given for %(n)s people.": "Указано имён: %(names)s, а людей: %(n)s.",
    "Give the origin as a settlement name or as coordinates.": (
        "Укажите место отправления названием населённого пункта или координатами."
    ),
    "No placement request with id %(id)s.": "Заявки на размещение с номером %(id)s нет.",
    "This placement is not at a facility you manage.": "Это размещение не в объекте, которым вы управляете.",
    "Cannot %(action)s a placement that is %(status)s.": (
        "Действие «%(action)s» невозможно: размещение в состоянии «%(status)s»."
    ),
    "Between 1 and %(n)s people can be checked in for this group.": (
        "Для этой группы можно заселить от 1 до %(n)s человек."
    ),
    "Between 1 and %(n)s people can be checked out.": "Выселить можно от 1 до %(n)s человек.",
    "Placement %(id)s is %(status)s; only a waiting group can be dispatched again.": (
        "Размещение %(id)s в состоянии «%(status)s»; повторно распределить можно только ожидающую группу."
    ),
    # map screen
    "Unknown format %(format)s. Formats: %(formats)s.": "Неизвестный формат %(format)s. Форматы: %(formats)s.",
    "Unknown layers: %(unknown)s. Layers: %(layers)s.": "Неизвестные слои: %(unknown)s. Слои: %(layers)s.",
    "(none given)": "(не указаны)",
    "Unknown status %(bad)s. Statuses: %(known)s.": "Неизвестный статус %(bad)s. Статусы: %(known)s.",
    # imports
    "Attach the CSV file as the multipart field 'file'.": "Приложите файл CSV в поле multipart «file».",
    "Unknown import kind '%(kind)s'.": "Неизвестный вид импорта «%(kind)s».",
    "The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.": (
        "Файл — не текст в UTF-8. Сохраните его как CSV (UTF-8) и попробуйте снова."
    ),
    "The file is empty.": "Файл пуст.",
    "Unknown columns: %(unknown)s. Allowed: %(allowed)s.": "Неизвестные столбцы: %(unknown)s. Допустимые: %(allowed)s.",
    "The file has a header but no rows.": "В файле есть заголовок, но нет строк.",
    "The file has %(rows)s rows; at most %(max)s at a time.": (
        "В файле %(rows)s строк; за один раз — не больше %(max)s."
    ),
    "No import with id %(id)s.": "Импорта с номером %(id)s нет.",
    # schemas' own messages
    "Text may not contain the NUL character (\\u0000).": "Текст не может содержать символ NUL (\\u0000).",
    "A phone number has digits, spaces and + ( ) - . only, e.g. +7 7172 00 00 00.": (
        "Номер телефона состоит только из цифр, пробелов и знаков + ( ) - ., например +7 7172 00 00 00."
    ),
    "Not an e-mail address: write it as name@example.kz.": "Это не адрес эл. почты: пишите его как name@example.kz.",
}

KK: dict[str, str] = {
    # regions, alerts
    "Unknown region %(id)s. Pick one from /api/v1/geo/regions.": (
        "%(id)s өңірі белгісіз. /api/v1/geo/regions тізімінен өңір таңдаңыз."
    ),
    "Unknown state %(state)s. States: %(states)s.": "%(state)s күйі белгісіз. Мүмкін күйлер: %(states)s.",
    "No alert with id %(id)s.": "%(id)s нөмірлі дабыл жоқ.",
    "someone": "біреу",
    "%(who)s already acknowledged this alert at %(time)s.": "%(who)s бұл дабылды %(time)s кезінде растап қойған.",
    # requests
    "Idempotency-Key is longer than 128 characters.": "Idempotency-Key 128 таңбадан ұзын.",
    "This Idempotency-Key was already used with a different request body.": (
        "Бұл Idempotency-Key басқа сұрау денесімен бұрын қолданылған."
    ),
    "This request was already carried out, but its first answer was lost. "
    "Look the result up instead of sending it again.": (
        "Бұл сұрау орындалған, бірақ оның алғашқы жауабы жоғалды. Сұрауды қайта жібермей, нәтижесін тексеріңіз."
    ),
    "A request with this Idempotency-Key is still being processed; retry shortly.": (
        "Осы Idempotency-Key бар сұрау әлі өңделуде; сәлден соң қайталаңыз."
    ),
    "There is no %(name)s %(value)s: ids run from %(min)s to %(max)s.": (
        "%(name)s = %(value)s жоқ: нөмірлер %(min)s мен %(max)s аралығында."
    ),
    # users, sign-in
    "Unknown role '%(role)s'.": "«%(role)s» рөлі белгісіз.",
    "The username '%(username)s' is taken.": "«%(username)s» пайдаланушы аты бос емес.",
    "Too many failed sign-ins from your address. Try again in %(minutes)s minute(s).": (
        "Сіздің мекенжайыңыздан сәтсіз кіру әрекеттері тым көп. %(minutes)s минуттан кейін қайталаңыз."
    ),
    "There is no such photo.": "Мұндай фотосурет жоқ.",
    # field teams and tasks
    "Unknown kind '%(kind)s'.": "«%(kind)s» түрі белгісіз.",
    "Give both dest_lat and dest_lon, or neither.": (
        "dest_lat пен dest_lon екеуін де көрсетіңіз немесе ешқайсысын көрсетпеңіз."
    ),
    "No task with id %(id)s.": "%(id)s нөмірлі тапсырма жоқ.",
    "This task is not your team's.": "Бұл тапсырма сіздің бригадаңыздікі емес.",
    "This task was given to another team meanwhile.": "Осы аралықта тапсырма басқа бригадаға берілді.",
    "Cannot %(action)s a task that is %(status)s.": (
        "«%(action)s» қадамы мүмкін емес: тапсырма қазір «%(status)s» күйінде."
    ),
    "Say why.": "Себебін көрсетіңіз.",
    "The offer is no longer open.": "Ұсыныс енді жарамсыз.",
    "The task is already %(status)s.": "Тапсырма қазірдің өзінде «%(status)s» күйінде.",
    "%(team)s cannot do %(kind)s tasks.": "«%(team)s» бригадасы «%(kind)s» түріндегі тапсырмаларды орындамайды.",
    "No team with id %(id)s.": "%(id)s нөмірлі бригада жоқ.",
    "The position's time is in the future.": "Орналасқан жердің уақыты болашақта.",
    "The position is more than 12 hours old.": "Орналасқан жер туралы дерек 12 сағаттан ескі.",
    # places
    "Unknown settlement '%(name)s'. Check the spelling or give coordinates.": (
        "«%(name)s» елді мекені белгісіз. Жазылуын тексеріңіз немесе координаттарды көрсетіңіз."
    ),
    "Regions are not loaded; run the migrations and seed.": (
        "Өңірлер жүктелмеген; миграцияларды және бастапқы толтыруды (seed) орындаңыз."
    ),
    "The point (%(lat)s, %(lon)s) lies outside Kazakhstan.": "(%(lat)s, %(lon)s) нүктесі Қазақстаннан тыс жатыр.",
    # headquarters
    "No headquarters with id %(id)s.": "%(id)s нөмірлі штаб жоқ.",
    "You may edit only your own HQ.": "Тек өз штабыңызды өзгерте аласыз.",
    "Only the national HQ sets how often an HQ must report.": (
        "Штабтың қаншалықты жиі баяндайтынын тек республикалық штаб белгілейді."
    ),
    "Give minutes from %(min)s to %(max)s (7 days), or 0 for the default (%(default)s).": (
        "%(min)s мен %(max)s аралығында минут (7 тәулік) көрсетіңіз немесе әдепкі мән үшін 0 (%(default)s)."
    ),
    "Give the HQ a name.": "Штабтың атауын көрсетіңіз.",
    "%(user)s cannot serve %(hq)s: staff are active HQ users of the national HQ.": (
        "%(user)s «%(hq)s» штабында қызмет ете алмайды: оның құрамы — республикалық деңгейдегі "
        "штабтардың белсенді пайдаланушылары."
    ),
    "%(user)s cannot serve %(hq)s: staff are active HQ users of its region.": (
        "%(user)s «%(hq)s» штабында қызмет ете алмайды: оның құрамы — өз өңірі штабтарының белсенді пайдаланушылары."
    ),
    "You may change only your own HQ's staff.": "Тек өз штабыңыздың құрамын өзгерте аласыз.",
    "No user is named %(name)s.": "%(name)s есімді пайдаланушы жоқ.",
    "%(user)s is on another HQ's staff; remove them there first.": (
        "%(user)s басқа штабтың құрамында; алдымен оны сол жерден шығарыңыз."
    ),
    "User %(id)s is not on the staff of %(hq)s.": "%(id)s пайдаланушысы «%(hq)s» штабының құрамында жоқ.",
    "You are not on the staff of %(hq)s. Ask its HQ to add you first.": (
        "Сіз «%(hq)s» штабының құрамында жоқсыз. Алдымен штабтан сізді қосуды сұраңыз."
    ),
    "You are on duty already, since %(time)s UTC.": "Сіз %(time)s UTC бастап кезекшіліктесіз.",
    "You are on duty already.": "Сіз қазірдің өзінде кезекшіліктесіз.",
    "No shift %(id)s at %(hq)s.": "«%(hq)s» штабында %(id)s кезекшілігі жоқ.",
    "Only a lead of %(hq)s may sign others off duty.": (
        "Басқаларды кезекшіліктен тек «%(hq)s» штабының басшысы босата алады."
    ),
    "This shift ended at %(time)s UTC.": "Бұл кезекшілік %(time)s UTC аяқталған.",
    # beds and facilities
    "The bed counts of facility %(id)s (%(category)s) do not allow %(what)s.": (
        "%(id)s нысанының төсек сандары (%(category)s) мынаған мүмкіндік бермейді: %(what)s."
    ),
    "releasing this hold": "осы броньды алу",
    "this check-in": "осы қоныстандыру",
    "this check-out": "осы шығару",
    "Unknown bed category '%(category)s'. Use one of: %(categories)s.": (
        "«%(category)s» төсек санаты белгісіз. Мыналардың бірін қолданыңыз: %(categories)s."
    ),
    "%(category)s beds must be between 0 and %(max)s.": (
        "%(category)s санатындағы төсек саны 0 мен %(max)s аралығында болуы керек."
    ),
    "Out-of-service %(category)s beds must be between 0 and the total (%(total)s).": (
        "%(category)s санатындағы пайдаланылмайтын төсек саны 0 мен жалпы санның (%(total)s) аралығында болуы керек."
    ),
    "Give a settlement or coordinates.": "Елді мекенді немесе координаттарды көрсетіңіз.",
    "Unknown kind '%(kind)s'. Use one of: %(kinds)s.": (
        "«%(kind)s» түрі белгісіз. Мыналардың бірін қолданыңыз: %(kinds)s."
    ),
    "Status is 'open' or 'closed' ('full' follows from the beds).": (
        "Мәртебе — «open» немесе «closed» («full» төсектерге қарай анықталады)."
    ),
    "%(category)s: %(held)s beds are held and %(occupied)s occupied, so at least "
    "%(needed)s must stay in service (asked for %(asked)s).": (
        "%(category)s: %(held)s төсек брондалған, %(occupied)s бос емес, сондықтан кемінде %(needed)s "
        "төсек жұмыста қалуы керек (сұралғаны %(asked)s)."
    ),
    "No facility with id %(id)s.": "%(id)s нөмірлі нысан жоқ.",
    "Unknown users: %(names)s.": "Белгісіз пайдаланушылар: %(names)s.",
    "Not facility managers: %(names)s.": "Нысан басқарушылары емес: %(names)s.",
    # placements
    "Cannot move a placement that is %(status)s.": "«%(status)s» күйіндегі орналастыруды ауыстыруға болмайды.",
    "%(facility)s has no %(n)s free beds in %(category)s.": (
        "«%(facility)s» нысанында %(category)s санатында %(n)s бос төсек жоқ."
    ),
    "Only a requested or waiting group can be split (this one is %(status)s).": (
        "Тек сұралған немесе күтудегі топты бөлуге болады (бұл топ «%(status)s» күйінде)."
    ),
    "A group of one cannot be split.": "Бір адамнан тұратын топты бөлуге болмайды.",
    "head_count must be between 1 and %(max)s.": "head_count 1 мен %(max)s аралығында болуы керек.",
    "%(names)s names were given for %(n)s people.": "%(n)s адамға %(names)s есім берілді.",
    "Give the origin as a settlement name or as coordinates.": (
        "Шығу орнын елді мекен атауымен немесе координаттармен көрсетіңіз."
    ),
    "No placement request with id %(id)s.": "%(id)s нөмірлі орналастыру өтінімі жоқ.",
    "This placement is not at a facility you manage.": "Бұл орналастыру сіз басқаратын нысанда емес.",
    "Cannot %(action)s a placement that is %(status)s.": (
        "«%(action)s» әрекеті мүмкін емес: орналастыру «%(status)s» күйінде."
    ),
    "Between 1 and %(n)s people can be checked in for this group.": (
        "Бұл топ үшін 1 мен %(n)s аралығындағы адамды қоныстандыруға болады."
    ),
    "Between 1 and %(n)s people can be checked out.": "1 мен %(n)s аралығындағы адамды шығаруға болады.",
    "Placement %(id)s is %(status)s; only a waiting group can be dispatched again.": (
        "%(id)s орналастыруы «%(status)s» күйінде; тек күтудегі топты қайта бөлуге болады."
    ),
    # map screen
    "Unknown format %(format)s. Formats: %(formats)s.": "%(format)s пішімі белгісіз. Пішімдер: %(formats)s.",
    "Unknown layers: %(unknown)s. Layers: %(layers)s.": "Белгісіз қабаттар: %(unknown)s. Қабаттар: %(layers)s.",
    "(none given)": "(көрсетілмеген)",
    "Unknown status %(bad)s. Statuses: %(known)s.": "%(bad)s мәртебесі белгісіз. Мәртебелер: %(known)s.",
    # imports
    "Attach the CSV file as the multipart field 'file'.": "CSV файлын multipart «file» өрісіне тіркеңіз.",
    "Unknown import kind '%(kind)s'.": "«%(kind)s» импорт түрі белгісіз.",
    "The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.": (
        "Файл UTF-8 мәтіні емес. Оны CSV (UTF-8) ретінде сақтап, қайталап көріңіз."
    ),
    "The file is empty.": "Файл бос.",
    "Unknown columns: %(unknown)s. Allowed: %(allowed)s.": (
        "Белгісіз бағандар: %(unknown)s. Рұқсат етілгендер: %(allowed)s."
    ),
    "The file has a header but no rows.": "Файлда тақырып жолы бар, бірақ деректер жолдары жоқ.",
    "The file has %(rows)s rows; at most %(max)s at a time.": (
        "Файлда %(rows)s жол бар; бір уақытта ең көбі %(max)s жол."
    ),
    "No import with id %(id)s.": "%(id)s нөмірлі импорт жоқ.",
    # schemas' own messages
    "Text may not contain the NUL character (\\u0000).": "Мәтінде NUL таңбасы (\\u0000) болмауы керек.",
    "A phone number has digits, spaces and + ( ) - . only, e.g. +7 7172 00 00 00.": (
        "Телефон нөмірі тек сандардан, бос орындардан және + ( ) - . таңбаларынан тұрады, мысалы +7 7172 00 00 00."
    ),
    "Not an e-mail address: write it as name@example.kz.": (
        "Бұл электрондық пошта мекенжайы емес: оны name@example.kz түрінде жазыңыз."
    ),
}
