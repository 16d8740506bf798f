"""The certificate of completion as a PDF (fpdf2), in the participant's language.

The wording and order live in a template (``templates/programmes/certificate_pdf.txt``,
translated like every page); this module lays its lines out: a line starting ``# `` is
the title, ``## `` a name in large type, ``- `` an item of a list, an empty line a gap.
The text is embedded with a Unicode font (DejaVu Sans from Debian's fonts-dejavu-core), so
that names in any Latin script print and the PDF's text can be extracted and searched.
"""

from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale, format_date

from lahti_pool.core.mailer import absolute_url, recipient_locale
from lahti_pool.programmes import rules

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def certificate_text(member, completion) -> str:
    """The certificate's lines in the participant's language."""
    programme = member.programme
    with force_locale(recipient_locale(member.user)):
        return render_template(
            "programmes/certificate_pdf.txt",
            name=member.user.name,
            programme=programme,
            period=f"{format_date(programme.starts_on)}–{format_date(programme.ends_on)}",
            modules=[
                (m.number, m.theme, rules.hours(m.minutes_attended), m.counts)
                for m in completion.modules
                if m.minutes_attended
            ],
            total_hours=rules.hours(completion.minutes_attended),
            issuer=programme.issuer,
            issued_on=format_date(member.certificate_issued_on, "long"),
            code=member.certificate_code,
            verify_url=absolute_url("programmes.verify", code=member.certificate_code),
        )


def certificate_pdf(member, completion) -> bytes:
    from fpdf import FPDF  # imported when a certificate is made, not in every worker

    font_dir = Path(current_app.config.get("CERTIFICATE_FONT_DIR", FONT_DIR))
    pdf = FPDF(format="A4")
    pdf.set_title(member.programme.name)
    pdf.set_creator("Lahti Pool")
    pdf.add_font("DejaVu", "", str(font_dir / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(font_dir / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_margins(25, 25, 25)
    pdf.set_y(35)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for line in certificate_text(member, completion).splitlines():
        line = line.rstrip()
        if not line:
            pdf.ln(5)
        elif line.startswith("# "):
            pdf.set_font("DejaVu", "B", 24)
            pdf.multi_cell(width, 12, line[2:], align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(6)
        elif line.startswith("## "):
            pdf.set_font("DejaVu", "B", 18)
            pdf.multi_cell(width, 10, line[3:], align="C", new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("- "):
            pdf.set_font("DejaVu", "", 11)
            pdf.set_x(pdf.l_margin + 15)
            pdf.multi_cell(width - 30, 6, "•  " + line[2:], new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("DejaVu", "", 12)
            pdf.multi_cell(width, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
