"""The mapping report: each network and programme's members, events, attendance and the
results of the surveys about it, on the page, in CSV and XLSX and as a chart."""

import io
import re

from openpyxl import load_workbook
from survey_support import answer_all, make_survey, send_and_close

from lahti_pool.surveys import proposals


def _period(today) -> str:
    return f"start={today.year}-01-01&end={today.year}-12-31"


def test_the_page_lists_members_events_attendance_and_survey_results(
    client, reports_user, admin, group, mapping_row, today
):
    members, _ = group
    survey = make_survey(admin, year=2026)
    send_and_close(admin, survey, lambda s: answer_all(s, members, scale=4, text="Secret"))
    client.login(reports_user)

    page = client.get(f"/reports/mapping?{_period(today)}").text

    assert "Pedagogical leadership" in page and "Hollola" in page
    assert '<td class="text-end">14</td>' in page  # attendances
    assert "average 4.0" in page
    assert "Evaluates and closes the year 2026." in page
    assert "Secret" not in page  # free text is never on the mapping report
    assert "/reports/mapping/chart.svg" in page


def test_the_exports_carry_the_figures_and_hide_small_ones(
    client, admin, group, mapping_row, today
):
    members, _ = group
    survey = make_survey(admin)

    def answer(s):
        answer_all(s, members[:5], choice=0)
        answer_all(s, members[5:], choice=1, text="=HYPERLINK(1)")

    send_and_close(admin, survey, answer)
    client.login(admin)

    csv = client.get(f"/reports/mapping.csv?{_period(today)}").text
    xlsx = client.get(f"/reports/mapping.xlsx?{_period(today)}")

    assert "Test network,Pedagogical leadership,Events held,,3" in csv
    assert "Test network,Pedagogical leadership,Attendances,,14" in csv
    assert "Members by organisation,Hollola,1" in csv
    assert "Survey answers,Network evaluation,6" in csv
    assert "Average (1–5),Network evaluation: How useful was the network?,4.0" in csv
    # one chose Assessment, so the five who chose Wellbeing are hidden too
    assert "Which theme next?: Wellbeing," + "\r\n" in csv
    assert "Which theme next?: Assessment," + "\r\n" in csv
    assert "HYPERLINK" not in csv  # free text is never exported
    book = load_workbook(io.BytesIO(xlsx.data))
    summary = list(book["Summary"].values)
    assert summary[1] == ("Test network", "Pedagogical leadership", 6, 3, 14)
    details = [row for row in book["Details"].values]
    assert ("Test network", "Pedagogical leadership", "Attendances", None, 14) in details


def test_the_chart_is_an_svg_image_without_script(client, reports_user, mapping_row, today):
    client.login(reports_user)

    chart = client.get(f"/reports/mapping/chart.svg?{_period(today)}")

    assert chart.mimetype == "image/svg+xml"
    assert "Pedagogical leadership" in chart.text and "<script" not in chart.text


def test_a_reversed_period_is_said_and_the_page_still_shows(client, admin, mapping_row, today):
    client.login(admin)

    page = client.get(f"/reports/mapping?start={today.year}-12-31&end={today.year}-01-01")

    assert page.status_code == 200 and "The end cannot be before the start." in page.text


def test_a_needs_survey_proposes_its_options_as_networks(client, admin, group):
    """The networks feature registers its page (networks/mapping.py): each option links
    there with the theme filled in as the new themed network's name."""
    members, _ = group
    survey = make_survey(admin, kind="needs", about=False)
    send_and_close(admin, survey, lambda s: answer_all(s, members, choice=2))
    client.login(admin)

    page = client.get(f"/surveys/{survey.id}/propose").text

    assert proposals.network_creator() == ("networks_admin.index", "theme")
    assert '<th scope="row">Leadership</th>\n    <td class="text-end">6</td>' in page
    link = re.search(r'href="(/admin/networks\?theme=Leadership)"', page).group(1)
    form = client.get(link).text
    assert 'value="Leadership"' in form
    assert re.search(r'<option selected value="themed">|<option value="themed" selected', form)
