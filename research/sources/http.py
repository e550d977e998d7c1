"""The one HTTP policy every collector uses: timeouts, User-Agent, retries, pacing.

Collectors never call ``requests`` directly. They either use :class:`HttpSession`
(JSON APIs: Mastodon, Bluesky) or mount :class:`PolicyAdapter` on a third-party
library's ``requests`` session (snscrape for Telegram), so every request of the
workbench obeys the same rules, declared once in :class:`Policy`:

- a connect and a read timeout, so a stuck server never hangs a batch run;
- an honest User-Agent, ``research-workbench/<version> (+<contact>)`` with the contact
  from the ``RESEARCH_CONTACT`` environment variable, so server admins can reach us;
- retries with exponential backoff and jitter on 429, 5xx, connection errors and
  timeouts, honouring ``Retry-After`` (seconds or an HTTP date) and the rate-limit reset
  headers, and giving up with one clear sentence past a cap;
- a minimum interval between two requests to the same host, shared by every session
  of the process;
- a hook (``on_wait``) told about every wait, so the CLI can show rate-limit waits.

Tests point a collector at a loopback server through its base URL (a constructor
argument, or ``RESEARCH_<COLLECTOR>_BASE_URL``) and use a tiny :class:`Policy`.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus, urljoin, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from research import __version__
from research.errors import CollectorError

__all__ = [
    "Policy",
    "Wait",
    "Reply",
    "Pacer",
    "PACER",
    "PolicyAdapter",
    "HttpSession",
    "HttpStatusError",
    "user_agent",
    "base_url_from_env",
    "parse_retry_after",
    "redact",
    "SECRET_PARAMS",
]

# 429 and the 5xx a proxy or an overloaded server gives while it recovers. Not 501/505:
# "not implemented" will not change by asking again.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
# Query parameters that carry a secret (YouTube's ``key``, VK's ``access_token``): dropped from
# every URL the policy hands back, so no key reaches a checkpoint, a raw run's provenance, an
# error message or a report.
SECRET_PARAMS = frozenset(
    {"key", "api_key", "apikey", "access_token", "token", "client_secret", "password", "sig", "signature"}
)


@dataclass(frozen=True)
class Policy:
    """How patient and how polite one collector is. The defaults fit a public API.

    Collectors override ``min_interval`` with the platform's published limit; tests
    shrink every number so a retry costs milliseconds.
    """

    # Small Mastodon servers can take several seconds to render 40 statuses; 30 s of
    # silence means the connection is stuck, and the retry opens a fresh one.
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # 5 retries with a 1 s base wait about 1+2+4+8+16 = 31 s in all (jitter halves it at
    # worst): long enough for a server restart or a deploy, short enough that a dead server
    # fails the run within a minute; the checkpoint resumes it later.
    retries: int = 5
    backoff: float = 1.0
    backoff_max: float = 60.0
    # Mastodon and Bluesky count requests in 5-minute windows, so an honest Retry-After is
    # at most 300 s; waiting up to 15 min also covers a stricter proxy. Longer: give up.
    max_wait: float = 900.0
    # Minimum seconds between two requests to one host. 1.0 s = 300 per 5 min, Mastodon's
    # documented per-IP limit for unauthenticated API calls.
    min_interval: float = 1.0


@dataclass(frozen=True)
class Wait:
    """A pause the policy takes before a request; ``on_wait`` hooks receive these."""

    host: str
    seconds: float
    reason: str  # "rate limit (429)", "server error (503)", "timeout", "connection error", "quota used up"
    attempt: int  # the retry this wait precedes (1-based); 0 for a quota wait before a fresh request
    url: str


@dataclass(frozen=True)
class Reply:
    """A decoded JSON response."""

    data: Any
    url: str
    status: int
    headers: Mapping[str, str]
    next_url: str | None  # the ``Link: <...>; rel="next"`` target, if any
    retrieved_at: str  # ISO 8601, UTC


class HttpStatusError(CollectorError):
    """The server answered with an error status that retrying does not fix (or no longer did)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        url: str | None = None,
        detail: str | None = None,
        data: Any = None,
    ):
        self.status = status
        self.detail = detail
        self.data = data  # the decoded JSON error body, when there was one
        super().__init__(message, url=url)


def user_agent() -> str:
    """``research-workbench/<version> (+<RESEARCH_CONTACT>)``; without a contact, just the name.

    >>> user_agent().startswith("research-workbench/")
    True
    """
    contact = os.environ.get("RESEARCH_CONTACT", "").strip()
    return f"research-workbench/{__version__}" + (f" (+{contact})" if contact else "")


def base_url_from_env(collector: str, default: str) -> str:
    """``RESEARCH_<COLLECTOR>_BASE_URL`` if set (a mirror, a proxy, a test server), else ``default``."""
    return os.environ.get(f"RESEARCH_{collector.upper()}_BASE_URL") or default


def redact(url: str | None) -> str | None:
    """``url`` without its secret query parameters (``SECRET_PARAMS``), everything else as it was.

    >>> redact("https://www.googleapis.com/youtube/v3/videos?part=snippet&key=AIzaSy123&id=a%20b")
    'https://www.googleapis.com/youtube/v3/videos?part=snippet&id=a%20b'
    >>> redact("https://api.vk.com/method/wall.get?access_token=vk1.a.xyz")
    'https://api.vk.com/method/wall.get'
    """
    if not url or "?" not in url:
        return url
    head, _, query = url.partition("?")
    query, hash_, fragment = query.partition("#")
    kept = [
        p for p in query.split("&") if p and unquote_plus(p.partition("=")[0]).lower() not in SECRET_PARAMS
    ]
    return head + ("?" + "&".join(kept) if kept else "") + hash_ + fragment


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds the server asks us to wait, from ``Retry-After`` or the rate-limit reset headers.

    ``Retry-After`` is seconds or an HTTP date (RFC 9110). Mastodon sends
    ``X-RateLimit-Reset`` as an ISO 8601 time; Bluesky sends ``RateLimit-Reset`` as Unix
    seconds; the IETF draft uses seconds from now. None when nothing usable is given.

    >>> parse_retry_after({"Retry-After": "7"})
    7.0
    >>> now = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    >>> parse_retry_after({"Retry-After": "Tue, 01 Sep 2026 12:00:30 GMT"}, now)
    30.0
    >>> parse_retry_after({"X-RateLimit-Reset": "2026-09-01T12:05:00.000Z"}, now)
    300.0
    """
    now = now or datetime.now(UTC)
    lower = {k.lower(): v for k, v in headers.items()}
    value = (lower.get("retry-after") or "").strip()
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, (email.utils.parsedate_to_datetime(value) - now).total_seconds())
            except (TypeError, ValueError):
                pass
    reset = (lower.get("x-ratelimit-reset") or lower.get("ratelimit-reset") or "").strip()
    if not reset:
        return None
    try:
        number = float(reset)
    except ValueError:
        try:
            when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        except ValueError:
            return None
        return max(0.0, (when - now).total_seconds()) if when.tzinfo else None
    # A Unix time is ~1.7e9; a delay in seconds is small.
    return max(0.0, number - now.timestamp()) if number > 1e9 else max(0.0, number)


class Pacer:
    """When each host may next be asked, shared by every session of the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def reserve(self, host: str, interval: float, now: float) -> float:
        """Book the next slot for ``host``; return how long to wait for it."""
        with self._lock:
            at = max(now, self._next.get(host, 0.0))
            self._next[host] = at + interval
            return at - now

    def hold(self, host: str, until: float) -> None:
        """No request to ``host`` before ``until`` (its quota is used up)."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), until)


PACER = Pacer()  # process-wide: two collectors on one host share its pace


class PolicyAdapter(BaseAdapter):
    """A ``requests`` transport adapter that applies a :class:`Policy` around another adapter.

    Mount it on any ``requests.Session`` (ours or snscrape's). ``inner`` does the actual
    I/O: a plain ``HTTPAdapter`` by default, a recorded transport in tests.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        inner: BaseAdapter | None = None,
        on_wait: Callable[[Wait], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        pacer: Pacer = PACER,
        retry_if: Callable[[requests.Response], str | None] | None = None,
    ):
        super().__init__()
        self.retry_if = retry_if
        self.policy = policy or Policy()
        self.inner = inner or HTTPAdapter()
        self.on_wait = on_wait
        self.sleep, self.clock, self.pacer = sleep, clock, pacer
        self.requests = 0  # requests sent, retries included

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Send ``request`` through ``inner`` under the policy; the caller's timeout is replaced."""
        policy = self.policy
        host = urlsplit(request.url).netloc
        request.headers["User-Agent"] = user_agent()
        for attempt in range(policy.retries + 1):
            pause = self.pacer.reserve(host, policy.min_interval, self.clock())
            if pause > 0:  # routine pacing: not reported as a wait
                self.sleep(pause)
            self.requests += 1
            try:
                response = self.inner.send(
                    request,
                    stream=stream,
                    timeout=(policy.connect_timeout, policy.read_timeout),
                    verify=verify,
                    cert=cert,
                    proxies=proxies,
                )
                if not stream:
                    response.content  # noqa: B018 - read the body here, where a slow body is retried
            except (
                requests.Timeout,
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
            ) as e:
                problem = "timeout" if isinstance(e, requests.Timeout) else "connection error"
                if attempt == policy.retries:
                    raise CollectorError(
                        f"{host} did not answer ({problem}, {policy.retries + 1} attempts); it may be down "
                        "or unreachable from here; run again later, collection resumes where it stopped",
                        url=redact(request.url),
                    ) from None
                self._wait(Wait(host, self._backoff(attempt), problem, attempt + 1, redact(request.url)))
                continue
            if response.status_code in RETRY_STATUSES:
                kind = "rate limit" if response.status_code == 429 else "server error"
                what, reason = f"{response.status_code} ({kind})", f"{kind} ({response.status_code})"
            else:
                reason = self.retry_if(response) if self.retry_if else None
                if reason is None:
                    self._note_quota(host, response)
                    return response
                what = kind = reason
            asked = parse_retry_after(response.headers)
            response.close()
            if attempt == policy.retries:
                raise HttpStatusError(
                    f"{host} answered {what} {policy.retries + 1} times in a row; "
                    "run again later, collection resumes where it stopped",
                    status=response.status_code,
                    url=redact(request.url),
                )
            delay = asked if asked is not None else self._backoff(attempt)
            if delay > policy.max_wait:
                raise HttpStatusError(
                    f"{host} asks to wait {delay / 60:.0f} min before the next request ({kind}), longer "
                    f"than the {policy.max_wait / 60:.0f} min a run waits; run again later, collection "
                    "resumes where it stopped",
                    status=response.status_code,
                    url=redact(request.url),
                )
            self._wait(Wait(host, delay, reason, attempt + 1, redact(request.url)))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.inner.close()

    def _backoff(self, attempt: int) -> float:
        # Exponential, capped, with jitter so parallel runs do not retry in lockstep.
        delay = min(self.policy.backoff_max, self.policy.backoff * 2**attempt)
        return delay * random.uniform(0.5, 1.0)

    def _wait(self, wait: Wait) -> None:
        if self.on_wait:
            self.on_wait(wait)
        if wait.seconds > 0:
            self.sleep(wait.seconds)

    def _note_quota(self, host: str, response: requests.Response) -> None:
        """The server says the window's quota is spent: pause this host until it resets."""
        headers = response.headers
        remaining = headers.get("X-RateLimit-Remaining", headers.get("RateLimit-Remaining"))
        try:  # Reddit counts in fractions ("0.0", "598.0"): below one request left is none left
            if remaining is None or float(remaining) >= 1:
                return
        except ValueError:
            return
        delay = parse_retry_after({k: v for k, v in headers.items() if k.lower() != "retry-after"})
        if delay:
            delay = min(delay, self.policy.max_wait)
            self.pacer.hold(host, self.clock() + delay)
            if self.on_wait:
                self.on_wait(Wait(host, delay, "quota used up", 0, redact(response.url)))


@dataclass
class HttpSession:
    """JSON over HTTP for one collector: a base URL, the policy, and errors as sentences.

    >>> s = HttpSession("https://mastodon.example")
    >>> s.url("api/v1/accounts/lookup")
    'https://mastodon.example/api/v1/accounts/lookup'
    """

    base_url: str
    policy: Policy = field(default_factory=Policy)
    on_wait: Callable[[Wait], None] | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    pacer: Pacer = PACER
    inner: BaseAdapter | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    retry_if: Callable[[requests.Response], str | None] | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        self.adapter = PolicyAdapter(
            self.policy,
            inner=self.inner,
            on_wait=self.on_wait,
            sleep=self.sleep,
            clock=self.clock,
            pacer=self.pacer,
            retry_if=self.retry_if,
        )
        self._session = requests.Session()
        self._session.mount("http://", self.adapter)
        self._session.mount("https://", self.adapter)
        self._session.headers.update({"Accept": "application/json", **self.headers})

    @property
    def requests(self) -> int:
        return self.adapter.requests

    def url(self, path: str) -> str:
        return path if "://" in path else urljoin(self.base_url, path.lstrip("/"))

    def get_json(self, path: str, params: Mapping[str, Any] | None = None, **headers: str) -> Reply:
        """GET ``path`` (relative to the base URL) and decode its JSON body."""
        return self._json("GET", path, params=params, headers=headers)

    def post_json(self, path: str, body: Any, **headers: str) -> Reply:
        return self._json("POST", path, json=body, headers=headers)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, method: str, path: str, **kwargs: Any) -> Reply:
        params = {k: v for k, v in (kwargs.pop("params", None) or {}).items() if v is not None}
        headers = {k.replace("_", "-"): v for k, v in kwargs.pop("headers").items()}
        response = self._session.request(method, self.url(path), params=params, headers=headers, **kwargs)
        host = urlsplit(response.url).netloc
        url = redact(response.url)
        body = response.content
        html = _looks_like_html(response, body)
        if response.status_code >= 400:
            data = None if html else _json_or_none(body)
            detail = _scrub(_error_detail(data), response.url) if not html else "an HTML page"
            raise HttpStatusError(
                f"{host} answered {response.status_code} {response.reason or ''}".rstrip()
                + (f": {detail}" if detail else ""),
                status=response.status_code,
                url=url,
                detail=detail,
                data=data,
            )
        if html:
            title = _TITLE.search(body[:4096])
            titled = f" titled {title.group(1).decode('utf-8', 'replace').strip()[:80]!r}" if title else ""
            raise CollectorError(
                f"{host} answered with an HTML page{titled} instead of JSON; the address may be wrong, "
                "or the service is showing a login wall, a bot check or a maintenance page",
                url=url,
            )
        try:
            data = json.loads(body)
        except ValueError:
            raise CollectorError(
                f"{host} answered with something that is not JSON ({body[:60]!r}); the address may be wrong",
                url=url,
            ) from None
        return Reply(
            data=data,
            url=url,
            status=response.status_code,
            headers=dict(response.headers),
            next_url=redact((response.links.get("next") or {}).get("url")),
            retrieved_at=datetime.now(UTC).isoformat(),
        )


def _looks_like_html(response: requests.Response, body: bytes) -> bool:
    kind = response.headers.get("Content-Type", "").lower()
    start = body.lstrip()[:15].lower()
    return "html" in kind or start.startswith((b"<!doctype", b"<html", b"<head", b"<body"))


def _scrub(text: str | None, url: str) -> str | None:
    """``text`` (a server's error message) without the secrets ``url`` carried, should it echo them."""
    if not text or "?" not in url:
        return text
    for part in url.partition("?")[2].split("&"):
        name, _, value = part.partition("=")
        if unquote_plus(name).lower() in SECRET_PARAMS and len(value) >= 4:
            text = text.replace(value, "[redacted]").replace(unquote_plus(value), "[redacted]")
    return text


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _error_detail(data: Any) -> str | None:
    """The error sentence a JSON API puts in its body (Mastodon ``error``, XRPC ``message``,
    Google's ``{"error": {"message": ..., "errors": [{"reason": ...}]}}``)."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("error"), dict):  # Google APIs
        error = data["error"]
        reasons = [
            str(e["reason"]) for e in error.get("errors") or [] if isinstance(e, dict) and e.get("reason")
        ]
        text = re.sub(r"<[^>]+>", "", str(error.get("message") or "")).strip()
        return ": ".join(p for p in (", ".join(reasons), text) if p) or None
    parts = [str(data[k]) for k in ("error", "message", "error_description") if data.get(k)]
    return ": ".join(dict.fromkeys(parts)) or None
