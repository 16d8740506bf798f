"""The Finnish catalogue uses one word per concept (docs/glossary-fi.md)."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
FI = ROOT / "lahti_pool" / "translations" / "fi" / "LC_MESSAGES" / "messages.po"

#: banned form -> the glossary's word for the concept
BANNED = {
    r"\bkohdistami": "kohdistus",
    r"kohdenn|kohdent": "kohdistus",
    r"\bosoitu": "kohdistus",
    r"istun(to|no|toj|noi)": "työnohjauskerta (or kirjautuminen for a sign-in)",
    r"eturistiri": "esteellisyys",
    r"passiivi": "ei käytössä / poistettu käytöstä",
    r"aktiivi": "ei käytössä / käynnissä",
    r"peruut(?!us|uks)": "perua (Peru, peruttu)",
    r"\bperuuta": "perua (Peru)",
    r"tarjouskysel|hintakysel": "tarjouspyyntö",
}


def _finnish_strings() -> list[tuple[str, str]]:
    with FI.open("rb") as f:
        catalogue = read_po(f)
    out = []
    for m in catalogue:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        out.extend((msgid, s) for s in strings if s)
    return out


def test_the_finnish_catalogue_uses_the_glossarys_words():
    offences = [
        f"{msgid!r}: {text!r} uses {pattern!r}, say {word}"
        for msgid, text in _finnish_strings()
        for pattern, word in BANNED.items()
        if re.search(pattern, text, re.IGNORECASE)
    ]
    assert not offences, "\n".join(offences)


def test_cancel_is_peru_in_finnish():
    strings = dict(_finnish_strings())
    assert strings["Cancel"] == "Peru"


def test_the_glossary_lists_every_banned_word():
    glossary = (ROOT / "docs" / "glossary-fi.md").read_text(encoding="utf-8")
    for word in (
        "istunto",
        "kohdennus",
        "osoitus",
        "eturistiriita",
        "passiivinen",
        "peruuttaa",
        "tarjouskysely",
    ):
        assert word in glossary
