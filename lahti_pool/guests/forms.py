"""Forms of the guest organisations' pages (shape only)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from lahti_pool.guests.services import OfficialInput, OrganisationInput


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    business_id = StringField(
        _l("Business ID"),
        description=_l("The Finnish business ID (Y-tunnus), for its invoices."),
        validators=[Optional(), Length(max=20)],
    )
    division_code = StringField(
        _l("Cost-centre code"),
        description=_l(
            "The code of its division, its cost centre in budgets and invoices. "
            "It cannot be changed later."
        ),
        validators=[DataRequired(), Length(max=20)],
    )
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(
        _l("Contact person's e-mail"),
        description=_l(
            "If the contact person has an official's account with this address, they may "
            "invite their colleagues themselves."
        ),
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
    )
    contact_phone = StringField(
        _l("Contact person's phone"), validators=[Optional(), Length(max=40)]
    )
    invoice_address = TextAreaField(_l("Invoice address"), validators=[Optional(), Length(max=500)])
    is_active = BooleanField(_l("Active"), default=True)

    def as_input(self) -> OrganisationInput:
        return OrganisationInput(
            name=self.name.data,
            business_id=self.business_id.data or "",
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "",
            invoice_address=self.invoice_address.data or "",
            is_active=self.is_active.data,
            division_code=getattr(self.division_code, "data", "") or "",
        )


class EditOrganisationForm(OrganisationForm):
    """As ``OrganisationForm`` without the code, which is given once."""

    division_code = None


class OfficialForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )

    def as_input(self) -> OfficialInput:
        return OfficialInput(name=self.name.data, email=self.email.data)
