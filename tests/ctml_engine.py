"""MatchMiner's matching semantics, written for the tests from matchengine-V2's documented
behaviour (not armmatch code): which patients a CTML ``match`` tree accepts.

- The field mapping is read from MatchMiner's own ``config/dfci_config.json`` in
  ``../shared/reference/matchengine-v2``: each CTML key is upper-cased and looked up in
  ``trial_key_mappings`` (``sample_key``, ``sample_value`` transform, ``ignore``); an unmapped
  key compares its upper-cased name as it is.
- Transforms: ``nomap`` (equality), ``cnv_map`` (High Amplification -> High level
  amplification, Homozygous Deletion -> Homozygous deletion, Low Amplification -> Gain,
  Heterozygous Deletion -> Heterozygous deletion), ``variant_category_map`` (Copy Number
  Variation -> CNV, Structural Variation -> SV, Any Variation -> MUTATION or CNV, otherwise
  upper-cased), ``wildcard_regex`` (``^p.V600[ACDEFGHIKLMNPQRSTVWY]$``, case-insensitive),
  ``age_range_to_date_int_query`` (age from ``BIRTH_DATE_INT`` on the day given).
- A leading ``!`` negates a value; a criterion with a negated value is an exclusion: the
  patient passes when *no* document matches the criterion's positive form.
- Structural variants: with a report date on or after 2018-12-01 the partners are matched on
  ``LEFT_PARTNER_GENE``/``RIGHT_PARTNER_GENE`` in either order (``any_gene``: any partner,
  ``intergenic``: none); before it, or without one, the gene must be named in
  ``STRUCTURAL_VARIANT_COMMENT``.
- ``oncotree_primary_diagnosis`` ``_SOLID_`` accepts any diagnosis (MatchMiner expands it to the
  solid tumour types of its OncoTree mapping, which is not in the reference copy).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

Doc = Mapping[str, Any]
_STRUCTURED_SINCE = datetime.date(2018, 12, 1)
_CNV = {"High Amplification": "High level amplification", "Homozygous Deletion": "Homozygous deletion",
        "Low Amplification": "Gain", "Heterozygous Deletion": "Heterozygous deletion"}  # fmt: skip
_CATEGORY: dict[str, Any] = {"copy number variation": "CNV", "structural variation": "SV",
                             "any variation": ("MUTATION", "CNV")}  # fmt: skip


class Engine:
    """CTML matching over one patient's clinical document and genomic documents."""

    def __init__(self, config_path: Path, *, today: datetime.date) -> None:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        self.mappings = {level: config["ctml_collection_mappings"][level]["trial_key_mappings"]
                         for level in ("clinical", "genomic")}  # fmt: skip
        self.today = today

    # --- one criterion -----------------------------------------------------------------
    def _parts(self, level: str, criterion: Mapping[str, Any]) -> list[tuple[str, str, Any, bool]]:
        """(sample key, transform, value, negated) for every key the mapping does not ignore."""
        out = []
        for key, value in criterion.items():
            setting = self.mappings[level].get(key.upper(), {})
            if setting.get("ignore"):
                continue
            negated = isinstance(value, str) and value.startswith("!")
            plain = value[1:] if negated else value
            out.append((setting.get("sample_key", key.upper()), setting.get("sample_value", "nomap"),
                        plain, negated))  # fmt: skip
        return out

    def _value_matches(self, doc: Doc, key: str, transform: str, value: Any) -> bool:
        have = doc.get(key)
        if transform == "cnv_map":
            return bool(have == _CNV.get(value, value))
        if transform == "variant_category_map":
            want = _CATEGORY.get(str(value).lower(), str(value).upper())
            return have in want if isinstance(want, tuple) else bool(have == want)
        if transform == "wildcard_regex":
            text = value if str(value).startswith("p.") else re.escape("p." + str(value))
            return (
                bool(have)
                and re.match(f"^{text}[ACDEFGHIKLMNPQRSTVWY]$", str(have), re.I) is not None
            )
        if transform == "age_range_to_date_int_query":
            birth = doc.get("BIRTH_DATE_INT")
            if birth is None:
                return False
            b = datetime.date(birth // 10000, birth // 100 % 100, birth % 100)
            age = self.today.year - b.year - ((self.today.month, self.today.day) < (b.month, b.day))
            op, number = re.fullmatch(r"(>=|<=|>|<|==)([0-9.]+)", str(value)).groups()  # type: ignore[union-attr]
            return {">=": age >= float(number), "<=": age <= float(number), ">": age > float(number),
                    "<": age < float(number), "==": age == float(number)}[op]  # fmt: skip
        if transform == "external_file_mapping":
            return value == "_SOLID_" and bool(have) or have == value
        return bool(have == value)

    def _genomic_matches(self, doc: Doc, parts: Sequence[tuple[str, str, Any, bool]],
                         clinical: Doc) -> bool:  # fmt: skip
        sv = any(t == "variant_category_map" and str(v).lower() == "structural variation"
                 for _, t, v, _ in parts)  # fmt: skip
        report = clinical.get("REPORT_DATE")
        structured = (
            bool(report) and datetime.date.fromisoformat(report["$date"][:10]) >= _STRUCTURED_SINCE
        )
        for key, transform, value, _ in parts:
            if sv and key in ("TRUE_HUGO_SYMBOL", "FUSION_PARTNER_HUGO_SYMBOL"):
                continue  # matched below, per path
            if not self._value_matches(doc, key, transform, value):
                return False
        if not sv:
            return True
        gene = next((v for k, _, v, _ in parts if k == "TRUE_HUGO_SYMBOL"), None)
        partner = next((v for k, _, v, _ in parts if k == "FUSION_PARTNER_HUGO_SYMBOL"), None)
        if not structured:
            comment = str(doc.get("STRUCTURAL_VARIANT_COMMENT") or "")
            return (
                gene is None
                or re.search(rf"(^|\W){re.escape(gene)}(\W|$)", comment, re.I) is not None
            )

        def side(want: Any, have: Any) -> bool:
            if want is None:
                return True
            if str(want).lower() == "intergenic":
                return have is None
            if str(want).lower().replace(" ", "_") == "any_gene":
                return have is not None
            return bool(have == want)

        left, right = doc.get("LEFT_PARTNER_GENE"), doc.get("RIGHT_PARTNER_GENE")
        return (side(gene, left) and side(partner, right)) or (
            side(gene, right) and side(partner, left)
        )

    def criterion(self, level: str, criterion: Mapping[str, Any], clinical: Doc,
                  genomic: Sequence[Doc]) -> bool:  # fmt: skip
        parts = self._parts(level, criterion)
        exclusion = any(negated for *_, negated in parts)
        if level == "clinical":
            hit = all(self._value_matches(clinical, k, t, v) for k, t, v, _ in parts)
        else:
            hit = any(self._genomic_matches(d, parts, clinical) for d in genomic)
        return not hit if exclusion else hit

    # --- the tree ----------------------------------------------------------------------
    def node(self, node: Mapping[str, Any], clinical: Doc, genomic: Sequence[Doc]) -> bool:
        ((kind, body),) = node.items()
        if kind == "and":
            return all(self.node(n, clinical, genomic) for n in body)
        if kind == "or":
            return any(self.node(n, clinical, genomic) for n in body)
        return self.criterion(kind, body, clinical, genomic)

    def matching_arms(
        self, trial: Mapping[str, Any], clinical: Doc, genomic: Sequence[Doc]
    ) -> set[str]:
        """The ``arm_code`` of every open arm whose match tree accepts the patient."""
        return {
            arm["arm_code"]
            for step in trial["treatment_list"]["step"]
            for arm in step["arm"]
            if arm.get("arm_suspended") != "Y"
            and all(self.node(n, clinical, genomic) for n in arm.get("match", []))
        }
