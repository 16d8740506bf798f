"""From a needs survey to themed networks: a hook for the networks feature.

A closed needs survey's choice options, with their (suppressed) counts, are proposals for
themed networks. The surveys feature does not build networks; the feature that does
registers the page where the administrator creates one with a theme filled in::

    from lahti_pool.surveys.proposals import register_network_creator
    register_network_creator("networks.new", "theme")   # GET /networks/new?theme=...

The proposals page then links each option there; with nothing registered it lists the
counts and says no network feature is wired.
"""

_CREATOR: dict[str, str] = {}


def register_network_creator(endpoint: str, theme_arg: str = "theme") -> None:
    """``endpoint`` opens the form that creates a themed network, its theme from
    ``theme_arg`` in the query string."""
    _CREATOR.clear()
    _CREATOR.update(endpoint=endpoint, theme_arg=theme_arg)


def network_creator() -> tuple[str, str] | None:
    """(endpoint, theme argument), or None when no feature registered one."""
    return (_CREATOR["endpoint"], _CREATOR["theme_arg"]) if _CREATOR else None


def unregister_network_creator() -> None:
    """For tests."""
    _CREATOR.clear()
