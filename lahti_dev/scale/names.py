"""Names for the generated city: divisions, unit names, job titles, neutral texts.

People's names, supervisors' presentations and company forms come from the small
demo (lahti_dev/demo.py), so both cities read alike.
"""

from lahti_pool.organisation.models import UnitKind

DOMAIN = "city.example.fi"
SUPERVISOR_DOMAIN = "ohjaajat.city.example.fi"
AGREEMENT_REF = "CITY-HILMA-TYONOHJAUS-0001"

#: (code, Finnish name, English name, unit-code prefix, share of units, unit kinds)
DIVISIONS = (
    (
        "4110",
        "Perusopetus",
        "Basic education",
        "PO",
        30,
        {UnitKind.SCHOOL: 92, UnitKind.OFFICE: 8},
    ),
    (
        "4210",
        "Varhaiskasvatus",
        "Early childhood education",
        "VK",
        36,
        {UnitKind.KINDERGARTEN: 94, UnitKind.OFFICE: 6},
    ),
    (
        "5310",
        "Sosiaali- ja terveyspalvelut",
        "Social and health services",
        "ST",
        17,
        {UnitKind.OFFICE: 45, UnitKind.OTHER: 55},
    ),
    (
        "4310",
        "Lukiokoulutus",
        "Upper secondary education",
        "LU",
        5,
        {UnitKind.SCHOOL: 85, UnitKind.OFFICE: 15},
    ),
    (
        "6110",
        "Kulttuuri- ja vapaa-aikapalvelut",
        "Culture and leisure services",
        "KV",
        7,
        {UnitKind.OTHER: 70, UnitKind.OFFICE: 30},
    ),
    (
        "7110",
        "Kaupunkiympäristön palvelut",
        "Urban environment services",
        "KY",
        5,
        {UnitKind.OFFICE: 55, UnitKind.OTHER: 45},
    ),
)

#: staff of a unit, by kind: a typical size (each unit varies around it)
UNIT_SIZES = {
    UnitKind.SCHOOL: 38,
    UnitKind.KINDERGARTEN: 14,
    UnitKind.OFFICE: 22,
    UnitKind.OTHER: 26,
}

#: (division code, kind) -> the word after the place name
UNIT_WORDS = {
    ("4110", UnitKind.SCHOOL): "koulu",
    ("4110", UnitKind.OFFICE): "opetuspalvelut",
    ("4210", UnitKind.KINDERGARTEN): "päiväkoti",
    ("4210", UnitKind.OFFICE): "varhaiskasvatuksen palvelutoimisto",
    ("5310", UnitKind.OFFICE): "sosiaaliasema",
    ("5310", UnitKind.OTHER): "terveysasema",
    ("4310", UnitKind.SCHOOL): "lukio",
    ("4310", UnitKind.OFFICE): "koulutuspalvelut",
    ("6110", UnitKind.OTHER): "kirjasto ja nuorisotila",
    ("6110", UnitKind.OFFICE): "kulttuuripalvelut",
    ("7110", UnitKind.OFFICE): "palvelupiste",
    ("7110", UnitKind.OTHER): "kunnossapidon varikko",
}

#: district names in the genitive (Kivimaan koulu)
PLACES = tuple(
    [
        "Kivimaan",
        "Tiirismaan",
        "Salpausselän",
        "Jalkarannan",
        "Kärpäsen",
        "Launeen",
        "Mukkulan",
        "Metsäkankaan",
        "Kunnaksen",
        "Ahtialan",
        "Kiveriön",
        "Myllypohjan",
        "Liipolan",
        "Möysän",
        "Vesijärven",
        "Kartanon",
        "Renkomäen",
        "Okeroisten",
        "Nikkilän",
        "Villähteen",
        "Hennalan",
        "Paavolan",
        "Harjun",
        "Kolavan",
        "Kasakkamäen",
        "Rautakankaan",
        "Soramäen",
        "Hiekkanummen",
        "Kukkilan",
        "Pyhättömän",
        "Saksalan",
        "Jokimaan",
        "Laaksolan",
        "Mäkelän",
        "Kytölän",
        "Kilpiäisten",
        "Patomäen",
        "Tonttilan",
        "Vipusen",
        "Kiikkulan",
        "Kerinkallion",
        "Kintterön",
        "Ruoriniemen",
        "Nastolan",
        "Uudenkylän",
        "Immilän",
        "Rakokiven",
        "Seestan",
        "Luhdan",
    ]
)
AREAS = ("Keskusta", "Etelä", "Pohjoinen", "Itä", "Länsi")

#: (division code, kind) -> [(job title, weight)]; the first (weight 0) heads the unit
EXTRA_JOB_TITLES = {
    ("4310", UnitKind.SCHOOL): [
        ("Rehtori", 0),
        ("Lehtori", 6),
        ("Tuntiopettaja", 3),
        ("Opinto-ohjaaja", 1),
        ("Erityisopettaja", 1),
        ("Koulusihteeri", 1),
    ],
    ("4310", UnitKind.OFFICE): [
        ("Johtava rehtori", 0),
        ("Suunnittelija", 2),
        ("Toimistosihteeri", 1),
    ],
    ("6110", UnitKind.OTHER): [
        ("Palvelupäällikkö", 0),
        ("Kirjastovirkailija", 3),
        ("Nuoriso-ohjaaja", 3),
        ("Liikuntaneuvoja", 2),
        ("Kulttuurituottaja", 1),
    ],
    ("6110", UnitKind.OFFICE): [
        ("Kulttuurijohtaja", 0),
        ("Suunnittelija", 2),
        ("Toimistosihteeri", 1),
    ],
    ("7110", UnitKind.OFFICE): [
        ("Palvelujohtaja", 0),
        ("Insinööri", 3),
        ("Suunnittelija", 3),
        ("Toimistosihteeri", 1),
    ],
    ("7110", UnitKind.OTHER): [
        ("Työnjohtaja", 0),
        ("Kiinteistönhoitaja", 3),
        ("Puutarhuri", 2),
        ("Asentaja", 2),
    ],
}
GENERIC_JOB_TITLES = [("Esihenkilö", 0), ("Asiantuntija", 3), ("Toimistosihteeri", 1)]

#: the known logins: (login, name, job title, role)
KNOWN = {
    "admin": ("Anu Lindholm", "Työnohjauspoolin koordinaattori"),
    "reports": ("Riikka Salonen", "Kehittämisasiantuntija"),
    "staff": ("Sanna Koskinen", "Luokanopettaja"),
    "supervisor": ("Marjatta Heinonen", "Työnohjaaja"),
}

# --- Neutral texts (never realistic personal content) ------------------------------------

#: a placeholder for confidential pre-question answers of the current year
ANSWER_PLACEHOLDER = "(Generoitu testivastaus – ei todellista sisältöä.)"
WITHDRAW_REASONS = (
    "Tilanne muuttui, en tarvitse työnohjausta nyt.",
    "Aikataulut eivät sovi tänä vuonna.",
    "",
)
DECLINE_REASONS = (
    "Pyyntö koskee esihenkilön tehtävää, ei omaa työtä.",
    "Pyyntö kuuluu työterveyshuollolle.",
)
FEEDBACK_COMMENTS = (
    "Auttoi jäsentämään omaa työtä.",
    "Hyvä ja turvallinen ilmapiiri.",
    "Aika tuntui lyhyeltä.",
    "Etäyhteys toimi hyvin.",
    "Sai uusia näkökulmia.",
    "Tilajärjestelyt olivat hankalat.",
)
GROUP_NAMES = ("tiimi", "opettajat", "työyhteisö", "esihenkilöt", "ohjaajat")
PLACES_FOR_GROUPS = ("neuvotteluhuone", "opettajainhuone", "kokoustila")
RETURN_REASON = "Tarkista kesto ja osallistujat."
