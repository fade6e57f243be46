"""The one form an account's email takes: what is stored, looked up and compared.

Two addresses that look the same are the same account. ``normalise_email``:

1. trims surrounding whitespace (a pasted address often carries some);
2. refuses any character that is invisible or changes how text is shown:
   control characters, format characters (Unicode category ``Cf``: zero-width
   spaces and joiners, the byte-order mark, soft hyphens, bidi controls),
   every other Default_Ignorable_Code_Point, unassigned, private-use and
   surrogate code points, and spaces inside the address. Silently dropping
   them would hide what the client sent; refusing says so;
3. applies NFKC, so fullwidth letters, mathematical alphabets, ligatures and
   decomposed accents become the plain letters they look like;
4. validates the syntax and the IDNA domain with ``email-validator``
   (no DNS lookups; special-use domains such as ``.local`` are refused);
5. casefolds the local part: gatepass treats ``Ada@`` and ``ada@`` as one
   account, although RFC 5321 lets a mail server tell them apart;
6. writes the domain in its ASCII (IDNA A-label, "punycode") form, lower
   case: ``exämple.com`` and ``xn--exmple-cua.com`` are one domain, and the
   stored form shows a look-alike domain for what it is.

Errors are ``InvalidEmailError`` with fixed text: never any part of the input.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from email_validator import EmailNotValidError, ValidatedEmail, validate_email

from gatepass.errors import InvalidEmailError

__all__ = ["MAX_EMAIL_LENGTH", "is_invisible", "normalise_email", "sign_in_email"]

#: The most characters an email may have before normalisation (RFC 3696 errata).
MAX_EMAIL_LENGTH: Final = 320

_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"})
# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties) outside category Cf:
# variation selectors, fillers and the combining grapheme joiner render as nothing.
_IGNORABLE_RANGES: Final = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)

TOO_LONG: Final = f"The email is longer than {MAX_EMAIL_LENGTH} characters"
INVISIBLE: Final = (
    "The email contains an invisible, control or formatting character"
    " (such as a zero-width space or a byte-order mark)"
)
SPACE: Final = "The email must not contain spaces"
NOT_AN_ADDRESS: Final = (
    "The email is not a valid email address: it must look like name@example.com,"
    " with a public domain name"
)


def is_invisible(char: str) -> bool:
    """True for a character that does not show, or changes how the text around it shows."""
    if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _IGNORABLE_RANGES)


def normalise_email(email: str) -> str:
    """The stored form of ``email``, or ``InvalidEmailError`` saying why not."""
    email = email.strip()
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidEmailError(TOO_LONG)
    _refuse_hidden(email)
    folded = unicodedata.normalize("NFKC", email)
    _refuse_hidden(folded)
    first = _validated(folded)
    local = unicodedata.normalize("NFKC", first.local_part.casefold())
    # Casefolding can change the local part (ß -> ss): validate what is stored.
    final = _validated(f"{local}@{first.ascii_domain}")
    return f"{final.local_part}@{final.ascii_domain.lower()}"


def sign_in_email(email: str) -> str:
    """What a sign-in with ``email`` looks up (``InvalidEmailError`` only for what no row holds).

    Its stored form; or, for an address the rule refuses for its syntax or its
    domain (``user@intranet.local``: a row migration 0002 had to leave alone),
    the fold that came before the rule, so such an account can still sign in.
    Invisible characters, spaces and an over-long address are refused with
    the same 422 as at registration: no stored address has them.
    """
    email = email.strip()
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidEmailError(TOO_LONG)
    _refuse_hidden(email)
    try:
        return normalise_email(email)
    except InvalidEmailError as exc:
        if exc.message != NOT_AN_ADDRESS:
            raise
        return email.lower()


def _refuse_hidden(email: str) -> None:
    for char in email:
        if is_invisible(char):
            raise InvalidEmailError(INVISIBLE)
        if char.isspace():
            raise InvalidEmailError(SPACE)


def _validated(email: str) -> ValidatedEmail:
    try:
        return validate_email(email, check_deliverability=False)
    except EmailNotValidError:  # its text quotes the offending characters: never repeat them
        raise InvalidEmailError(NOT_AN_ADDRESS) from None
