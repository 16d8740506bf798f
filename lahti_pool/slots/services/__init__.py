"""The on-duty slots' services (the Vantaa model): publish, browse, book, cancel, wait.

Services take the acting user, change models, flush, and never commit. This module is
the feature's public face: other features and the views import from here.
"""

from lahti_pool.slots.services.absences import remove_absence, update_absence  # noqa: F401
from lahti_pool.slots.services.access import (  # noqa: F401
    CANCELLED_STATUSES,
    booking_already_cancelled,
    booking_is_live,
    booking_request,
    booking_states,
    can_manage_slots,
    can_view_booking,
    supervisor_of,
)
from lahti_pool.slots.services.booking import (  # noqa: F401
    ON_DUTY_RULE,
    AlreadyBooked,
    CancelOutcome,
    SlotUnavailable,
    book_slot,
    booking_problem,
    cancel_booking,
    cancel_outcome,
    cancellation_window_hours,
    pre_questions,
)
from lahti_pool.slots.services.browsing import (  # noqa: F401
    SlotFilters,
    SupervisorChoice,
    active_supervisors,
    count_free_slots,
    free_for,
    free_slots_query,
    my_bookings,
    my_offers,
    my_watches,
    next_free_slots,
    supervisor_names,
    supervisor_slots,
    upcoming_absences,
)
from lahti_pool.slots.services.moving import (  # noqa: F401
    move_booking,
    move_problem,
    move_targets,
)
from lahti_pool.slots.services.publishing import (  # noqa: F401
    MAX_LISTED,
    PatternWithdrawal,
    PublishResult,
    SlotInput,
    add_absence,
    coming_patterns,
    publish_pattern,
    publish_slot,
    withdraw_pattern,
    withdraw_slot,
)
from lahti_pool.slots.services.waiting import (  # noqa: F401
    add_watch,
    cancel_watch,
    close_watches,
    expire_offers,
    offer_to_next,
)
