"""Score response headers by the MDN HTTP Observatory's rules (the header tests, as published).

The Observatory starts at 100, subtracts for missing or unsafe headers and adds bonuses (only when
the score before bonuses is at least 90): CSP without unsafe sources and with default-src 'none'
+10, cookies all Secure and SameSite with HttpOnly sessions +5, a private Referrer-Policy +5,
framing forbidden through CSP frame-ancestors +5. HSTS preload (+5) needs the real preload list and
SRI applies to third-party scripts, of which the portal has none; both count 0 here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

PRIVATE_REFERRER = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


@dataclass
class Score:
    points: int = 100
    bonus: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.points + (self.bonus if self.points >= 90 else 0)

    @property
    def grade(self) -> str:
        for limit, grade in [(100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (60, "C")]:
            if self.total >= limit:
                return grade
        return "F"


def _csp(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


def score(headers: Mapping[str, str], cookies: SimpleCookie, https: bool = True) -> Score:
    result = Score()
    csp = _csp(headers.get("Content-Security-Policy", ""))
    if not csp:
        result.points -= 25
        result.notes.append("no CSP: -25")
    else:
        scripts = csp.get("script-src", csp.get("default-src", []))
        unsafe = any(s in scripts for s in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:"))
        styles = csp.get("style-src", csp.get("default-src", []))
        if unsafe:
            result.points -= 20
            result.notes.append("CSP allows unsafe scripts: -20")
        elif "'unsafe-inline'" in styles:
            result.notes.append("CSP allows inline styles only: 0")
        elif csp.get("default-src") == ["'none'"]:
            result.bonus += 10
            result.notes.append("CSP without unsafe sources, default-src 'none': +10")
        else:
            result.bonus += 5
            result.notes.append("CSP without unsafe sources: +5")
    if cookies:
        secure = all(m["secure"] for m in cookies.values()) or not https
        samesite = all(m["samesite"] for m in cookies.values())
        sessions_httponly = all(m["httponly"] for k, m in cookies.items() if "session" in k)
        if secure and samesite and sessions_httponly:
            result.bonus += 5
            result.notes.append("cookies Secure, SameSite, sessions HttpOnly: +5")
        elif not secure:
            result.points -= 20
            result.notes.append("cookies without Secure: -20")
    referrer = headers.get("Referrer-Policy", "").split(",")[-1].strip().lower()
    if referrer in PRIVATE_REFERRER:
        result.bonus += 5
        result.notes.append(f"Referrer-Policy {referrer}: +5")
    hsts = headers.get("Strict-Transport-Security", "")
    max_age = next(
        (int(p.split("=")[1]) for p in hsts.split(";") if p.strip().startswith("max-age=")), 0
    )
    if https and max_age < 15_768_000:
        result.points -= 20
        result.notes.append("HSTS missing or under six months: -20")
    if headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        result.points -= 5
        result.notes.append("X-Content-Type-Options missing: -5")
    if csp.get("frame-ancestors") == ["'none'"] or csp.get("frame-ancestors") == ["'self'"]:
        result.bonus += 5
        result.notes.append("framing forbidden by CSP frame-ancestors: +5")
    elif headers.get("X-Frame-Options", "").upper() not in {"DENY", "SAMEORIGIN"}:
        result.points -= 20
        result.notes.append("clickjacking protection missing: -20")
    return result
