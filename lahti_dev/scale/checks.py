"""Invariants the app relies on, recomputed from the rows (for tests and after a load).

Each check is one SQL query that counts the rows breaking a rule, so a database of any
size is checked in the database; ``invariant_violations()`` returns {check: count},
all zero when the counters the app keeps agree with the sessions and requests.
"""

from sqlalchemy import text

from lahti_pool.extensions import db

#: each person's quota counters, recomputed: sessions (sessions/rules.member_share),
#: granted but unplanned sessions of active processes, and open requests' holds
_EXPECTED_QUOTA = """
WITH shares AS (
    SELECT a.user_id, p.school_year_id AS year_id, p.id AS process_id,
           SUM(CASE WHEN s.status = 'planned' THEN 1 ELSE 0 END) AS reserved,
           SUM(CASE WHEN s.status IN ('held', 'no_show', 'late_cancelled')
                     AND NOT (p.kind = 'group' AND s.status = 'held' AND a.attended = false)
                    THEN 1 ELSE 0 END) AS used
    FROM session_attendance a
    JOIN supervision_sessions s ON s.id = a.session_id
    JOIN supervision_processes p ON p.id = s.process_id
    WHERE s.is_covision = false
    GROUP BY a.user_id, p.school_year_id, p.id
),
parts AS (
    SELECT user_id, year_id, 0 AS pending, reserved, used FROM shares
    UNION ALL
    SELECT m.user_id, p.school_year_id,
           p.sessions_granted - COALESCE(sh.reserved, 0) - COALESCE(sh.used, 0), 0, 0
    FROM process_members m
    JOIN supervision_processes p ON p.id = m.process_id
    LEFT JOIN shares sh ON sh.process_id = p.id AND sh.user_id = m.user_id
    WHERE p.status = 'active'
    UNION ALL
    SELECT r.requester_id, r.school_year_id, r.sessions_requested, 0, 0
    FROM supervision_requests r
    WHERE r.kind <> 'group' AND r.status IN ('submitted', 'matched', 'waitlisted', 'group_offered')
    UNION ALL
    SELECT m.user_id, r.school_year_id, r.sessions_requested, 0, 0
    FROM request_members m JOIN supervision_requests r ON r.id = m.request_id
    WHERE r.kind = 'group' AND m.status <> 'declined'
      AND r.status IN ('submitted', 'matched', 'waitlisted', 'group_offered')
),
expected AS (
    SELECT user_id, year_id, SUM(pending) AS pending, SUM(reserved) AS reserved,
           SUM(used) AS used
    FROM parts GROUP BY user_id, year_id
)
"""

#: each supervisor's load, recomputed: an active process holds its grant, a closed one
#: what it used (supervisors/capacity.py, sessions/services._close)
_EXPECTED_LOAD = """
WITH used AS (
    SELECT s.process_id, COUNT(*) AS n
    FROM supervision_sessions s
    WHERE s.is_covision = false AND s.status IN ('held', 'no_show', 'late_cancelled')
    GROUP BY s.process_id
),
expected AS (
    SELECT p.supervisor_id, p.school_year_id AS year_id,
           SUM(CASE WHEN p.status = 'active' THEN p.sessions_granted
                    ELSE COALESCE(u.n, 0) END) AS granted,
           SUM(COALESCE(u.n, 0)) AS used
    FROM supervision_processes p LEFT JOIN used u ON u.process_id = p.id
    GROUP BY p.supervisor_id, p.school_year_id
)
"""

CHECKS = {
    "quota_accounts_differ": (
        _EXPECTED_QUOTA,
        """
        SELECT COUNT(*) FROM expected e
        LEFT JOIN quota_accounts q ON q.user_id = e.user_id AND q.school_year_id = e.year_id
        WHERE q.id IS NULL OR q.pending <> e.pending OR q.reserved <> e.reserved
           OR q.used <> e.used""",
    ),
    "quota_accounts_unexplained": (
        _EXPECTED_QUOTA,
        """
        SELECT COUNT(*) FROM quota_accounts q
        LEFT JOIN expected e ON q.user_id = e.user_id AND q.school_year_id = e.year_id
        WHERE e.user_id IS NULL AND q.pending + q.reserved + q.used > 0""",
    ),
    "quota_over_limit": """
        SELECT COUNT(*) FROM quota_accounts
        WHERE pending < 0 OR reserved < 0 OR used < 0 OR pending + reserved + used > quota""",
    "supervisor_loads_differ": (
        _EXPECTED_LOAD,
        """
        SELECT COUNT(*) FROM expected e
        LEFT JOIN supervisor_loads l
               ON l.supervisor_id = e.supervisor_id AND l.school_year_id = e.year_id
        WHERE COALESCE(l.sessions_granted, 0) <> e.granted
           OR COALESCE(l.sessions_used, 0) <> e.used""",
    ),
    "supervisor_loads_unexplained": (
        _EXPECTED_LOAD,
        """
        SELECT COUNT(*) FROM supervisor_loads l
        LEFT JOIN expected e ON l.supervisor_id = e.supervisor_id AND l.school_year_id = e.year_id
        WHERE e.supervisor_id IS NULL AND (l.sessions_granted > 0 OR l.sessions_used > 0)""",
    ),
    "supervisor_over_capacity": """
        SELECT COUNT(*) FROM supervisor_loads l JOIN supervisors s ON s.id = l.supervisor_id
        WHERE l.sessions_granted > s.capacity_sessions""",
    "active_processes_differ": """
        SELECT COUNT(*) FROM supervisors s
        WHERE s.active_processes > s.capacity_processes
           OR s.active_processes <> (
                SELECT COUNT(*) FROM supervision_processes p
                WHERE p.supervisor_id = s.id AND p.status = 'active' AND p.kind <> 'on_duty')""",
    "session_price_not_frozen": """
        SELECT COUNT(*) FROM supervision_sessions s
        JOIN supervision_processes p ON p.id = s.process_id
        WHERE s.price_cents <> CASE WHEN s.is_covision THEN 0 ELSE p.price_cents END""",
    "session_costs_differ": """
        SELECT COUNT(*) FROM supervision_sessions s
        LEFT JOIN (SELECT session_id, SUM(amount_cents) AS cents FROM session_costs
                   GROUP BY session_id) c ON c.session_id = s.id
        WHERE COALESCE(c.cents, 0) <> CASE
            WHEN s.is_covision = false
             AND s.status IN ('planned', 'held', 'no_show', 'late_cancelled')
            THEN s.price_cents ELSE 0 END""",
    "statement_lines_differ": """
        SELECT COUNT(*) FROM invoice_statements st
        LEFT JOIN (SELECT statement_id, SUM(net_cents) AS cents FROM statement_lines
                   GROUP BY statement_id) l ON l.statement_id = st.id
        WHERE COALESCE(l.cents, 0) <> st.net_cents""",
    # A session is on a sent statement exactly when its lines are, for its full price.
    "billed_sessions_differ": """
        WITH billed AS (
            SELECT l.session_id, SUM(l.net_cents) AS cents, MIN(l.statement_id) AS statement_id,
                   COUNT(DISTINCT l.statement_id) AS statements
            FROM statement_lines l JOIN invoice_statements st ON st.id = l.statement_id
            WHERE st.status IN ('sent', 'paid') GROUP BY l.session_id
        )
        SELECT COUNT(*) FROM supervision_sessions s
        JOIN supervision_processes p ON p.id = s.process_id
        LEFT JOIN billed b ON b.session_id = s.id
        LEFT JOIN invoice_statements st ON st.id = s.statement_id
        WHERE (s.statement_id IS NULL AND b.session_id IS NOT NULL)
           OR (s.statement_id IS NOT NULL AND (
                   b.session_id IS NULL OR b.statement_id <> s.statement_id
                   OR b.statements <> 1 OR b.cents <> s.price_cents
                   OR st.supervisor_id <> p.supervisor_id OR s.approval <> 'approved'
                   OR s.status NOT IN ('held', 'no_show', 'late_cancelled')))""",
    "planned_in_closed_process": """
        SELECT COUNT(*) FROM supervision_sessions s
        JOIN supervision_processes p ON p.id = s.process_id
        WHERE s.status = 'planned' AND s.is_covision = false AND p.status = 'closed'""",
    "booked_slot_mismatch": """
        SELECT COUNT(*) FROM on_duty_slots o
        LEFT JOIN supervision_sessions s ON s.id = o.session_id
        LEFT JOIN supervision_processes p ON p.id = s.process_id
        LEFT JOIN process_members m ON m.process_id = p.id
        WHERE o.status = 'booked' AND (s.id IS NULL OR s.starts_at <> o.starts_at
              OR p.kind <> 'on_duty' OR m.user_id <> o.booked_by_id
              OR p.supervisor_id <> o.supervisor_id)""",
}

# Feedback: answered invitations and responses agree per supervisor (both directions).
CHECKS["feedback_answers_differ"] = """
    WITH answered AS (
        SELECT p.supervisor_id, COUNT(*) AS n FROM feedback_invitations i
        JOIN supervision_sessions s ON s.id = i.session_id
        JOIN supervision_processes p ON p.id = s.process_id
        WHERE i.answered = true GROUP BY p.supervisor_id),
    responses AS (
        SELECT supervisor_id, COUNT(*) AS n FROM feedback_responses GROUP BY supervisor_id)
    SELECT (SELECT COUNT(*) FROM answered a LEFT JOIN responses r
            ON r.supervisor_id = a.supervisor_id WHERE COALESCE(r.n, 0) <> a.n)
         + (SELECT COUNT(*) FROM responses r LEFT JOIN answered a
            ON r.supervisor_id = a.supervisor_id WHERE a.supervisor_id IS NULL)"""


def invariant_violations() -> dict[str, int]:
    """{check name: rows breaking it}; every value is 0 when the data is consistent."""
    found = {}
    with db.engine.connect() as conn:
        for name, check in CHECKS.items():
            sql = "".join(check) if isinstance(check, tuple) else check
            found[name] = int(conn.execute(text(sql)).scalar())
    # The budget ledger's fiscal years are a date function apart on the two databases.
    from lahti_pool.budget import ledger

    found["budget_usage_differs"] = len(ledger.differences())
    return found
