"""ICD-10 codes, ranges and the sheet's ``tumour_type`` cell (``C49|Synovial sarcoma``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

# --------------------------------------------------------------------------------------------
# ICD-10 codes
# --------------------------------------------------------------------------------------------

_CODE_RE: Final = re.compile(r"C(\d{2})(?:\.(\d{1,2}))?")
_CODE_FORM: Final = (
    "expected 'C' and two digits, optionally followed by '.' and one or two digits "
    "(for example C49 or C49.2)"
)

Interval = tuple[int, int]


def parse_icd10(code: str) -> str:
    """Normalise one ICD-10 code of the form ``Cnn`` or ``Cnn.d`` / ``Cnn.dd``.

    Parameters
    ----------
    code
        The code; case and surrounding whitespace are ignored.

    Returns
    -------
    str
        The code in upper case, e.g. ``"C49.2"``.

    Raises
    ------
    ValueError
        If ``code`` is not of that form (e.g. ``"C492"``, ``"49.2"``, ``"C4"``).

    Examples
    --------
    >>> parse_icd10(" c49.2 ")
    'C49.2'
    >>> parse_icd10("C03")
    'C03'
    """
    text = code.strip().upper()
    if _CODE_RE.fullmatch(text) is None:
        raise ValueError(f"ICD-10 code {code!r} is not valid: {_CODE_FORM}")
    return text


def code_interval(code: str) -> Interval:
    """Return the closed interval of ICD-10 keys a code stands for.

    Parameters
    ----------
    code
        A code accepted by :func:`parse_icd10`.

    Returns
    -------
    tuple of int
        ``C49`` is ``(4900, 4999)``, ``C49.2`` is ``(4920, 4929)``, ``C49.25`` is ``(4925, 4925)``.

    Examples
    --------
    >>> code_interval("C49"), code_interval("C49.2"), code_interval("C49.25")
    ((4900, 4999), (4920, 4929), (4925, 4925))
    """
    match = _CODE_RE.fullmatch(parse_icd10(code))
    assert match is not None  # parse_icd10 checked the form
    base = int(match.group(1)) * 100
    sub = match.group(2)
    if sub is None:
        return base, base + 99
    if len(sub) == 1:
        return base + int(sub) * 10, base + int(sub) * 10 + 9
    return base + int(sub), base + int(sub)


def parse_tumour_type(value: str) -> tuple[str, str | None]:
    """Split a sample sheet ``tumour_type`` into ICD-10 code and pathological subtype.

    Parameters
    ----------
    value
        ``"C49"`` or ``"C49.2|Leiomyosarcoma"``: an ICD-10 code, optionally followed by ``|`` and
        the subtype as named in Table 1. A blank subtype (``"C34|"``) counts as none.

    Returns
    -------
    tuple
        ``(code, subtype)`` with the code normalised and the subtype stripped (or ``None``).

    Raises
    ------
    ValueError
        If the code is not valid or the value holds more than one ``|``.

    Examples
    --------
    >>> parse_tumour_type("c49.2 | Leiomyosarcoma")
    ('C49.2', 'Leiomyosarcoma')
    >>> parse_tumour_type("C34")
    ('C34', None)
    """
    code_text, _, subtype = value.partition("|")
    form = (
        "expected an ICD-10 code such as 'C49' or 'C49.2', optionally followed by '|' and the "
        "pathological subtype (for example 'C49.2|Leiomyosarcoma')"
    )
    if "|" in subtype:
        raise ValueError(f"tumour_type {value!r} has more than one '|': {form}")
    try:
        code = parse_icd10(code_text)
    except ValueError:
        raise ValueError(f"tumour_type {value!r} is not valid: {form}") from None
    return code, (subtype.strip() or None)


@dataclass(frozen=True)
class Icd10Set:
    """A set of ICD-10 sites: listed codes and ranges, or all sites minus listed exclusions.

    Attributes
    ----------
    all_sites
        True for ``ALL`` and ``ALL_EXCEPT:`` sets.
    ranges
        Listed intervals (empty for all-site sets).
    excluded
        Excluded intervals of an ``ALL_EXCEPT:`` set.
    """

    all_sites: bool
    ranges: tuple[Interval, ...]
    excluded: tuple[Interval, ...]

    def overlaps(self, code: str) -> bool:
        """Whether any part of ``code`` (all its subsites) lies in the set.

        Examples
        --------
        >>> parse_icd10_set("C00-C06;C30").overlaps("C05")
        True
        >>> parse_icd10_set("ALL_EXCEPT:C40.0-C41.9").overlaps("C40")
        False
        >>> parse_icd10_set("C49.1-C49.2").overlaps("C49")
        True
        """
        low, high = code_interval(code)
        if self.all_sites:
            return not _covered_by(low, high, self.excluded)
        return any(lo <= high and low <= hi for lo, hi in self.ranges)

    @property
    def names_sites(self) -> bool:
        """True when the set lists specific codes (not ``ALL``/``ALL_EXCEPT:``, not empty)."""
        return not self.all_sites and bool(self.ranges)


def _covered_by(low: int, high: int, intervals: Iterable[Interval]) -> bool:
    """Whether ``[low, high]`` lies entirely inside the union of ``intervals``."""
    reach = low - 1
    for lo, hi in sorted(intervals):
        if lo > reach + 1:
            break
        reach = max(reach, hi)
        if reach >= high:
            return True
    return reach >= high


def _parse_item(item: str) -> Interval:
    """Interval of one normalised item ``Cnn[.d]`` or ``Cnn[.d]-Cnn[.d]``."""
    first, sep, last = item.partition("-")
    for part in (first, last) if sep else (first,):
        if part != part.strip() or _CODE_RE.fullmatch(part) is None:
            raise ValueError(f"{item!r} is not an ICD-10 code or range ({_CODE_FORM})")
    low = code_interval(first)[0]
    high = code_interval(last if sep else first)[1]
    if low > high:
        raise ValueError(f"ICD-10 range {item!r} runs backwards")
    return low, high


@lru_cache(maxsize=1024)
def parse_icd10_set(text: str) -> Icd10Set:
    """Parse a normalised ICD-10 set (the ``icd10`` column of the Table 1 resource).

    Parameters
    ----------
    text
        ``""`` (no code), ``"ALL"``, ``"ALL_EXCEPT:<list>"`` or ``"<list>"``, where ``<list>`` is
        ``;``-separated codes and ranges such as ``C00-C06;C09-C14;C30;C63.2``.

    Returns
    -------
    Icd10Set

    Raises
    ------
    ValueError
        If an item is not a code (``Cnn``, ``Cnn.d``) or an ascending range of two codes.

    Examples
    --------
    >>> parse_icd10_set("ALL_EXCEPT:C56;C58").overlaps("C56.9")
    False
    """
    if text == "":
        return Icd10Set(all_sites=False, ranges=(), excluded=())
    if text == "ALL":
        return Icd10Set(all_sites=True, ranges=(), excluded=())
    if text.startswith("ALL_EXCEPT:"):
        items = text.removeprefix("ALL_EXCEPT:").split(";")
        return Icd10Set(all_sites=True, ranges=(), excluded=tuple(map(_parse_item, items)))
    return Icd10Set(all_sites=False, ranges=tuple(map(_parse_item, text.split(";"))), excluded=())


# Short site names for the 3-character codes, used only to make decision reasons readable.
_SITE_NAMES: Final[Mapping[str, str]] = {
    "C00": "lip", "C01": "base of tongue", "C02": "tongue", "C03": "gum", "C04": "floor of mouth",
    "C05": "palate", "C06": "mouth", "C07": "parotid gland", "C08": "major salivary glands",
    "C09": "tonsil", "C10": "oropharynx", "C11": "nasopharynx", "C12": "pyriform sinus",
    "C13": "hypopharynx", "C14": "lip, oral cavity and pharynx, other", "C15": "oesophagus",
    "C16": "stomach", "C17": "small intestine", "C18": "colon", "C19": "rectosigmoid junction",
    "C20": "rectum", "C21": "anus and anal canal", "C22": "liver and intrahepatic bile ducts",
    "C23": "gallbladder", "C24": "biliary tract, other", "C25": "pancreas",
    "C26": "digestive organs, other or ill-defined", "C30": "nasal cavity and middle ear",
    "C31": "accessory sinuses", "C32": "larynx", "C33": "trachea", "C34": "lung",
    "C37": "thymus", "C38": "heart, mediastinum and pleura",
    "C39": "respiratory and intrathoracic organs, other or ill-defined",
    "C40": "bone and articular cartilage of limbs", "C41": "bone and articular cartilage, other",
    "C42": "haematopoietic and reticuloendothelial system", "C43": "skin melanoma",
    "C44": "skin", "C45": "mesothelium", "C46": "Kaposi sarcoma",
    "C47": "peripheral nerves and autonomic nervous system",
    "C48": "retroperitoneum and peritoneum", "C49": "connective and soft tissue",
    "C50": "breast", "C51": "vulva", "C52": "vagina", "C53": "cervix uteri",
    "C54": "corpus uteri", "C55": "uterus, part unspecified", "C56": "ovary",
    "C57": "female genital organs, other", "C58": "placenta", "C60": "penis",
    "C61": "prostate", "C62": "testis", "C63": "male genital organs, other", "C64": "kidney",
    "C65": "renal pelvis", "C66": "ureter", "C67": "bladder", "C68": "urinary organs, other",
    "C69": "eye and adnexa", "C70": "meninges", "C71": "brain",
    "C72": "spinal cord, cranial nerves and other CNS", "C73": "thyroid", "C74": "adrenal gland",
    "C75": "endocrine glands, other", "C76": "ill-defined sites", "C77": "lymph nodes",
    "C80": "unknown primary site",
}  # fmt: skip


def site_label(code: str) -> str:
    """``"C34 (lung)"``, or the bare code when no site name is known."""
    name = _SITE_NAMES.get(code[:3])
    return f"{code} ({name})" if name else code
