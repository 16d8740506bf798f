"""The mapping report (issue 19): what each network and programme did in a period.

The rows come from the features that have networks and programmes
(``core.mapping.mapping_rows``); the surveys about each subject that closed in the period
are added with their results under the feedback rule, never with free text. The same
figures make the page's tables, its chart and the CSV and XLSX exports.
"""

import io
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from lahti_pool.core.exports import safe_cell
from lahti_pool.core.mapping import MappingRow, mapping_kinds, mapping_rows
from lahti_pool.surveys.models import QuestionKind
from lahti_pool.surveys.results import SurveyResults, survey_results, surveys_about


@dataclass(frozen=True)
class MappingEntry:
    row: MappingRow
    kind_label: str
    surveys: list[SurveyResults]

    @property
    def members(self) -> int:
        return sum(self.row.members_by_role.values())


def mapping(start: date, end: date, k: int) -> list[MappingEntry]:
    labels = mapping_kinds()
    entries = []
    for row in sorted(mapping_rows(start, end), key=lambda r: (r.kind, r.name.casefold())):
        surveys = [
            survey_results(s, k, with_text=False)
            for s in surveys_about(row.kind, row.subject_id, start, end)
        ]
        entries.append(MappingEntry(row, str(labels.get(row.kind, row.kind)), surveys))
    return entries


def export_rows(entries: list[MappingEntry]) -> list[list]:
    """One figure a line: a hidden figure (fewer than five answers) is an empty cell."""
    rows = [[_("Kind"), _("Name"), _("Measure"), _("Category"), _("Value")]]
    for e in entries:
        head = [e.kind_label, e.row.name]
        for role, n in sorted(e.row.members_by_role.items()):
            rows.append([*head, _("Members by role"), role, n])
        for org, n in sorted(e.row.members_by_organisation.items()):
            rows.append([*head, _("Members by organisation"), org, n])
        rows.append([*head, _("Events held"), "", e.row.events_held])
        rows.append([*head, _("Attendances"), "", e.row.attendances])
        for results in e.surveys:
            rows.extend([*head, *line] for line in _survey_lines(results))
    return [[safe_cell(v) for v in row] for row in rows]


def _survey_lines(results: SurveyResults) -> list[list]:
    survey = results.survey
    answered = "" if results.respondents is None else results.respondents
    lines = [[_("Survey answers"), survey.title, answered]]
    if survey.evaluates_year is not None:
        lines.append([_("Year evaluated"), survey.title, survey.evaluates_year])
    for q in results.questions:
        counted = q.counted
        if counted is None:  # free text is never exported
            continue
        if q.question.kind == QuestionKind.SCALE:
            average = "" if counted.average is None else counted.average
            lines.append([_("Average (1–5)"), f"{survey.title}: {q.question.text}", average])
            continue
        for index, option in enumerate(q.question.options):
            n = counted.counts.get(index)
            lines.append(
                [
                    _("Answers"),
                    f"{survey.title}: {q.question.text}: {option}",
                    "" if n is None else n,
                ]
            )
    return lines


def to_xlsx(entries: list[MappingEntry], start: date, end: date) -> bytes:
    from openpyxl import Workbook  # loaded for an export only, not in every worker

    book = Workbook()
    summary = book.active
    summary.title = _("Summary")
    summary.append([_("Kind"), _("Name"), _("Members"), _("Events held"), _("Attendances")])
    for e in entries:
        summary.append(
            [
                safe_cell(e.kind_label),
                safe_cell(e.row.name),
                e.members,
                e.row.events_held,
                e.row.attendances,
            ]
        )
    details = book.create_sheet(_("Details"))
    for row in export_rows(entries):
        details.append(row)
    period = book.create_sheet(_("Period"))
    period.append([_("From"), start])
    period.append([_("To"), end])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _drop_scripts(root):
    """pygal always embeds a config <script>; the chart is an image and needs none."""
    for parent in list(root.iter()):
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return root


def chart_svg(entries: list[MappingEntry]) -> str:
    import pygal  # loaded for the chart only, not in every worker

    chart = pygal.HorizontalBar(
        disable_xml_declaration=True,
        js=[],
        width=800,
        height=max(300, 80 + 60 * len(entries)),
        legend_at_bottom=True,
        title=_("Members, events and attendances"),
        x_labels=[e.row.name for e in entries],
    )
    chart.add_xml_filter(_drop_scripts)
    chart.add(_("Members"), [e.members for e in entries])
    chart.add(_("Events held"), [e.row.events_held for e in entries])
    chart.add(_("Attendances"), [e.row.attendances for e in entries])
    return chart.render(is_unicode=True)
