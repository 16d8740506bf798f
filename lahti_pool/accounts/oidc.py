"""Single sign-on with OpenID Connect: the authorization code flow with PKCE, state and nonce.

The provider is found from its issuer URL (``/.well-known/openid-configuration``). The ID
token's signature (the provider's JWKS), issuer, audience, expiry and nonce are checked
here; Authlib's OAuth 2 client builds the authorization URL (PKCE S256) and exchanges
the code. Configuration comes from the environment (config.py, ``OIDC_*``).

Decisions an administrator relies on (the README says more):

* **A person is their stable subject** (``OIDC_SUBJECT_CLAIM``: ``oid`` for Entra ID),
  kept in ``external_identities`` with the issuer. Never the display name or address.
* **A first sign-in links** to an existing account only as ``OIDC_LINK_BY`` says: by the
  HR staff number (the default; HR assigns it, nobody can choose their own) or by a
  *verified* e-mail address. Nobody is created here: new people come from the HR sync.
  An account already linked to another subject at the same issuer is refused.
* **Roles from groups** (``OIDC_GROUP_ROLES``): each role the mapping names is held
  exactly when one of the person's groups maps to it; other roles stay as they are.
* Every refusal records ``login.sso_refused`` with a reason code (no claims) and changes
  nothing else.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select

from lahti_pool.accounts.identities import current_policy
from lahti_pool.accounts.models import Role, User
from lahti_pool.core.errors import N_
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import Supervisor, SupervisorKind

if TYPE_CHECKING:
    from authlib.integrations.requests_client import OAuth2Session

# requests, Authlib and joserfc (with cryptography, about 20 MB in each worker) are imported
# by the functions that talk to the provider: a pool without single sign-on never loads them.

log = logging.getLogger(__name__)

#: roles a group may grant; a supervisor needs a supervisor profile the administrator makes
GROUP_ROLES = frozenset({Role.STAFF, Role.ADMIN, Role.REPORTS})
_DISCOVERY_TTL = 3600.0
_discovery_cache: dict[str, tuple[float, dict]] = {}


class SignInRefused(Exception):
    """The provider's answer cannot sign anybody in; ``message`` says why (translated by
    the view), ``reason`` is the code in the log of use."""

    def __init__(self, reason: str, message: str, status: int = 403) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.status = status


class ProviderUnavailable(Exception):
    """The provider did not answer (down, slow or broken); local sign-in may still work."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    subject_claim: str
    allowed_tenants: frozenset[str]
    link_by: str
    staff_number_claim: str
    group_roles: dict[str, frozenset[Role]]
    groups_claim: str
    timeout: float
    leeway: int


def parse_group_roles(text: str) -> dict[str, frozenset[Role]]:
    """``"gid1=admin,gid2=reports"`` as {group id: roles}; raises ValueError on a bad entry."""
    mapping: dict[str, set[Role]] = {}
    for entry in filter(None, (e.strip() for e in text.replace(";", ",").split(","))):
        group, sep, role = entry.rpartition("=")
        if not sep or not group.strip():
            raise ValueError(f"OIDC_GROUP_ROLES entry {entry!r} is not <group id>=<role>")
        try:
            parsed = Role(role.strip().lower())
        except ValueError:
            raise ValueError(f"OIDC_GROUP_ROLES: unknown role {role!r}") from None
        if parsed not in GROUP_ROLES:
            raise ValueError(f"OIDC_GROUP_ROLES: a group cannot grant the role {role!r}")
        mapping.setdefault(group.strip(), set()).add(parsed)
    return {g: frozenset(r) for g, r in mapping.items()}


def settings() -> OidcSettings | None:
    """The configured provider, or None when single sign-on is off (no OIDC_ISSUER)."""
    config = current_app.config
    if not config.get("OIDC_ISSUER") or not config.get("OIDC_CLIENT_ID"):
        return None
    link_by = config["OIDC_LINK_BY"].strip().lower()
    if link_by not in ("staff_number", "email", "none"):
        raise ValueError("OIDC_LINK_BY must be staff_number, email or none")
    return OidcSettings(
        issuer=config["OIDC_ISSUER"].rstrip("/"),
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        scopes=config["OIDC_SCOPES"],
        subject_claim=config["OIDC_SUBJECT_CLAIM"] or "sub",
        allowed_tenants=frozenset(
            t.strip().lower() for t in config["OIDC_ALLOWED_TENANTS"].split(",") if t.strip()
        ),
        link_by=link_by,
        staff_number_claim=config["OIDC_STAFF_NUMBER_CLAIM"],
        group_roles=parse_group_roles(config["OIDC_GROUP_ROLES"]),
        groups_claim=config["OIDC_GROUPS_CLAIM"] or "groups",
        timeout=float(config["OIDC_TIMEOUT_SECONDS"]),
        leeway=int(config["OIDC_LEEWAY_SECONDS"]),
    )


def check_config(config) -> None:
    """Refuse to start with a single sign-on configuration that cannot work (at startup,
    not at somebody's first sign-in)."""
    from lahti_pool.config import ConfigError

    if not config.get("OIDC_ISSUER"):
        return
    if not config.get("OIDC_CLIENT_ID"):
        raise ConfigError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not.")
    if config.get("OIDC_LINK_BY", "").strip().lower() not in ("staff_number", "email", "none"):
        raise ConfigError("OIDC_LINK_BY must be staff_number, email or none.")
    try:
        parse_group_roles(config.get("OIDC_GROUP_ROLES", ""))
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def is_enabled() -> bool:
    return settings() is not None


# --- Who may use a local password ----------------------------------------------------------


def is_external_supervisor(user: User) -> bool:
    """A contracted supervisor: not in the city's directory, so always signs in locally."""
    if not user.has_role(Role.SUPERVISOR):
        return False
    kind = db.session.scalar(select(Supervisor.kind).where(Supervisor.user_id == user.id))
    return kind == SupervisorKind.CONTRACTED


def local_passwords_on() -> bool:
    """Whether everybody may sign in with a password: the administrator's setting, which
    can be switched off only while a provider is configured (so nobody is locked out when
    it is not: then passwords are on, and the setting is not even read)."""
    if not current_app.config.get("OIDC_ISSUER"):
        return True
    return current_policy().local_passwords


def may_use_local_password(user: User) -> bool:
    return local_passwords_on() or is_external_supervisor(user)


# --- Talking to the provider ---------------------------------------------------------------


def _get_json(url: str, timeout: float) -> dict:
    import requests

    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        log.warning("OpenID provider unavailable at %s: %s", url, type(exc).__name__)
        raise ProviderUnavailable(url) from exc
    if not isinstance(body, dict):
        raise ProviderUnavailable(url)
    return body


def forget_discovery() -> None:
    """Drop the cached provider metadata (tests; a provider that moved its endpoints)."""
    _discovery_cache.clear()


def discover(config: OidcSettings) -> dict:
    """The provider's metadata, fetched from the issuer URL and kept for an hour."""
    cached = _discovery_cache.get(config.issuer)
    if cached is not None and time.monotonic() - cached[0] < _DISCOVERY_TTL:
        return cached[1]
    metadata = _get_json(f"{config.issuer}/.well-known/openid-configuration", config.timeout)
    needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    if any(not isinstance(metadata.get(k), str) for k in needed):
        raise ProviderUnavailable(config.issuer)
    # OpenID Connect Discovery 1.0 §4.3: the metadata's issuer is the one configured
    # (Entra ID's multi-tenant metadata says ".../{tenantid}/v2.0": checked per token).
    if metadata["issuer"].rstrip("/") != config.issuer and "{tenantid}" not in metadata["issuer"]:
        log.warning("OpenID provider metadata names another issuer")
        raise ProviderUnavailable(config.issuer)
    _discovery_cache[config.issuer] = (time.monotonic(), metadata)
    return metadata


def _client(config: OidcSettings, redirect_uri: str) -> "OAuth2Session":
    from authlib.integrations.requests_client import OAuth2Session

    return OAuth2Session(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scope=config.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


@dataclass(frozen=True)
class PendingSignIn:
    """What the browser's session keeps between leaving for the provider and coming back."""

    url: str  #: where to send the browser
    state: str
    nonce: str
    code_verifier: str


def begin(redirect_uri: str) -> PendingSignIn:
    """The authorization URL with fresh state, nonce and PKCE verifier."""
    config = settings()
    assert config is not None
    metadata = discover(config)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    url, _state = _client(config, redirect_uri).create_authorization_url(
        metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    return PendingSignIn(url, state, nonce, verifier)


def _refuse(reason: str, message: str, status: int = 403) -> SignInRefused:
    return SignInRefused(reason, message, status)


def fetch_id_token(pending: dict, args: dict, redirect_uri: str) -> tuple[dict, str]:
    """Exchange the code of the provider's answer and check its ID token.

    Returns the token's claims and the raw token (kept for the provider's sign-out).
    """
    config = settings()
    assert config is not None
    if not pending or not secrets.compare_digest(str(args.get("state", "")), pending["state"]):
        # no sign-in started in this browser, or its answer was used already
        raise _refuse("state", N_("This sign-in has expired or was used already."), 400)
    if args.get("error"):
        raise _refuse("provider_error", N_("The city account did not sign you in."), 400)
    code = args.get("code")
    if not code:
        raise _refuse("no_code", N_("The city account did not sign you in."), 400)
    metadata = discover(config)
    import requests

    try:
        token = _client(config, redirect_uri).fetch_token(
            metadata["token_endpoint"],
            code=code,
            code_verifier=pending["code_verifier"],
            timeout=config.timeout,
        )
    except requests.RequestException as exc:
        raise ProviderUnavailable(config.issuer) from exc
    except Exception as exc:  # Authlib's OAuthError: the provider refused the code
        log.warning("OpenID token request refused: %s", type(exc).__name__)
        raise _refuse("token_refused", N_("The city account did not sign you in."), 400) from exc
    raw = token.get("id_token")
    if not isinstance(raw, str):
        raise _refuse("no_id_token", N_("The city account did not sign you in."), 400)
    keys = _get_json(metadata["jwks_uri"], config.timeout)
    return check_id_token(raw, keys, metadata, config, pending["nonce"]), raw


def _expected_issuer(metadata: dict, claims: dict) -> str:
    issuer = metadata["issuer"]
    if "{tenantid}" in issuer:
        issuer = issuer.replace("{tenantid}", str(claims.get("tid", "")))
    return issuer


def check_id_token(raw: str, keys: dict, metadata: dict, config: OidcSettings, nonce: str) -> dict:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce hold."""
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    # public-key signatures only: never "none", never a secret shared with the client
    algorithms = [a for a in algorithms if a[:2] in ("RS", "PS", "ES", "Ed")] or ["RS256"]
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        decoded = jwt.decode(raw, KeySet.import_key_set(keys), algorithms=algorithms)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        log.warning("ID token signature refused: %s", type(exc).__name__)
        raise _refuse("signature", N_("The sign-in could not be verified."), 400) from exc
    claims = decoded.claims
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if claims.get("iss") != _expected_issuer(metadata, claims):
        raise _refuse("issuer", N_("The sign-in came from another provider than the pool's."))
    azp = claims.get("azp")
    if (
        config.client_id not in audiences
        or (len(audiences) > 1 and azp is None)
        or (azp is not None and azp != config.client_id)
    ):
        raise _refuse("audience", N_("The sign-in was meant for another application."))
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
        claims["nonce"], nonce
    ):
        raise _refuse("nonce", N_("The sign-in could not be verified."), 400)
    registry = jwt.JWTClaimsRegistry(
        leeway=config.leeway, exp={"essential": True}, iat={"essential": True}
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise _refuse("expired", N_("The sign-in has expired; please try again."), 400) from exc
    if config.allowed_tenants and str(claims.get("tid", "")).lower() not in config.allowed_tenants:
        raise _refuse("tenant", N_("Your organisation's accounts cannot sign in to the pool."))
    subject = claims.get(config.subject_claim)
    if not isinstance(subject, str) or not subject:
        raise _refuse("no_subject", N_("The sign-in could not be verified."), 400)
    return claims


def provider_logout_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), if it has one."""
    config = settings()
    if config is None:
        return None
    try:
        metadata = discover(config)
    except ProviderUnavailable:
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    from urllib.parse import urlencode

    params = {"post_logout_redirect_uri": post_logout_redirect_uri, "client_id": config.client_id}
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
