"""POST /oauth/token: OAuth2 client credentials for partners, served by Authlib's grant.

Authlib's AuthorizationServer is synchronous, so the client row is fetched first
(asynchronously) and handed to a server instance made for this one request.
"""

from __future__ import annotations

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.util import scope_to_list

from auth.policy import KNOWN_SCOPES
from auth.principal import Principal
from auth.secrets import secret_matches
from auth.tokens import TokenService


class PartnerClient(ClientMixin):
    """A partner's registered client, as Authlib expects it."""

    def __init__(self, row: dict) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row["client_id"]

    def check_client_secret(self, client_secret: str) -> bool:
        # The previous secret is in the row only while a rotation's grace period lasts.
        previous = self.row.get("previous_secret_hash")
        return secret_matches(client_secret, self.row["secret_hash"]) or bool(
            previous and secret_matches(client_secret, previous))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = set(self.row["scopes"])
        if not scope or not scope.strip():  # asking for nothing in particular gets everything
            return " ".join(sorted(allowed))
        return " ".join(sorted(set(scope_to_list(scope)) & allowed))


class _Payload(OAuth2Payload):
    def __init__(self, form: dict[str, str]) -> None:
        self._form = form

    @property
    def data(self) -> dict[str, str]:
        return self._form

    @property
    def datalist(self):
        return {k: [v] for k, v in self._form.items()}


class TokenRequest(OAuth2Request):
    """A form POST to the token endpoint, already read from the ASGI request."""

    def __init__(self, url: str, headers: dict[str, str], form: dict[str, str]) -> None:
        super().__init__("POST", url, headers=headers)
        self.payload = _Payload(form)
        self._form = form

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return {}


class PartnerCredentialsGrant(ClientCredentialsGrant):
    """Client credentials, with the secret in an HTTP Basic header or in the form body."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class PartnerTokenServer(AuthorizationServer):
    """Issues partner access tokens signed like every other token of this server."""

    def __init__(self, tokens: TokenService, client: PartnerClient | None) -> None:
        super().__init__(scopes_supported=sorted(KNOWN_SCOPES))
        self.tokens = tokens
        self.client = client
        self.register_grant(PartnerCredentialsGrant)
        self.register_token_generator("default", self._generate)

    def query_client(self, client_id: str) -> PartnerClient | None:
        if self.client and self.client.get_client_id() == client_id:
            return self.client
        return None

    def save_token(self, token, request) -> None:
        """Tokens are self-contained JWTs; nothing is stored."""

    def send_signal(self, name, *args, **kwargs) -> None:
        """No listeners: signals exist for framework integrations."""

    def create_oauth2_request(self, request: TokenRequest) -> TokenRequest:
        return request

    def create_json_request(self, request):
        raise NotImplementedError("the token endpoint takes form posts only")

    def handle_response(self, status, body, headers):
        return status, body, dict(headers)

    def _generate(self, grant_type, client: PartnerClient, user=None, scope=None,
                  expires_in=None, include_refresh_token=False) -> dict:
        requested = set(scope_to_list(scope) or [])
        if requested - set(client.row["scopes"]):
            raise InvalidScopeError("The client may not ask for: "
                                    + " ".join(sorted(requested - set(client.row["scopes"]))))
        granted = client.get_allowed_scope(scope)
        principal = Principal.partner(client.row["partner_id"], granted.split())
        ttl = self.tokens.default_ttl
        token = self.tokens.issue(principal, ttl=ttl, client_id=client.get_client_id())
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl,
                "scope": granted}
