"""Framework agreements: the tendered contracts the supervisors' orders are placed under."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import (
    AllocationRule,
    FrameworkAgreement,
)
from lahti_pool.supervisors.services import check_period

# --- Framework agreements ----------------------------------------------------------


@dataclass(frozen=True)
class AgreementInput:
    name: str
    procurement_ref: str
    starts_on: date
    ends_on: date
    allocation_rule: AllocationRule
    vat_percent: Decimal


def _agreement_named(key: str, agreement: FrameworkAgreement | None) -> FrameworkAgreement | None:
    """Another agreement whose name or procurement reference is ``key`` (case-insensitive).

    Names and references must not collide, as the importer finds agreements by either.
    """
    key = key.strip().lower()
    query = select(FrameworkAgreement).where(
        (func.lower(FrameworkAgreement.name) == key)
        | (func.lower(FrameworkAgreement.procurement_ref) == key)
    )
    if agreement is not None and agreement.id is not None:
        query = query.where(FrameworkAgreement.id != agreement.id)
    return db.session.scalars(query).first() if key else None


def _check_agreement(agreement: FrameworkAgreement | None, data: AgreementInput) -> None:
    if not data.name.strip():
        raise DomainError(N_("Give the agreement a name."), field="name")
    check_period(data.starts_on, data.ends_on, "ends_on")
    if not Decimal(0) <= data.vat_percent <= Decimal(100):
        raise DomainError(N_("Give a VAT percentage between 0 and 100."), field="vat_percent")
    if data.vat_percent != data.vat_percent.quantize(Decimal("0.01")):
        raise DomainError(N_("Give the VAT with at most two decimals."), field="vat_percent")
    for field in ("name", "procurement_ref"):
        if _agreement_named(getattr(data, field), agreement) is not None:
            raise DomainError(
                N_("Another agreement already has this name or reference."), field=field
            )


def _apply_agreement(agreement: FrameworkAgreement, data: AgreementInput) -> list[str]:
    new = {
        "name": data.name.strip(),
        "procurement_ref": data.procurement_ref.strip(),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "allocation_rule": data.allocation_rule,
        "vat_percent": data.vat_percent.quantize(Decimal("0.01")),
    }
    changed = [name for name, value in new.items() if getattr(agreement, name) != value]
    for name in changed:
        setattr(agreement, name, new[name])
    return changed


def create_agreement(actor: User, data: AgreementInput) -> FrameworkAgreement:
    _check_agreement(None, data)
    agreement = FrameworkAgreement()
    _apply_agreement(agreement, data)
    db.session.add(agreement)
    db.session.flush()
    audit.record(actor, "agreement.created", agreement)
    return agreement


def update_agreement(actor: User, agreement: FrameworkAgreement, data: AgreementInput) -> None:
    old_vat = agreement.vat_percent
    _check_agreement(agreement, data)
    changed = _apply_agreement(agreement, data)
    if changed:
        audit.record(actor, "agreement.updated", agreement, changed=changed)
    if "vat_percent" in changed:
        audit.record(
            actor,
            "agreement.vat_changed",
            agreement,
            old=str(old_vat),
            new=str(agreement.vat_percent),
        )
    db.session.flush()
