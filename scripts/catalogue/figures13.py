"""Russian and Kazakh for the HQ figures (issue 13): how beds and people are
counted, cases drawn at their region's centre, the hotline queue's count
(merged by scripts/translations.py)."""

RU: dict[str, str] = {
    "Beds and the people in them count in the region of the facility.": (
        "Койки и люди в них считаются в регионе объекта размещения."
    ),
    "Place unknown: shown at the region's centre.": "Место неизвестно: показано в центре региона.",
    "the first %(n)s shown": "показаны первые %(n)s",
}

KK: dict[str, str] = {
    "Beds and the people in them count in the region of the facility.": (
        "Төсектер мен ондағы адамдар орналастыру нысаны тұрған өңірде есептеледі."
    ),
    "Place unknown: shown at the region's centre.": "Орны белгісіз: өңірдің орталығында көрсетілген.",
    "the first %(n)s shown": "алғашқы %(n)s көрсетілген",
}
