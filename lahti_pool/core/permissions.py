"""Role checks for views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from lahti_pool.accounts.models import Role


def roles_required(*roles: Role):
    """Require a logged-in user holding any of ``roles``; 403 otherwise."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
