"""A real OpenID provider process for the tests: oidc-provider-mock, served on a loopback port.

``python tests/oidc_provider.py PORT`` serves the mock (which signs its ID tokens with its
own RSA key and publishes it at /jwks). A test may ask it, over HTTP, to spoil the next
token it issues, the way a broken or hostile provider would:
``POST /_faults {"token": "audience"|"issuer"|"nonce"|"expired"|"signature"}``, or to answer
slowly: ``{"delay": seconds}``. The ID token is then re-signed with the provider's own key
(a wrong signature: with another key).
"""

import json
import sys
import time

import flask
import oidc_provider_mock
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

faults: dict = {}


def spoil(id_token: str, fault: str) -> str:
    storage = flask.g.oidc_provider_mock_storage
    token = jwt.decode(id_token, RSAKey.import_key(storage.jwk.as_dict(is_private=False)))
    claims = dict(token.claims)
    key = RSAKey.import_key(storage.jwk.as_dict(is_private=True))
    if fault == "audience":
        claims["aud"] = "another-application"
    elif fault == "issuer":
        claims["iss"] = "https://attacker.example"
    elif fault == "nonce":
        claims["nonce"] = "not-the-nonce-of-this-sign-in"
    elif fault == "expired":
        claims["iat"], claims["exp"] = int(time.time()) - 7200, int(time.time()) - 3600
    elif fault == "signature":
        key = RSAKey.generate_key(2048)
    header = {"alg": "RS256"}
    if token.header.get("kid"):
        header["kid"] = token.header["kid"]
    return jwt.encode(header, claims, key)


def build():
    app = oidc_provider_mock.app(require_nonce=True)

    @app.post("/_faults")
    def set_faults():
        faults.clear()
        faults.update(flask.request.get_json())
        return "", 204

    @app.before_request
    def slow():
        if flask.request.path != "/_faults" and faults.get("delay"):
            time.sleep(float(faults["delay"]))

    @app.after_request
    def tamper(response):
        fault = faults.get("token")
        if flask.request.path == "/oauth2/token" and response.status_code == 200 and fault:
            body = json.loads(response.get_data())
            body["id_token"] = spoil(body["id_token"], fault)
            response.set_data(json.dumps(body))
            faults.pop("token")
        return response

    return app


if __name__ == "__main__":
    port = int(sys.argv[1])
    server = make_server("127.0.0.1", port, build(), threaded=True)
    print("ready", flush=True)
    server.serve_forever()
