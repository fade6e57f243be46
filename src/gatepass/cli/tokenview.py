"""How ``token decode`` and ``token audit`` show a token: JSON and the rich view."""

from __future__ import annotations

from typing import Any, Final

from rich.json import JSON
from rich.text import Text

from gatepass.cli.audit import Finding
from gatepass.cli.inspect import Inspection, claim_times, parts_summary
from gatepass.cli.output import console, relative, safe, timestamp
from gatepass.jose._json import dumps

__all__ = ["findings_json", "inspection_json", "show_findings", "show_inspection"]

_COLOURS: Final = ("red", "magenta", "cyan", "green", "yellow")
_SEVERITY_STYLE: Final = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
_TIME_WORDS: Final = {
    "exp": ("expires", "expired"),
    "nbf": ("valid from", "valid since"),
    "iat": ("issued", "issued"),
}
UNREADABLE: Final = (
    "the payload (claims): only its encrypted size is visible",
    "the content encryption key",
    "who signed the token inside, and whether that signature is valid",
)
READABLE: Final = (
    "the protected header (alg, enc, kid, typ, cty)",
    "the size of each part, so roughly the size of the payload",
)


def findings_json(findings: list[Finding]) -> list[dict[str, str]]:
    return [{"check": f.check, "severity": f.severity, "message": f.message} for f in findings]


def _times(inspection: Inspection, now: float) -> dict[str, dict[str, Any]]:
    shown = {}
    for name, at in claim_times(inspection.readable_claims).items():
        future, past = _TIME_WORDS[name]
        words = relative(at, now)
        shown[name] = {
            "at": at,
            "utc": timestamp(at),
            "in_words": f"{future if at >= now else past} {words}",
        }
    return shown


def inspection_json(inspection: Inspection, findings: list[Finding], now: float) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": inspection.kind,
        "verified": False,
        "header": inspection.header,
        "claims": inspection.claims,
        "payload_text": inspection.payload_text,
        "parts": parts_summary(inspection),
        "size": inspection.size,
        "times": _times(inspection, now),
        "warnings": findings_json(findings),
    }
    if inspection.kind == "jwe":
        data["decrypted"] = inspection.decrypted
        data["readable_without_key"] = list(READABLE)
        data["unreadable_without_key"] = list(UNREADABLE)
        nested = inspection.nested
        data["nested"] = (
            None
            if nested is None
            else {"kind": nested.kind, "header": nested.header, "claims": nested.claims}
        )
    return data


def _coloured_parts(inspection: Inspection) -> Text:
    text = Text()
    for i, segment in enumerate(inspection.segments):
        if i:
            text.append(".")
        text.append(segment, style=_COLOURS[i % len(_COLOURS)])
    return text


def _section(title: str) -> Text:
    return Text(title, style="bold")


def _show_json(value: Any) -> None:
    # The core's canonical JSON, re-indented by rich: control characters stay escaped.
    console().print(JSON(dumps(value).decode("utf-8"), highlight=True, ensure_ascii=True))


def show_findings(findings: list[Finding]) -> None:
    out = console()
    if not findings:
        out.print(Text("no findings", style="green"))
    for finding in findings:
        line = Text(f"{finding.severity:>6}  ", style=_SEVERITY_STYLE[finding.severity])
        line.append(f"{finding.check}: {safe(finding.message)}")
        out.print(line)


def _show_jwe(inspection: Inspection) -> None:
    out = console()
    out.print(_section("Readable without the key"))
    for item in READABLE:
        out.print(f"  + {item}")
    if not inspection.decrypted:
        out.print(_section("NOT readable without the key (pass --key FILE to decrypt)"))
        for item in UNREADABLE:
            out.print(f"  - {item}")
        return
    out.print(Text("decrypted with the given key", style="green"))
    nested = inspection.nested
    if nested is not None:
        out.print(_section("Nested JWS header (signature NOT verified)"))
        _show_json(nested.header)
        out.print(_coloured_parts(nested))


def show_inspection(inspection: Inspection, findings: list[Finding], now: float) -> None:
    out = console()
    if inspection.kind == "jws":
        label = "JWS (signed): signature NOT verified"
    else:
        label = "JWE (encrypted): " + (
            "decrypted, inner signature NOT verified" if inspection.decrypted else "NOT decrypted"
        )
    out.print(Text(f"{label}; {inspection.size} bytes", style="bold"))
    out.print(_coloured_parts(inspection))
    for part in parts_summary(inspection):
        out.print(f"  {part['part']}: {part['bytes']} bytes")
    out.print(_section("Header"))
    _show_json(inspection.header)
    if inspection.kind == "jwe":
        _show_jwe(inspection)
    claims = inspection.readable_claims
    if claims is not None:
        out.print(_section("Payload (decrypted)" if inspection.decrypted else "Payload"))
        _show_json(claims)
    elif inspection.payload_text is not None:
        out.print(_section("Payload (not JSON)"))
        out.print(Text(safe(inspection.payload_text)))
    times = _times(inspection, now)
    if times:
        out.print(_section("Times"))
        for name, shown in times.items():
            out.print(f"  {name}  {shown['utc']}  ({shown['in_words']})")
    out.print(_section("Warnings"))
    show_findings(findings)
