"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015): normalising and validating.

Every tenant enterprise is identified by its USCC, so this is what the enterprise forms and the
import tools call to clean up and check what a user typed or pasted.

Layout of the 18 characters (positions are 1-based, as in the standard):

=====  ====================================================================
1      registration authority (登记管理部门): 9 = market regulation (工商),
       1 = institutional staffing, 5 = civil affairs, N = agriculture, Y = other, ...
2      entity type within that authority: for 9, 1 = enterprise,
       2 = individual business (个体工商户), 3 = farmers' co-operative
3-8    administrative division code of the registering authority (GB/T 2260, 6 digits)
9-17   organisation code (组织机构代码, GB 11714), whose last character is its own check
18     check character over positions 1-17
=====  ====================================================================

The alphabet is the 31 characters ``0-9`` and ``A-Z`` without I, O, S, V and Z (they are too
easy to confuse with 1, 0, 5, U and 2). Each character has its index in that alphabet as its
value; the check character is ``31 - (sum(value_i * 3**(i-1) mod 31) mod 31)``, with 31 written
as ``0``. The weights are the powers of 3 modulo 31, and 3 is a primitive root of 31, so the 17
weights are distinct and non-zero. Consequences, all asserted in the unit tests:

* every single-character substitution is detected;
* every transposition of two characters among positions 1-17 is detected, and so is swapping
  positions 17 and 18;
* swapping positions 1 and 18 is *not* detected: the check character implicitly has weight 1,
  the same as position 1.

What we deliberately do not check:

* Positions 1 and 2 against a table of known authority and entity-type codes. The table has grown
  since 2015 (e.g. ``N2`` for rural collective economic organisations) and rejecting a real code
  because our table is stale is worse than accepting a nonsense prefix.
* The GB 11714 check character at position 17. It holds for every real code we tested, but
  GB 32100 defines only the 18th character as the code's check, common validators (e.g.
  python-stdnum) check only that, and we could not confirm that every issued code (individual
  businesses, codes from other registration authorities) has a GB 11714-conformant part.
  :func:`org_code_is_consistent` is offered for information (e.g. a data-quality report), never
  for rejecting input.
"""

from __future__ import annotations

import unicodedata

from parkops.core.i18n import N_, Message

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18

_VALUE = {char: index for index, char in enumerate(ALPHABET)}

# Letters outside the alphabet that a user most likely meant; used only to word the hint.
_LOOKALIKES = {"I": "1", "O": "0", "S": "5", "V": "U", "Z": "2"}

# GB 11714 organisation code: 8 body characters (digits or A-Z, A = 10 ... Z = 35) then a check
# character 11 - (weighted sum mod 11), where 10 is written X and 11 is written 0.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Separators people type or paste between groups ("9135 0100 M000 100Y 43", copied from a PDF
# licence, often carries spaces). A USCC never contains them, so dropping them loses nothing.
_SEPARATORS = frozenset(" \t\r\n\u00a0\u3000-")


def normalize_uscc(text: str) -> str:
    """Return ``text`` cleaned up for storage and comparison.

    Converts full-width characters (typed with a Chinese IME) and other compatibility forms to
    their plain ASCII equivalents (NFKC), drops spaces and hyphens anywhere in the text, and
    upper-cases letters. It does not validate.
    """
    # NFKC maps U+FF01..U+FF5E to ASCII and the ideographic space U+3000 to a plain space.
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if c not in _SEPARATORS and not c.isspace()).upper()


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 check character (position 18) for the first 17 characters.

    ``first17`` is normalised first. Raises ``ValueError`` if it is not 17 characters of the
    USCC alphabet.
    """
    body = normalize_uscc(first17)
    if len(body) != LENGTH - 1:
        raise ValueError(f"need the first 17 characters of a USCC, got {len(body)}")
    for position, char in enumerate(body, start=1):
        if char not in _VALUE:
            raise ValueError(f"invalid character {char!r} at position {position}")
    total = sum(_VALUE[char] * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(text: str) -> str | None:
    """Return a user-facing English message describing what is wrong, or ``None`` if valid.

    The input is normalised first, so positions in the message refer to the code without spaces.
    Only the first problem found is reported, in the order length, characters, check character.
    """
    code = normalize_uscc(text)
    if not code:
        return N_("Unified Social Credit Code is required.")
    if len(code) != LENGTH:
        return Message(
            N_("Unified Social Credit Code must be 18 characters, got %(count)s."), count=len(code)
        )
    for position, char in enumerate(code, start=1):
        hint = (
            Message(N_(" (did you mean %(char)s?)"), char=repr(_LOOKALIKES[char]))
            if char in _LOOKALIKES
            else ""
        )
        if 3 <= position <= 8 and not (char.isascii() and char.isdigit()):
            return Message(
                N_(
                    "Unified Social Credit Code: position %(position)s must be a digit "
                    "(positions 3-8 are the administrative division code), got %(char)s%(hint)s."
                ),
                position=position,
                char=repr(char),
                hint=hint,
            )
        if char not in _VALUE:
            return Message(
                N_(
                    "Unified Social Credit Code: invalid character %(char)s at position "
                    "%(position)s%(hint)s; only digits and capital letters other than I, O, S, V "
                    "and Z are used."
                ),
                char=repr(char),
                position=position,
                hint=hint,
            )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return Message(
            N_(
                "Unified Social Credit Code check character should be %(expected)s, "
                "got %(got)s; please check the code for a typing error."
            ),
            expected=repr(expected),
            got=repr(code[17]),
        )
    return None


def is_valid_uscc(text: str) -> bool:
    """Return whether ``text`` (after normalisation) is a valid USCC."""
    return validate_uscc(text) is None


def make_uscc(first17: str) -> str:
    """Return the normalised first 17 characters with their check character appended.

    Raises ``ValueError`` if the result would not be valid (wrong length, bad characters, or a
    non-digit in the division code).
    """
    body = normalize_uscc(first17)
    code = body + uscc_check_char(body)
    problem = validate_uscc(code)
    if problem is not None:
        raise ValueError(problem)
    return code


def org_code_check_char(body8: str) -> str:
    """Return the GB 11714 organisation-code check character for an 8-character body."""
    if len(body8) != 8:
        raise ValueError(f"an organisation code body has 8 characters, got {len(body8)}")
    total = 0
    for char, weight in zip(body8.upper(), _ORG_WEIGHTS, strict=True):
        if char.isascii() and char.isdigit():
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - ord("A") + 10
        else:
            raise ValueError(f"invalid organisation code character {char!r}")
        total += value * weight
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def org_code_is_consistent(text: str) -> bool:
    """Return whether positions 9-17 of a valid USCC carry a correct GB 11714 check character.

    Informational only (see the module docstring): a ``False`` here does not make a USCC invalid.
    Returns ``False`` for input that is not a valid USCC.
    """
    code = normalize_uscc(text)
    if not is_valid_uscc(code):
        return False
    return org_code_check_char(code[8:16]) == code[16]
