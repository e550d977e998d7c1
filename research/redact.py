"""Secrets never reach an output: URLs lose their credentials, messages lose known secrets.

Secrets come from the environment (``BLUESKY_APP_PASSWORD``, ``*_TOKEN``, a password in
``RESEARCH_<COLLECTOR>_BASE_URL=https://user:password@host/``), never from params. Whatever
the workbench records or prints passes through here first:

- ``url``: every URL kept in raw provenance, reports and messages loses its ``user:password@``
  and the values of query parameters named like secrets (``access_token``, ``key``, ``sig``…);
- ``message``: every line the command line prints has the values of known secrets replaced
  by ``***`` (a server may echo a password in its error body) and its URLs passed through ``url``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = ["SECRET_NAME", "url", "message", "known_secrets"]

# Names of settings and query parameters that hold secrets (params refuse such keys too).
SECRET_NAME = re.compile(
    r"token|secret|passw|pwd|cookie|api[_-]?key|apikey|bearer|credential|session|^(key|sig|signature|auth|code)$",
    re.IGNORECASE,
)
MASK = "***"
_SHELL = {"PWD", "OLDPWD"}  # the shell's working folders, not passwords
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"')\]]+")
_MIN_SECRET = 4  # shorter values would mask ordinary words and numbers


def url(text: str | None) -> str | None:
    """``text``, a URL, without credentials: no ``user:password@``, no secret query parameters.

    >>> url("https://ann:hunter22@mastodon.example/api?max_id=5&access_token=abc")
    'https://mastodon.example/api?max_id=5'
    >>> url("https://www.googleapis.com/youtube/v3/videos?part=snippet&key=AIzaSy123&id=a%20b")
    'https://www.googleapis.com/youtube/v3/videos?part=snippet&id=a%20b'
    >>> url("/not/a/url?token=x")
    '/not/a/url?token=x'
    """
    if not text:
        return text
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if not parts.scheme or not parts.netloc:
        return text
    netloc = parts.netloc.rpartition("@")[2]
    query = parts.query
    if query:
        # Dropped, not masked: a URL kept in a checkpoint or provenance must not even hint at a key.
        kept = [
            p for p in query.split("&") if p and not SECRET_NAME.search(unquote_plus(p.partition("=")[0]))
        ]
        query = "&".join(kept)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def known_secrets(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values that must never be shown: secret-named settings and passwords inside URL settings.

    >>> known_secrets({"BLUESKY_APP_PASSWORD": "abcd-efgh", "RESEARCH_X_BASE_URL": "http://u:pw1234@h/", "PWD": "/work"})
    ['abcd-efgh', 'pw1234']
    """
    environ = os.environ if environ is None else environ
    found: list[str] = []
    for name, value in environ.items():
        if not value or name in _SHELL:
            continue
        if SECRET_NAME.search(name):
            found.append(value)
        for match in _URL.finditer(value):
            try:
                password = urlsplit(match.group(0)).password
            except ValueError:
                continue
            if password:
                found.append(password)
    # Longest first: a secret that contains another is masked whole.
    return sorted({v for v in found if len(v) >= _MIN_SECRET}, key=lambda v: (-len(v), v))


def message(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with known secrets masked and the URLs in it passed through `url`.

    >>> message("login failed: bad password 'abcd-efgh' at http://u:p@h/x", ["abcd-efgh"])
    "login failed: bad password '***' at http://h/x"
    """
    for secret in known_secrets() if secrets is None else secrets:
        text = text.replace(secret, MASK)
    return _URL.sub(lambda m: url(m.group(0)), text) if "://" in text else text
