"""Forms for framework agreements and supervisor profiles: the shape of input only."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lahti_pool.core.contact import HttpsUrl
from lahti_pool.core.money import AmountField
from lahti_pool.core.widgets import InYears, MultiCheckboxField
from lahti_pool.requests.labels import KIND_LABELS, LANGUAGE_LABELS, MODE_LABELS
from lahti_pool.requests.models import RequestKind
from lahti_pool.supervisors.agreements import AgreementInput
from lahti_pool.supervisors.models import AllocationRule, SupervisorKind
from lahti_pool.supervisors.presentations import OwnPresentationInput
from lahti_pool.supervisors.services import SupervisorInput, split_areas

ALLOCATION_LABELS = {
    AllocationRule.RANKING: _l("Ranking order: the best-ranked supervisor with free capacity"),
    AllocationRule.BALANCED: _l("Balanced: the least-utilised supervisor first"),
    AllocationRule.CLIENT_CHOICE: _l("Client choice among eligible supervisors"),
}
SUPERVISOR_KIND_LABELS = {
    SupervisorKind.CONTRACTED: _l("Contracted (framework agreement)"),
    SupervisorKind.INTERNAL: _l("Internal (city employee)"),
}
SUPERVISION_KIND_LABELS = {k: KIND_LABELS[RequestKind(k)] for k in ("individual", "group")}
#: the largest rank the form takes
MAX_RANK = 100_000


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in labels.items()]


class AgreementForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    procurement_ref = StringField(
        _l("Procurement reference"),
        description=_l("For example the Hilma notice number."),
        validators=[Optional(), Length(max=100)],
    )
    starts_on = DateField(_l("Period starts"), validators=[InputRequired(), InYears()])
    ends_on = DateField(_l("Period ends"), validators=[InputRequired(), InYears()])
    allocation_rule = SelectField(_l("Allocation rule"), choices=_choices(ALLOCATION_LABELS))
    vat_percent = AmountField(
        _l("VAT percent"),
        description=_l("Prices are entered without VAT; this VAT is added to them."),
        validators=[InputRequired()],
    )

    def as_input(self) -> AgreementInput:
        return AgreementInput(
            name=self.name.data,
            procurement_ref=self.procurement_ref.data or "",
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            allocation_rule=AllocationRule(self.allocation_rule.data),
            vat_percent=self.vat_percent.data,
        )


class SupervisorForm(FlaskForm):
    """The administrator's form; the view fills the choices that come from the database."""

    email = EmailField(
        _l("User's e-mail"),
        description=_l("The user must already exist. They get the supervisor role."),
        validators=[DataRequired(), Length(max=254)],
    )
    kind = SelectField(_l("Kind"), choices=_choices(SUPERVISOR_KIND_LABELS))
    agreement = SelectField(_l("Framework agreement"), coerce=int, default=0)
    rank = IntegerField(
        _l("Rank in the agreement"),
        description=_l("1 is the best-ranked supplier. Not used for internal supervisors."),
        # far more than any agreement has suppliers; a larger number fits no database column
        validators=[Optional(), NumberRange(max=MAX_RANK)],
    )
    company_name = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    business_id = StringField(
        _l("Business ID (Y-tunnus)"),
        description=_l("For example 1234567-8."),
        validators=[Optional(), Length(max=20)],
    )
    contract_starts_on = DateField(_l("Contract starts"), validators=[Optional(), InYears()])
    contract_ends_on = DateField(_l("Contract ends"), validators=[Optional(), InYears()])
    price_individual = AmountField(
        _l("Price per individual session (€)"), validators=[InputRequired()]
    )
    price_group = AmountField(_l("Price per group session (€)"), validators=[InputRequired()])
    capacity_sessions = IntegerField(_l("Sessions per school year"), validators=[InputRequired()])
    capacity_processes = IntegerField(_l("Processes at once"), validators=[InputRequired()])
    languages = MultiCheckboxField(_l("Languages"), choices=_choices(LANGUAGE_LABELS))
    modes = MultiCheckboxField(_l("Ways of meeting"), choices=_choices(MODE_LABELS))
    kinds = MultiCheckboxField(
        _l("Kinds of supervision"), choices=_choices(SUPERVISION_KIND_LABELS)
    )
    divisions = MultiCheckboxField(_l("Divisions served"), coerce=int)
    areas = StringField(
        _l("Areas"),
        description=_l("City areas where they meet clients on site, separated by commas."),
        validators=[Optional(), Length(max=1000)],
    )
    qualifications = StringField(
        _l("Qualifications"),
        description=_l("For example: STOry certified work supervisor."),
        validators=[Optional(), Length(max=500)],
    )
    bio = TextAreaField(
        _l("Presentation for staff"),
        description=_l("Shown to staff on the supervisors page."),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 6},
    )
    conflicts = SelectMultipleField(
        _l("Conflicts of interest (units)"),
        description=_l(
            "Units they must not supervise. Their own unit always counts, listed or not."
        ),
        coerce=int,
        render_kw={"size": 8},
    )

    def as_input(self) -> SupervisorInput:
        return SupervisorInput(
            kind=SupervisorKind(self.kind.data),
            agreement_id=self.agreement.data or None,
            rank=self.rank.data,
            company_name=self.company_name.data or "",
            business_id=self.business_id.data or "",
            contract_starts_on=self.contract_starts_on.data,
            contract_ends_on=self.contract_ends_on.data,
            price_individual=self.price_individual.data or Decimal(0),
            price_group=self.price_group.data or Decimal(0),
            capacity_sessions=self.capacity_sessions.data,
            capacity_processes=self.capacity_processes.data,
            languages=tuple(self.languages.data or ()),
            modes=tuple(self.modes.data or ()),
            kinds=tuple(self.kinds.data or ()),
            division_ids=tuple(self.divisions.data or ()),
            areas=split_areas(self.areas.data or ""),
            qualifications=self.qualifications.data or "",
            bio=self.bio.data or "",
            conflict_unit_ids=tuple(self.conflicts.data or ()),
            email=self.email.data if self.email is not None else "",
        )


class OwnPresentationForm(FlaskForm):
    """A supervisor's own presentation; the contract fields are the administrator's."""

    bio = TextAreaField(
        _l("Presentation for staff"),
        description=_l("Shown to staff on the supervisors page. At most 5,000 characters."),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 8, "maxlength": 5000},
    )
    languages = MultiCheckboxField(_l("Languages"), choices=_choices(LANGUAGE_LABELS))
    modes = MultiCheckboxField(_l("Ways of meeting"), choices=_choices(MODE_LABELS))
    video_url = StringField(
        _l("Your video meeting link"),
        description=_l(
            "Given in the invitations, confirmations and reminders of your video sessions "
            "unless a session has its own. Starts with https://."
        ),
        validators=[Optional(), HttpsUrl()],
        render_kw={"inputmode": "url"},
    )
    photo = FileField(
        _l("New photo"),
        description=_l(
            "JPEG, PNG or WebP, at most 5 MB and at least 100 × 100 pixels. It is made "
            "smaller and saved again without its metadata (such as location)."
        ),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    remove_photo = BooleanField(_l("Remove the photo"))

    def as_input(self, photo: bytes | None) -> OwnPresentationInput:
        return OwnPresentationInput(
            bio=self.bio.data or "",
            languages=tuple(self.languages.data or ()),
            modes=tuple(self.modes.data or ()),
            video_url=self.video_url.data or "",
            photo=photo,
            remove_photo=bool(self.remove_photo.data),
        )
