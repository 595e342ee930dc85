"""Drug names and classes (``resources/drug_classes.tsv``) for the prior-therapy criteria."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from armmatch.errors import InputError


@dataclass(frozen=True)
class DrugVocabulary:
    """Drug names and aliases with their class (checkpoint inhibitor or study targeted drug)."""

    classes: dict[str, str]
    """canonical name -> class"""
    aliases: dict[str, str]
    """lower-case name or alias -> canonical name"""
    version: str

    def canonical(self, name: str) -> str | None:
        """The canonical drug (or class word) an entry names, after normalisation
        (:func:`drug_candidates`), else None."""
        for candidate in drug_candidates(name):
            found = self.aliases.get(candidate)
            if found is not None:
                return found
        return None


UNKNOWN_WORDS = frozenset({"unknown", "not known", "unk", "?", "n/a", "na", "nk"})
DRUG_CLASSES = ("anti-PD-1/PD-L1", "study targeted drug", "unrelated", "ambiguous")
_DOSE = re.compile(r"\s+\d[\d.,]*\s*(mg|mg/kg|mg/m2|g|ug|µg)\b.*$")


def drug_candidates(entry: str) -> list[str]:
    """The names one ``prior_therapies`` entry may mean, most literal first: lower case,
    trademark signs and doses dropped, and the words in and outside brackets tried apart
    (``Nivolumab (Opdivo) 240 mg`` -> ``nivolumab (opdivo)``, ``nivolumab``, ``opdivo``).

    >>> drug_candidates("Nivolumab (Opdivo)")
    ['nivolumab (opdivo)', 'nivolumab', 'opdivo']
    >>> drug_candidates("Keytruda® 200 mg q3w")
    ['keytruda']
    """
    text = " ".join(entry.replace("®", "").replace("™", "").lower().split())
    text = _DOSE.sub("", text).strip()
    out = [text]
    outside = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*", " ", text).strip()
    inside = [m.strip() for m in re.findall(r"[(\[]([^)\]]*)[)\]]", text)]
    for extra in (outside, *inside):
        if extra and extra not in out:
            out.append(extra)
    for word in (" antibody", " antibodies", " therapy", " treatment"):
        for c in list(out):
            if c.endswith(word) and c[: -len(word)].strip() not in out:
                out.append(c[: -len(word)].strip())
    return out


def load_drug_vocabulary(path: str | Path) -> DrugVocabulary:
    """Read ``resources/drug_classes.tsv`` (columns drug, class, aliases)."""
    classes: dict[str, str] = {}
    aliases: dict[str, str] = {}
    version = "unversioned"
    header: list[str] | None = None
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            text = raw.rstrip("\n")
            if text.startswith("#"):
                if text.startswith("# version:"):
                    version = text.split(":", 1)[1].strip()
                continue
            if not text.strip():
                continue
            fields = next(csv.reader([text], delimiter="\t"))
            if header is None:
                if fields != ["drug", "class", "aliases"]:
                    raise InputError("header must be: drug, class, aliases", path=path, line=lineno)
                header = fields
                continue
            if len(fields) != 3:
                raise InputError(f"expected 3 fields, found {len(fields)}", path=path, line=lineno)
            drug, cls, alias_text = (f.strip() for f in fields)
            if cls not in DRUG_CLASSES:
                raise InputError(
                    f"unknown drug class {cls!r} (valid: {', '.join(DRUG_CLASSES)})",
                    path=path,
                    line=lineno,
                )
            classes[drug.lower()] = cls
            for name in [drug, *alias_text.split(";")]:
                if name.strip():
                    aliases[name.strip().lower()] = drug.lower()
    return DrugVocabulary(classes, aliases, version)
