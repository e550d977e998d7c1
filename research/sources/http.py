"""The one HTTP policy every collector uses: timeouts, User-Agent, retries, pacing.

Collectors never call ``requests`` directly. They either use :class:`HttpSession`
(JSON APIs: Mastodon, Bluesky) or mount :class:`PolicyAdapter` on a third-party
library's ``requests`` session (snscrape for Telegram), so every request of the
workbench obeys the same rules, declared once in :class:`Policy`:

- a connect and a read timeout, and a deadline for a whole response, so neither a stuck
  server nor one that drips its body byte by byte hangs a batch run; a cap on a response's
  size;
- an honest User-Agent, ``research-workbench/<version> (+<contact>)`` with the contact
  from the ``RESEARCH_CONTACT`` environment variable, so server admins can reach us;
- retries with exponential backoff and jitter on 429, 5xx, connection errors and
  timeouts, honouring ``Retry-After`` (seconds or an HTTP date) and the rate-limit reset
  headers, and giving up with one clear sentence past a cap;
- a minimum interval between two requests to the same host, shared by every process of
  the machine (a lock file per host holds when the host may next be asked);
- redirects followed by hand: one that would carry credentials (a password in the body,
  an ``Authorization`` header) to another host is refused, never followed;
- URLs recorded or shown without credentials (`research.redact`);
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
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter

from research import __version__, redact
from research.errors import CollectorError
from research.sources.pacing import PACER, Pacer

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
    "host_of",
    "parse_retry_after",
]

# 429 and the 5xx a proxy or an overloaded server gives while it recovers. Not 501/505:
# "not implemented" will not change by asking again.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


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
    # A whole response (headers to last byte) within 2 min: the read timeout bounds each
    # silence, not a server that sends a byte every 29 s. A slower answer counts as a timeout.
    deadline: float = 120.0
    # A page of statuses is well under 1 MB; 32 MB is a generous bound on what one answer
    # may hold in memory (decompressed), so a runaway server cannot exhaust it.
    max_bytes: int = 32 << 20


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


def host_of(url: str) -> str:
    """``host:port`` of a URL, never its ``user:password@``.

    >>> host_of("https://ann:pw@mastodon.example:8443/api")
    'mastodon.example:8443'
    """
    return urlsplit(url).netloc.rpartition("@")[2]


def base_url_from_env(collector: str, default: str) -> str:
    """``RESEARCH_<COLLECTOR>_BASE_URL`` if set (a mirror, a proxy, a test server), else ``default``."""
    return os.environ.get(f"RESEARCH_{collector.upper()}_BASE_URL") or default


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
        host = host_of(request.url)
        request.headers["User-Agent"] = user_agent()
        for attempt in range(policy.retries + 1):
            pause = self.pacer.reserve(host, policy.min_interval, self.clock())
            if pause > 0:  # routine pacing: not reported as a wait
                self.sleep(pause)
            self.requests += 1
            started = self.clock()
            try:
                response = self.inner.send(
                    request,
                    stream=True,
                    timeout=(policy.connect_timeout, policy.read_timeout),
                    verify=verify,
                    cert=cert,
                    proxies=proxies,
                )
                if not stream:
                    self._read_body(response, started)  # here, where a slow body is retried
            except (
                requests.Timeout,
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                _TooSlow,
            ) as e:
                problem = (
                    f"no whole answer within {policy.deadline:.0f} s"
                    if isinstance(e, _TooSlow)
                    else "timeout"
                    if isinstance(e, requests.Timeout)
                    else "connection error"
                )
                if attempt == policy.retries:
                    raise CollectorError(
                        f"{host} did not answer ({problem}, {policy.retries + 1} attempts); it may be down, "
                        "overloaded or unreachable from here; run again later, collection resumes where it stopped",
                        url=request.url,
                    ) from None
                self._wait(Wait(host, self._backoff(attempt), problem, attempt + 1, redact.url(request.url)))
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
                    url=redact.url(request.url),
                )
            delay = asked if asked is not None else self._backoff(attempt)
            if delay > policy.max_wait:
                raise HttpStatusError(
                    f"{host} asks to wait {delay / 60:.0f} min before the next request ({kind}), longer "
                    f"than the {policy.max_wait / 60:.0f} min a run waits; run again later, collection "
                    "resumes where it stopped",
                    status=response.status_code,
                    url=redact.url(request.url),
                )
            self._wait(Wait(host, delay, reason, attempt + 1, redact.url(request.url)))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.inner.close()

    def _read_body(self, response: requests.Response, started: float) -> None:
        """Read the whole body into ``response`` within the deadline and the size cap."""
        policy, host = self.policy, host_of(response.url or "")
        if response._content_consumed or response.raw is None:  # read already (a recorded transport)
            content = response._content or b""
        else:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > policy.max_bytes:
                response.close()
                raise _too_big(host, policy, response.url)
            parts, size = [], 0
            read = getattr(response.raw, "read1", response.raw.read)
            try:
                while chunk := read(64 << 10, decode_content=True):
                    size += len(chunk)
                    if size > policy.max_bytes:
                        raise _too_big(host, policy, response.url)
                    parts.append(chunk)
                    if self.clock() - started > policy.deadline:
                        raise _TooSlow()
            except (_TooSlow, CollectorError):
                response.close()
                raise
            except (OSError, urllib3.exceptions.HTTPError) as e:  # as requests' own reading maps them
                response.close()
                if isinstance(e, (urllib3.exceptions.ReadTimeoutError, TimeoutError)):
                    raise requests.Timeout(str(e)) from None
                raise requests.exceptions.ChunkedEncodingError(str(e)) from None
            content = b"".join(parts)
            response._content, response._content_consumed = content, True
        if len(content) > policy.max_bytes:
            raise _too_big(host, policy, response.url)

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
                self.on_wait(Wait(host, delay, "quota used up", 0, redact.url(response.url)))


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

    def _follow(self, method: str, url: str, params: Mapping[str, Any], headers: Mapping[str, str],
                kwargs: dict[str, Any]) -> requests.Response:  # fmt: skip
        return _follow(self._session, method, url, params, headers, kwargs)

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
        response = self._follow(method, self.url(path), params, headers, kwargs)
        host = host_of(response.url)
        url = redact.url(response.url)
        body = response.content
        html = _looks_like_html(response, body)
        if response.status_code >= 400:
            data = None if html else _json_or_none(body)
            detail = _scrub(_error_detail(data), response.url) if not html else "an HTML page"
            detail = redact.message(detail) if detail else detail  # a server may echo a password
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
            next_url=redact.url((response.links.get("next") or {}).get("url")),
            retrieved_at=datetime.now(UTC).isoformat(),
        )


def _amount(size: int) -> str:
    """A size for a sentence.

    >>> _amount(32 << 20), _amount(1000)
    ('32 MB', '1,000 bytes')
    """
    return f"{size >> 20} MB" if size >= 1 << 20 else f"{size:,} bytes"


class _TooSlow(Exception):
    """A response that did not arrive whole within the policy's deadline (retried like a timeout)."""


def _too_big(host: str, policy: Policy, url: str | None) -> CollectorError:
    return CollectorError(
        f"{host} sent an answer larger than {_amount(policy.max_bytes)}; not a page of posts "
        "(the address may be wrong)",
        url=url,
    )


MAX_REDIRECTS = 5


def _follow(
    session: requests.Session,
    method: str,
    url: str,
    params: Mapping[str, Any],
    headers: Mapping[str, str],
    kwargs: dict[str, Any],
) -> requests.Response:
    """The response to a request, its redirects followed by hand.

    NOTE: ``requests`` drops an ``Authorization`` header on a redirect to another host but sends
    a 307/308's body again, which for a login is the password. Here a redirect to another host
    (or from https to http) of a request that carries credentials is refused; one without is
    followed, like a redirect within the host.
    """
    credentials = (
        kwargs.get("json") is not None
        or kwargs.get("data") is not None
        or bool(urlsplit(url).username)
        or any(k.lower() in ("authorization", "cookie") for k in (*headers, *session.headers))
    )
    response = session.request(method, url, params=params, headers=headers, allow_redirects=False, **kwargs)
    for _ in range(MAX_REDIRECTS):
        if not response.is_redirect:
            return response
        here, target = urlsplit(response.url), urlsplit(urljoin(response.url, response.headers["Location"]))
        response.close()
        elsewhere = host_of(target.geturl()) != host_of(response.url) or (
            here.scheme == "https" and target.scheme != "https"
        )
        if credentials and elsewhere:
            raise CollectorError(
                f"{host_of(response.url)} redirected a request carrying credentials to "
                f"{host_of(target.geturl()) or 'elsewhere'}; "
                "they were not sent there (check the server address)",
                url=response.url,
            )
        if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
            method, kwargs = "GET", {k: v for k, v in kwargs.items() if k not in ("json", "data")}
        response = session.request(method, target.geturl(), headers=headers, allow_redirects=False, **kwargs)
    raise CollectorError(f"{host_of(url)} redirected more than {MAX_REDIRECTS} times", url=url)


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
        if redact.SECRET_NAME.search(unquote_plus(name)) and len(value) >= 4:
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
