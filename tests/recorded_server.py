"""Recorded HTTP responses for collector tests: a loopback server and a ``requests`` transport.

No test touches the network. ``RecordedServer`` is a real HTTP server on 127.0.0.1 (port
0, in a thread) serving recorded responses, so the whole client stack is exercised:
sockets, timeouts, headers, retries. ``RecordedTransport`` serves the same kind of routes
as a ``requests`` transport adapter, for libraries whose URLs cannot be redirected
(snscrape always asks ``https://t.me/...``).

Routes map ``"/path"`` or ``"/path?key=value&..."`` to a list of :class:`Recorded`
responses. A request matches a route when its path is equal and it carries every listed
parameter; the most specific route wins. Responses are served in order and the last one
repeats. ``{base}`` in a body or header becomes the server's URL.

>>> with RecordedServer({"/hello": [Recorded({"hi": 1})]}) as server:
...     import requests
...     requests.get(server.url + "/hello", timeout=5).json()
{'hi': 1}
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

__all__ = ["Recorded", "RecordedServer", "RecordedTransport", "fixture", "FIXTURES"]

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(*parts: str) -> Any:
    """A fixture file's content: parsed JSON for ``.json``, text otherwise."""
    path = FIXTURES.joinpath(*parts)
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


@dataclass
class Recorded:
    """One recorded response. ``body``: bytes, text, or JSON data (served as JSON)."""

    body: Any = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering: a slow or hung server
    drip: float = 0.0  # seconds between the body's bytes: a server that never quite stops sending
    length: bool = True  # send Content-Length (False: the body ends when the connection closes)

    def payload(self, base: str) -> tuple[bytes, dict[str, str]]:
        headers = {k: v.replace("{base}", base) for k, v in self.headers.items()}
        body = self.body
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        if isinstance(body, str):
            body = body.replace("{base}", base).encode("utf-8")
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        return body, headers


@dataclass(frozen=True)
class Hit:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


class _Routes:
    def __init__(self, routes: dict[str, list[Recorded]] | None = None):
        self._lock = threading.Lock()
        self._routes: dict[str, list[Recorded]] = {}
        self.hits: list[Hit] = []
        for key, responses in (routes or {}).items():
            self.add(key, *responses)

    def add(self, key: str, *responses: Recorded) -> None:
        """Queue more responses on a route (replacing a repeating last one)."""
        with self._lock:
            self._routes[key] = (
                [*self._routes.get(key, [])[:-1], *responses] if key in self._routes else list(responses)
            )

    def take(self, hit: Hit) -> Recorded | None:
        with self._lock:
            self.hits.append(hit)
            best, best_size = None, -1
            for key in self._routes:
                path, _, query = key.partition("?")
                wanted = dict(parse_qsl(query))
                if path == hit.path and all(hit.params.get(k) == v for k, v in wanted.items()):
                    if len(wanted) > best_size:
                        best, best_size = key, len(wanted)
            if best is None:
                return None
            queue = self._routes[best]
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def count(self, path: str, **params: str) -> int:
        """How many requests asked ``path`` with these parameters."""
        with self._lock:
            return sum(
                h.path == path and all(h.params.get(k) == v for k, v in params.items()) for h in self.hits
            )


class RecordedServer(_Routes):
    """A threaded HTTP server on 127.0.0.1 serving recorded responses; use as a context manager."""

    def __init__(self, routes: dict[str, list[Recorded]] | None = None):
        super().__init__(routes or {})
        self._stop = threading.Event()
        routes_ = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stalls

            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                hit = Hit(
                    self.command,
                    split.path,
                    dict(parse_qsl(split.query)),
                    dict(self.headers),
                    self.rfile.read(length),
                )
                recorded = routes_.take(hit) or Recorded({"error": f"no recorded route for {self.path}"}, 404)
                if recorded.delay and routes_._stop.wait(recorded.delay):
                    return  # the server is shutting down
                body, headers = recorded.payload(routes_.url)
                self.send_response(recorded.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if recorded.length:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if not recorded.drip:
                    self.wfile.write(body)
                    return
                for i in range(len(body)):  # until the client gives up (or the server stops)
                    try:
                        self.wfile.write(body[i : i + 1])
                    except OSError:
                        return
                    if routes_._stop.wait(recorded.drip):
                        return

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that timed out and left is part of the tests

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    def __enter__(self) -> RecordedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()


class RecordedTransport(BaseAdapter, _Routes):
    """A ``requests`` transport adapter answering from recorded routes (full URLs as keys).

    Keys are ``"https://t.me/s/chan"`` or ``"https://t.me/s/chan?before=20"``; an
    unrecorded URL gets a 404.
    """

    def __init__(self, routes: dict[str, list[Recorded]] | None = None):
        super().__init__()  # BaseAdapter, then _Routes with no routes
        for key, responses in (routes or {}).items():
            self.add(key, *responses)
        self.url = ""

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        split = urlsplit(request.url)
        path = f"{split.scheme}://{split.netloc}{split.path}"
        hit = Hit(
            request.method, path, dict(parse_qsl(split.query)), dict(request.headers), request.body or b""
        )
        recorded = self.take(hit) or Recorded("not recorded", 404)
        if recorded.delay:
            raise requests.ReadTimeout(f"recorded timeout for {request.url}", request=request)
        body, headers = recorded.payload(self.url)
        response = requests.Response()
        response.status_code = recorded.status
        response.headers = CaseInsensitiveDict(headers)
        response._content, response._content_consumed = body, True
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        response.reason = "OK" if recorded.status < 400 else "Error"
        return response

    def close(self) -> None:
        pass
