"""How a browser authenticates to ``/dashboard``, which it cannot send a bearer header to.

* ``Authorization: Bearer <token>`` works as on every other route (scripts, curl);
* ``/dashboard?token=<token>`` (any dashboard URL, GET) checks the token, exchanges it for a
  random session id bound to the token's expiry (``entrypoints.http.dashboard_sessions``), puts
  that id in an ``HttpOnly; SameSite=Strict`` cookie scoped to ``/dashboard`` (``Secure`` over
  https) and redirects to the same URL without the token, so it leaves the address bar and
  history; the token itself is never stored;
* afterwards the session id in the cookie is checked on every request; it ends when the token
  would have expired (8 hours at most).

CSRF: the retry buttons are POST forms. A POST authenticated by the cookie must come from this
origin (``Origin``, or ``Referer`` when a browser sends no ``Origin``, must name this host);
``SameSite=Strict`` already keeps the cookie off cross-site requests, the check is a second
lock. Pages send ``Referrer-Policy: same-origin`` so that the browser keeps sending ``Origin``.
"""

import time
from urllib.parse import urlencode, urlsplit

from starlette.middleware.base import RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from domain.errors import UpstreamUnavailable
from entrypoints.http.auth import Grant, TokenVerifier, bearer_token
from entrypoints.http.dashboard_sessions import MAX_SESSION_S, DashboardSessions

DASHBOARD_PATH = "/dashboard"
COOKIE = "dsi_jobs_dashboard"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}
UNAUTHORISED_PAGE = (
    "<!doctype html><title>dsi-jobs: sign in</title><h1>401: a token is needed</h1>"
    "<p>Open <code>/dashboard?token=&lt;token&gt;</code> once with the same token as "
    "<code>/monitor</code>; it is kept in a cookie for this browser session.</p>"
)


def is_dashboard_path(path: str) -> bool:
    return path == DASHBOARD_PATH or path.startswith(f"{DASHBOARD_PATH}/")


async def dashboard_gate(
    request: Request,
    call_next: RequestResponseEndpoint,
    verifier: TokenVerifier,
    sessions: DashboardSessions,
) -> Response:
    """Authenticate a dashboard request (header, session cookie or ``?token=``), then run it."""
    try:
        query_token = request.query_params.get("token")
        if query_token is not None and request.method == "GET":
            grant = await verifier.verify(query_token)
            if grant is None:
                return _unauthorised()
            return await _start_session(request, grant, sessions)
        header_token = bearer_token(request.headers.get("authorization"))
        if header_token is not None:
            if await verifier.verify(header_token) is None:
                return _unauthorised()
            return _secured(await call_next(request))
        if not await sessions.valid(request.cookies.get(COOKIE, "")):
            return _unauthorised()
    except UpstreamUnavailable:
        return _secured(Response("Redis is unavailable.", status_code=503))
    if request.method not in ("GET", "HEAD") and not same_origin(request):
        return _secured(Response("cross-origin request refused", status_code=403))
    return _secured(await call_next(request))


def same_origin(request: Request) -> bool:
    """The browser says the request comes from a page of this host."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == host
    referer = request.headers.get("referer")
    return bool(referer) and urlsplit(referer).netloc == host


async def _start_session(request: Request, grant: Grant, sessions: DashboardSessions) -> Response:
    lifetime_s = MAX_SESSION_S
    if grant.expires_at is not None:
        lifetime_s = min(lifetime_s, int(grant.expires_at - time.time()))
    if lifetime_s <= 0:
        return _unauthorised()
    session_id = await sessions.create(lifetime_s)
    kept = [(key, value) for key, value in request.query_params.multi_items() if key != "token"]
    target = request.url.path + (f"?{urlencode(kept)}" if kept else "")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE, session_id, max_age=lifetime_s, path=DASHBOARD_PATH, httponly=True,
        samesite="strict", secure=_https(request),
    )  # fmt: skip
    return _secured(response)


def _https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def _unauthorised() -> Response:
    response = HTMLResponse(UNAUTHORISED_PAGE, status_code=401)
    response.headers["www-authenticate"] = "Bearer"
    return _secured(response)


def _secured(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
