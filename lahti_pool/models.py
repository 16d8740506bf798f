"""Import every model so that SQLAlchemy's metadata (and Alembic) sees all tables."""

from lahti_pool.accounts.email_changes import EmailChange  # noqa: F401
from lahti_pool.accounts.identities import ExternalIdentity, SignInPolicy  # noqa: F401
from lahti_pool.accounts.login_addresses import KnownLoginAddress  # noqa: F401
from lahti_pool.accounts.models import User, UserRole  # noqa: F401
from lahti_pool.budget.models import (  # noqa: F401
    Budget,
    FundedExpense,
    FundingBudget,
    FundingSource,
    InvoiceStatement,
    SessionCost,  # noqa: F401
    StatementLine,
)
from lahti_pool.circles.models import (  # noqa: F401
    CircleAttendance,
    CircleMeeting,
    CircleMember,
    CovisionCircle,
    ThemeConfirmation,
    UpwardTheme,
)
from lahti_pool.core.audit import AuditEvent  # noqa: F401
from lahti_pool.core.notifications import Notification  # noqa: F401
from lahti_pool.core.outbox import MailMessage  # noqa: F401
from lahti_pool.core.versions import DataVersion  # noqa: F401
from lahti_pool.feedback.models import FeedbackInvitation, FeedbackResponse  # noqa: F401
from lahti_pool.guests.models import GroupOrganisation  # noqa: F401
from lahti_pool.matching.models import GroupOffer, GroupOfferMember, MatchingRun, ProposedAssignment  # noqa: F401  # noqa: F401
from lahti_pool.networks.models import (  # noqa: F401
    BoardPost,
    EventRegistration,
    NetworkCoordinator,
    NetworkEvent,
    NetworkMember,
    NetworkOrganisation,
    PeerNetwork,
)
from lahti_pool.nudges.models import NudgePreference, NudgeSent  # noqa: F401
from lahti_pool.organisation.models import Division, Organisation, Unit, Venue  # noqa: F401
from lahti_pool.programmes.models import (  # noqa: F401
    DayAttendance,
    DayGuest,
    ModuleDay,
    Programme,
    ProgrammeMember,
    ProgrammeModule,
    ProgrammeOrganiser,
)
from lahti_pool.quotes.models import Quote, QuoteRound  # noqa: F401
from lahti_pool.requests.models import (  # noqa: F401
    PreQuestion,
    PreQuestionAnswer,
    QuotaAccount,
    RequestEvent,
    RequestMember,
    SchoolYear,
    SupervisionRequest,
)
from lahti_pool.service_pages.models import ServicePage  # noqa: F401
from lahti_pool.sessions.models import (  # noqa: F401
    ProcessMember,
    SessionAttendance,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.slots.models import (  # noqa: F401
    OnDutySlot,
    PublishedPattern,
    SlotWatch,
    SupervisorAbsence,
)
from lahti_pool.supervisors.models import (  # noqa: F401
    FrameworkAgreement,
    Supervisor,
    SupervisorLoad,
)
from lahti_pool.surveys.models import (  # noqa: F401
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRespondent,
)
