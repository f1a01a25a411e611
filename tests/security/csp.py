"""Find what a page would have blocked by our Content-Security-Policy (for tests, and for the URL matrix).

`csp_violations(response)` parses the HTML and lists every inline <script>/<style> without the
response's nonce (and not allowed by a hash in the policy), every `style="..."` attribute, `on*`
event-handler attribute and `javascript:` URL, and every script, style, image, frame or form that
points to another origin.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

_NONCE = re.compile(r"'nonce-([^']+)'")
_HASH = re.compile(r"'(sha256-[^']+)'")
_URL_ATTRS = {"src", "href", "action", "formaction", "poster", "data"}


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy header as {directive: [sources]}."""
    header = response.get("Content-Security-Policy", "")
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


class _Scanner(HTMLParser):
    def __init__(self, nonces: set[str], hashes: set[str]):
        super().__init__(convert_charrefs=True)
        self.nonces, self.hashes = nonces, hashes
        self.problems: list[str] = []
        self._inline: tuple[str, dict] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attributes.items():
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name == "style":
                self.problems.append(f'<{tag} style="{value[:40]}">')
            if name in _URL_ATTRS:
                if value.strip().lower().startswith("javascript:"):
                    self.problems.append(f"<{tag} {name}={value[:40]}>")
                if re.match(r"^(https?:)?//", value.strip()) and not (tag == "a" and name == "href"):
                    self.problems.append(f"<{tag} {name}={value[:60]}> outside origin")
        if tag in ("script", "style") and "src" not in attributes:
            self._inline = (tag, attributes)
            self._text = []

    def handle_data(self, data):
        if self._inline is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._inline is None or tag != self._inline[0]:
            return
        inline_tag, attributes = self._inline
        self._inline = None
        text = "".join(self._text)
        if inline_tag == "script" and attributes.get("type") in ("application/json", "application/ld+json"):
            return  # data blocks are not executed
        if attributes.get("nonce") in self.nonces:
            return
        digest = "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        if digest in self.hashes:
            return
        self.problems.append(f"inline <{inline_tag}> without nonce: {text.strip()[:60]!r}")


def csp_violations(response) -> list[str]:
    """Everything in the HTML response that its own CSP would block (empty list: clean)."""
    directives = policy(response)
    sources = " ".join(directives.get("script-src", []) + directives.get("style-src", []))
    scanner = _Scanner(set(_NONCE.findall(sources)), set(_HASH.findall(sources)))
    scanner.feed(response.content.decode(response.charset or "utf-8", errors="replace"))
    return scanner.problems
