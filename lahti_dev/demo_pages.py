"""The demo city's service pages, in Finnish, Swedish and English, drawn from the Lahti
article (../shared/seeds/004_…): the right to supervision, ten sessions a school year, the
framework agreement, group supervision when individual supervision runs out."""

from lahti_pool.service_pages.models import PageSlug
from lahti_pool.service_pages.services import save_page, stored_page

SERVICE_FI = """\
Perusopetuspalveluissa jokaisella on oikeus työnohjaukseen. Työnohjausta tarjotaan koko
henkilöstölle: rehtoreille, opettajille, koulunkäyntiavustajille ja koulusihteereille.
Tarvetta ei arvioida erikseen, vaan riittää, että itse haluat työnohjausta.

## Mitä saat

- **Kymmenen työnohjauskertaa lukuvuodessa**, joko yksin tai ryhmässä.
- Yksilötyönohjauksen kerta kestää 60 minuuttia, ryhmätyönohjauksen 90 minuuttia.
- Päivystävän työnohjaajan vapaan tunnin voit varata suoraan, verkkopalaverina tai puhelimitse.

## Näin pääset alkuun

1. Tee pyyntö kohdasta *Pyydä työnohjausta*. Voit toivoa tapaa, kieltä ja työnohjaajaa.
2. Pooli ehdottaa sinulle työnohjaajaa kaupungin puitesopimuksen työnohjaajista.
3. Sovit tapaamiset työnohjaajan kanssa. Ennakkokysymysten vastaukset näkee vain työnohjaajasi.

Yksilötyönohjauksen kysyntä on suurempaa kuin tarjonta. Jos yksilöohjausta ei ole heti
tarjolla, sinulle tarjotaan paikkaa ryhmätyönohjauksessa.

Työnohjaajat tulevat kaupungin kilpailuttamasta puitesopimuksesta. Kysyttävää?
Kirjoita osoitteeseen [tyonohjaus@demo.lahti.fi](mailto:tyonohjaus@demo.lahti.fi).
"""

WHAT_IS_FI = """\
Työnohjaus on luottamuksellista ja säännöllistä keskustelua omasta työstä koulutetun
työnohjaajan kanssa. Opetus- ja kasvatustyö on vuorovaikutustyötä, jonka tukimuodoksi
työnohjaus sopii luontevasti.

Työnohjaus **ei ole terapiaa eikä kriisityötä**, eikä se ole esihenkilön arviointia.
Se on työn arkinen tukimuoto: lähtökohtana on mahdollisuus, ei pakko.

## Mitä työnohjauksella saavutetaan

Tutkimusten mukaan työnohjaus edistää työhyvinvointia ja ehkäisee ongelmia
vuorovaikutussuhteissa. Palautekyselyissä henkilöstö on ollut tyytyväinen työnohjauksen
saatavuuteen ja hyödyllisyyteen.

## Luottamuksellisuus

Työnohjauksen sisältöä ei tallenneta. Palveluun kirjataan vain tapaamisen päivä, kesto ja
laji. Ennakkokysymysten vastaukset näkee vain työnohjaajasi, ei pooli eikä esihenkilösi.
"""

FAQ_FI = """\
## Tarvitsenko esihenkilön luvan?

Et tarvitse. Työnohjaus on henkilöstön oikeus, ja oma halukkuutesi riittää.

## Montako kertaa voin saada?

Kymmenen kertaa lukuvuodessa (1.8.–31.7.). Ryhmätyönohjauksen kerta kuluttaa yhden kerran
jokaisen osallistujan kiintiöstä.

## Mitä jos en pääsekään sovittuun aikaan?

Peru viimeistään vuorokautta ennen, niin kerta palautuu kiintiöösi. Myöhäinen peruutus
kuluttaa kerran.

## Voiko esihenkilö tilata työnohjausta tiimille?

Voi. Yksikön esihenkilö voi tilata ryhmätyönohjausta nimetyille yksikkönsä jäsenille.
Jokainen jäsen saa kutsun ja voi kieltäytyä.

## Mitä työnohjaus maksaa minulle?

Ei mitään. Kaupunki maksaa työnohjauksen perusopetuksen koulutusmäärärahoista; koko
järjestelmä maksaa vuodessa noin 40 000 euroa.
"""

WELLBEING_FI = """\
Työnohjaus on yksi työhyvinvoinnin tuen muoto. Jos kuormitus on suurta tai terveys
huolettaa, käänny näiden puoleen:

- **Työterveyshuolto**: ota yhteyttä oman työterveyshuoltosi ajanvaraukseen.
- **Esihenkilö ja työsuojelu**: työn järjestelyistä voit keskustella esihenkilösi ja
  työsuojeluvaltuutetun kanssa.
- [Työterveyslaitos: työhyvinvointi](https://www.ttl.fi/)
- [Suomen työnohjaajat ry (STOry)](https://www.suomentyonohjaajat.fi/)

Kiireellisessä hädässä soita 112.
"""

SERVICE_SV = """\
Inom den grundläggande utbildningen har alla anställda rätt till arbetshandledning:
rektorer, lärare, skolgångsbiträden och skolsekreterare. Behovet bedöms inte separat,
det räcker att du själv vill ha handledning.

- **Tio handledningstillfällen per läsår**, individuellt eller i grupp.
- Ett individuellt tillfälle tar 60 minuter, ett grupptillfälle 90 minuter.
- En ledig tid hos en jourhavande handledare kan du boka direkt, som videomöte eller per telefon.

Efterfrågan på individuell handledning är större än utbudet. Finns det ingen individuell
handledning genast, erbjuds du en plats i grupphandledning.

Frågor? Skriv till [tyonohjaus@demo.lahti.fi](mailto:tyonohjaus@demo.lahti.fi).
"""

WHAT_IS_SV = """\
Arbetshandledning är ett konfidentiellt och regelbundet samtal om ditt eget arbete med en
utbildad handledare. Den är **varken terapi eller krisarbete** och ingen bedömning av chefen,
utan ett vardagligt stöd i arbetet: en möjlighet, inte ett tvång.

Innehållet sparas aldrig. Svaren på förhandsfrågorna ser bara din handledare.
"""

FAQ_SV = """\
## Behöver jag chefens tillstånd?

Nej. Arbetshandledning är personalens rätt.

## Hur många gånger får jag?

Tio gånger per läsår (1.8–31.7). Ett grupptillfälle drar ett tillfälle av varje deltagares kvot.

## Kan chefen beställa handledning för sitt team?

Ja. Enhetens chef kan beställa grupphandledning för namngivna medlemmar av enheten. Var och en
får en inbjudan och kan tacka nej.
"""

WELLBEING_SV = """\
Arbetshandledning är ett av flera stöd för arbetshälsan:

- **Företagshälsovården**: kontakta din företagshälsovårds tidsbokning.
- [Arbetshälsoinstitutet](https://www.ttl.fi/sv)
- [Suomen työnohjaajat ry (STOry)](https://www.suomentyonohjaajat.fi/)

Vid akut nöd, ring 112.
"""

SERVICE_EN = """\
In basic education every employee has the right to work supervision: principals, teachers,
school assistants and school secretaries. Nobody assesses your need; wanting it is enough.

- **Ten supervision sessions per school year**, individually or in a group.
- An individual session takes 60 minutes, a group session 90 minutes.
- A free hour with an on-duty supervisor can be booked directly, as a video meeting or by phone.

Demand for individual supervision exceeds supply. When no individual supervision is free,
you are offered a place in group supervision.

Questions? Write to [tyonohjaus@demo.lahti.fi](mailto:tyonohjaus@demo.lahti.fi).
"""

WHAT_IS_EN = """\
Work supervision (*työnohjaus*) is a confidential, regular conversation about your own work
with a trained supervisor. It is **neither therapy nor crisis work**, and not an appraisal by
your manager: it is everyday support for the work, an opportunity, never an obligation.

Nothing said in supervision is stored. Only your supervisor reads your pre-question answers.
"""

FAQ_EN = """\
## Do I need my manager's permission?

No. Supervision is every employee's right.

## How many sessions can I have?

Ten per school year (1 August to 31 July). A group session uses one session of each member's quota.

## Can a manager order supervision for the team?

Yes. A unit's manager can order group supervision for named members of the unit. Each member is
invited and may decline.
"""

WELLBEING_EN = """\
Work supervision is one of several kinds of support for wellbeing at work:

- **Occupational health care**: book through your occupational health service.
- [Finnish Institute of Occupational Health](https://www.ttl.fi/en)
- [Finnish work supervisors' association (STOry)](https://www.suomentyonohjaajat.fi/)

In an emergency, call 112.
"""

#: (page, language): (title, Markdown)
PAGES = {
    (PageSlug.SERVICE, "fi"): ("Työnohjaus perusopetuksessa", SERVICE_FI),
    (PageSlug.WHAT_IS, "fi"): ("Mitä työnohjaus on?", WHAT_IS_FI),
    (PageSlug.FAQ, "fi"): ("Usein kysyttyä", FAQ_FI),
    (PageSlug.WELLBEING, "fi"): ("Työterveys ja muu työhyvinvoinnin tuki", WELLBEING_FI),
    (PageSlug.SERVICE, "sv"): ("Arbetshandledning inom grundläggande utbildning", SERVICE_SV),
    (PageSlug.WHAT_IS, "sv"): ("Vad är arbetshandledning?", WHAT_IS_SV),
    (PageSlug.FAQ, "sv"): ("Vanliga frågor", FAQ_SV),
    (PageSlug.WELLBEING, "sv"): ("Företagshälsovård och annat stöd", WELLBEING_SV),
    (PageSlug.SERVICE, "en"): ("Work supervision in basic education", SERVICE_EN),
    (PageSlug.WHAT_IS, "en"): ("What is work supervision?", WHAT_IS_EN),
    (PageSlug.FAQ, "en"): ("Frequently asked questions", FAQ_EN),
    (PageSlug.WELLBEING, "en"): ("Occupational health and other support", WELLBEING_EN),
}


def ensure_service_pages(admin) -> int:
    """Write the pages not written yet (an administrator's edits stay); how many."""
    written = 0
    for (slug, locale), (title, body) in PAGES.items():
        if stored_page(slug, locale) is None:
            save_page(admin, slug, locale, title, body)
            written += 1
    return written
