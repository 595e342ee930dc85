"""Tests for armmatch.knowledge.build.table1: ICD-10 parsing, the committed Table 1 resource, the decision.

Everything here reads the committed resources only (no ../shared). The expected row counts were
checked by reading Table 1 of the protocol text (lines 189-1842 of 000_2bfba5696039a598.txt)
system by system; the tier totals (133 second-tier, 316 third-tier rows) are also the numbers the
protocol itself states ("133 s pathological subtypes and 316 specific third pathological
subtypes").
"""

from __future__ import annotations

import doctest
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from armmatch.decision import tumour_types
from armmatch.decision.tumour_types import decide_rare_tumour, normalise_subtype
from armmatch.errors import InputError
from armmatch.knowledge import icd10
from armmatch.knowledge.build import table1 as table1_build
from armmatch.knowledge.build.table1 import normalise_printed_icd10, rows_per_system
from armmatch.knowledge.icd10 import code_interval, parse_icd10, parse_icd10_set, parse_tumour_type
from armmatch.knowledge.table1 import (
    TABLE1_COLUMNS,
    Table1Row,
    criteria_by_code,
    default_table1_path,
    load_criteria,
    load_table1,
)

ROWS_PER_SYSTEM = {
    (1, "Head and neck tumour"): 65,
    (2, "Digestive system tumours"): 50,
    (3, "Respiratory system tumours"): 46,
    (4, "Reproductive system tumours"): 70,
    (5, "Urinary system tumours"): 26,
    (6, "Malignant tumours involving multiple systems"): 27,
    (7, "Cutaneous malignant tumour"): 31,
    (8, "Malignant tumour of soft tissue"): 73,
    (9, "Malignant tumour of bone and joint system"): 25,
    (10, "Malignant tumours of endocrine system"): 8,
    (11, "Malignant tumour of nervous system"): 56,
    (12, "Cancer of unknown primary origin"): 15,
}


@pytest.fixture(scope="module")
def table() -> list[Table1Row]:
    return load_table1()


def _only(table: list[Table1Row], name: str, icd10: str) -> Table1Row:
    found = [row for row in table if row.tumour_type == name and row.icd10 == icd10]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("module", [icd10, tumour_types, table1_build])
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------- ICD-10 parsing


@pytest.mark.parametrize(
    ("value", "expected"),
    [("C49", "C49"), ("c49.2", "C49.2"), (" C03 ", "C03"), ("C49.25", "C49.25"), ("c80", "C80")],
)
def test_parse_icd10_normalises_valid_codes(value: str, expected: str) -> None:
    assert parse_icd10(value) == expected


@pytest.mark.parametrize(
    "value", ["C492", "49.2", "C4", "C3", "C49.", "C49.123", "D49", "", "C49-C50", "C 49"]
)
def test_parse_icd10_rejects_other_forms_with_the_expected_form(value: str) -> None:
    with pytest.raises(ValueError, match=r"expected 'C' and two digits"):
        parse_icd10(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("C49", ("C49", None)),
        ("C49.2|Leiomyosarcoma", ("C49.2", "Leiomyosarcoma")),
        (" c34 | Sarcomatoid carcinoma of the lung ", ("C34", "Sarcomatoid carcinoma of the lung")),
        ("C34|", ("C34", None)),
        ("C34|  ", ("C34", None)),
    ],
)
def test_parse_tumour_type(value: str, expected: tuple[str, str | None]) -> None:
    assert parse_tumour_type(value) == expected


@pytest.mark.parametrize("value", ["lung|Adenocarcinoma", "C492|x", "C34|a|b", "|C34"])
def test_parse_tumour_type_rejects_malformed_values(value: str) -> None:
    with pytest.raises(ValueError, match=r"tumour_type .* 'C49\.2\|Leiomyosarcoma'"):
        parse_tumour_type(value)


def test_code_intervals_nest() -> None:
    assert code_interval("C49") == (4900, 4999)
    assert code_interval("C49.2") == (4920, 4929)
    assert code_interval("C49.25") == (4925, 4925)


@given(st.integers(0, 99), st.integers(0, 9), st.integers(0, 9))
def test_a_code_meets_sets_naming_it_or_any_of_its_subsites(major: int, d1: int, d2: int) -> None:
    code, sub, subsub = f"C{major:02d}", f"C{major:02d}.{d1}", f"C{major:02d}.{d1}{d2}"
    low, high = code_interval(code)
    for inner in (sub, subsub):
        inner_low, inner_high = code_interval(inner)
        assert low <= inner_low <= inner_high <= high
        assert parse_icd10_set(code).overlaps(inner)
        assert parse_icd10_set(inner).overlaps(code)
        assert not parse_icd10_set(f"ALL_EXCEPT:{code}").overlaps(inner)
    assert parse_icd10_set("ALL").overlaps(subsub)


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        ("C00-C06;C09-C14;C30;C31;C32", "C05", True),
        ("C00-C06;C09-C14;C30;C31;C32", "C07", False),
        ("C00-C06;C09-C14;C30;C31;C32", "C14.8", True),
        ("C40-C41", "C41.2", True),
        ("C53.0-C55.9", "C54", True),
        ("C64.9", "C64", True),
        ("C44.0-C44.9;C51.0-C51.9;C60.0;C60.9;C63.2", "C60.5", False),
        ("ALL_EXCEPT:C40.0-C41.9", "C40", False),
        ("ALL_EXCEPT:C40.0-C41.9", "C49", True),
        ("ALL_EXCEPT:C15-C26;C34;C44;C48;C51;C60;C63.2;C73", "C63", True),
        ("ALL_EXCEPT:C15-C26;C34;C44;C48;C51;C60;C63.2;C73", "C63.2", False),
        ("", "C34", False),
    ],
)
def test_icd10_set_overlaps(text: str, code: str, expected: bool) -> None:
    assert parse_icd10_set(text).overlaps(code) is expected


@pytest.mark.parametrize("text", ["C06-C00", "C7", "C30;;C31", "ALL_EXCEPT:", "C30, C31", "all"])
def test_icd10_set_rejects_malformed_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_icd10_set(text)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("C00\u2013C06, C09\u2013C14, C30, C31, C32", "C00-C06;C09-C14;C30;C31;C32"),
        ("C00- C14, C30, C31, C32", "C00-C14;C30;C31;C32"),
        ("C7, C8", "C07;C08"),
        ("C40\u201341", "C40-C41"),
        ("C62,C63", "C62;C63"),
        ("All sites", "ALL"),
        ("All cancer sites", "ALL"),
        ("All cancers sites except C56, C58 and C62", "ALL_EXCEPT:C56;C58;C62"),
        (
            "All cancers sites except C40.0\u2013C41.9, C56 and C62, C71, C72",
            "ALL_EXCEPT:C40.0-C41.9;C56;C62;C71;C72",
        ),
    ],
)
def test_normalise_printed_icd10(printed: str, expected: str) -> None:
    assert normalise_printed_icd10(printed) == expected


@pytest.mark.parametrize("printed", ["CD30", "64.9", "C71,", "", "C60.9 C63.2", "All except CNS"])
def test_normalise_printed_icd10_refuses_what_needs_a_correction(printed: str) -> None:
    with pytest.raises(ValueError):
        normalise_printed_icd10(printed)


def test_subtype_comparison_ignores_case_space_hyphens_and_footnote_marks() -> None:
    key = normalise_subtype("Salivary-gland-type tumours of the lung")
    assert normalise_subtype("salivary  gland type TUMOURS of the lung") == key
    assert normalise_subtype("Salivary- gland- type tumours of the lung") == key
    assert normalise_subtype("Paget\u2019s disease") == normalise_subtype("paget's disease")
    assert (
        normalise_subtype("Soft tissue sarcoma of the heart*") == "soft tissue sarcoma of the heart"
    )


# ------------------------------------------------------------------- the committed resource


def test_default_path_is_the_committed_resource() -> None:
    path = default_table1_path()
    assert path.parts[-2:] == ("resources", "table1_rare_tumours.tsv")
    assert path.is_file()


def test_rows_per_system_match_the_protocol(table: list[Table1Row]) -> None:
    assert rows_per_system(table) == ROWS_PER_SYSTEM
    assert len(table) == 492


def test_tier_totals_match_the_protocol_text(table: list[Table1Row]) -> None:
    tiers = [row.tier for row in table]
    assert (tiers.count(1), tiers.count(2), tiers.count(3)) == (43, 133, 316)


def test_header_comments_state_source_and_counts() -> None:
    lines = default_table1_path().read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("# ")]
    assert any("000_2bfba5696039a598.txt" in line and "NCT04423185" in line for line in comments)
    assert any('"Table 1 Rare tumour types"' in line for line in comments)
    assert any(line.startswith("# generated-by: scripts/build_table1.py") for line in comments)
    for (number, name), count in ROWS_PER_SYSTEM.items():
        assert f"# rows in system {number} ({name}): {count}" in comments
    header = next(line for line in lines if not line.startswith("#"))
    assert tuple(header.split("\t")) == TABLE1_COLUMNS


def test_row_ids_lines_and_parents_are_consistent(table: list[Table1Row]) -> None:
    by_id = {row.row_id: row for row in table}
    assert [row.row_id for row in table] == [f"T1-{n:04d}" for n in range(1, len(table) + 1)]
    assert [row.protocol_line for row in table] == sorted(row.protocol_line for row in table)
    for row in table:
        if row.tier == 1:
            assert row.parent_row_id is None
        if row.parent_row_id is not None:
            parent = by_id[row.parent_row_id]
            assert parent.tier < row.tier and parent.system == row.system
        assert "- " not in row.tumour_type


def test_clear_cell_odontogenic_carcinoma(table: list[Table1Row]) -> None:
    row = _only(table, "Clear Cell Odontogenic Carcinoma", "C03")
    assert (row.tier, row.system_number, row.protocol_line) == (3, 1, 258)
    assert row.parent_row_id is not None
    parent = {r.row_id: r for r in table}[row.parent_row_id]
    assert (parent.tumour_type, parent.tier) == ("Odontogenic malignant tumours", 2)


def test_salivary_rows_keep_their_ranges(table: list[Table1Row]) -> None:
    first = table[22]
    assert first.tumour_type == (
        "Eepithelial tumours of major salivary glands and salivary-gland-type tumours"
    )
    assert (first.tier, first.icd10_printed) == (1, "C00- C14, C30, C31, C32")
    assert first.icd10 == "C00-C14;C30;C31;C32"
    minor = _only(table, "Polymorphous low-grade adenocarcinoma", "C00-C06;C09-C14;C30;C31;C32")
    assert minor.icd10_printed == "C00\u2013C06, C09\u2013C14, C30, C31, C32"
    assert minor.protocol_line == 365
    parotid = _only(table, "Polymorphous low-grade adenocarcinoma", "C07;C08")
    assert parotid.icd10_printed == "C7, C8"


def test_lung_and_breast_rare_subtypes(table: list[Table1Row]) -> None:
    lung = _only(table, "Sarcomatoid carcinoma of the lung", "C34")
    assert (lung.tier, lung.system, lung.protocol_line) == (2, "Respiratory system tumours", 650)
    breast = _only(table, "Metaplastic Carcinosarcoma", "C50")
    assert (breast.tier, breast.system, breast.parent_row_id) == (
        3,
        "Reproductive system tumours",
        None,
    )


def test_all_sites_rows_use_the_explicit_form(table: list[Table1Row]) -> None:
    assert _only(table, "Extragonadal germ cell tumours", "ALL").icd10_printed == "All sites"
    leio = _only(table, "Leiomyosarcoma", "ALL_EXCEPT:C40.0-C41.9")
    assert leio.icd10_printed == "All cancers sites except C40.0\u2013C41.9"
    net = [row for row in table if row.tumour_type == "Poorly differentiated endocrine carcinoma"]
    assert {row.icd10 for row in net} == {"ALL_EXCEPT:C15-C26;C34;C44;C48;C51;C60;C63.2;C73"}


@pytest.mark.parametrize(
    ("line", "printed", "icd10"),
    [
        (217, "CD30", "C30"),
        (219, "CD31", "C31"),
        (386, "", "C73"),
        (1122, "All cancers sites, except CNS and Autonomic Nervous System and peripheral nerves",
         "ALL_EXCEPT:C47;C70-C72"),
        (1180, "C44.0\u2013C44.9, CC51.0\u2013C51.9, C60.0,C60.9 C63.2",
         "C44.0-C44.9;C51.0-C51.9;C60.0;C60.9;C63.2"),
        (1468, "64.9", "C64.9"),
        (1642, "C71,", "C71;C72"),
    ],
)  # fmt: skip
def test_corrected_rows_keep_the_printed_cell(
    table: list[Table1Row], line: int, printed: str, icd10: str
) -> None:
    row = next(row for row in table if row.protocol_line == line)
    assert (row.icd10_printed, row.icd10) == (printed, icd10)


def test_stray_tier_number_before_the_last_heading_is_not_a_row(table: list[Table1Row]) -> None:
    last = [row for row in table if row.system_number == 12]
    assert last[0].tumour_type == "Cancer of unknown primary origin of other and unspecified sites"
    assert all("12." not in row.tumour_type for row in table)


def test_criteria_resource() -> None:
    codes = load_criteria()
    lookup = criteria_by_code(codes)
    counts = [sum(1 for c in codes if c.criterion == n) for n in (1, 2, 3)]
    assert counts == [35, 14, 3]
    first = codes[0]
    assert (first.criterion, first.icd10, first.icd10_printed) == (1, "C03", "C3")
    assert lookup["C07"] == lookup["C08"] == lookup["C65"] == lookup["C69"] == 1
    assert [c.icd10 for c in codes if c.criterion == 2] == [
        "C15", "C16", "C18", "C20", "C22", "C25", "C34", "C47", "C50", "C54", "C56", "C61",
        "C64", "C67",
    ]  # fmt: skip
    assert [c.icd10 for c in codes if c.criterion == 3] == ["C76", "C77", "C80"]
    assert "C73" not in lookup and "C66" not in lookup


# ------------------------------------------------------------------------ loader errors


def _write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "table1.tsv"
    path.write_text("# comment\n" + "\t".join(TABLE1_COLUMNS) + "\n" + "\n".join(rows) + "\n")
    return path


GOOD = "T1-0001\t1\tHead and neck tumour\t1\tOdontogenic malignant tumours\t\tC03\tC03\t254"


def test_load_table1_reads_a_minimal_file(tmp_path: Path) -> None:
    (row,) = load_table1(_write(tmp_path, [GOOD]))
    assert (row.row_id, row.tier, row.parent_row_id, row.sites.overlaps("C03")) == (
        "T1-0001",
        1,
        None,
        True,
    )


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("T1-0002\t1\tHead and neck tumour\t1\tX\t\tC03", "expected 9 tab-separated fields"),
        ("T1-0002\t1\tHead and neck tumour\t4\tX\t\tC03\tC03\t1", "tier '4'"),
        ("T1-0002\t1\tHead and neck tumour\t2\tX\t\tC3\tC3\t1", "icd10 'C3'"),
        ("T1-0002\t1\tHead and neck tumour\t2\tX\tT1-0009\tC03\tC03\t1", "parent_row_id"),
        ("T1-0002\t1\tHead and neck tumour\t1\tX\tT1-0001\tC03\tC03\t1", "parent_row_id"),
        ("T1-0001\t1\tHead and neck tumour\t2\tX\t\tC03\tC03\t1", "duplicate row_id"),
        ("X-1\t1\tHead and neck tumour\t2\tX\t\tC03\tC03\t1", "row_id 'X-1'"),
        ("T1-0002\tone\tHead and neck tumour\t2\tX\t\tC03\tC03\t1", "system_number 'one'"),
    ],
)
def test_load_table1_reports_malformed_rows_with_their_line(
    tmp_path: Path, bad: str, problem: str
) -> None:
    path = _write(tmp_path, [GOOD, bad])
    with pytest.raises(InputError, match=problem) as caught:
        load_table1(path)
    assert caught.value.line == 4
    assert caught.value.path == str(path)


def test_load_table1_rejects_a_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "table1.tsv"
    path.write_text("row_id\ttier\n")
    with pytest.raises(InputError, match="header must be") as caught:
        load_table1(path)
    assert caught.value.line == 1


# ---------------------------------------------------------------------------- the decision


def test_criterion_1_plain_code_is_rare(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C03", table)
    assert (decision.rare, decision.criterion) == (True, 1)
    assert decision.row is not None and decision.row.tumour_type == "Odontogenic malignant tumours"
    assert "protocol criterion 1" in decision.reason and "rare at any subtype" in decision.reason


def test_criterion_1_code_with_a_table_subtype_picks_that_row(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C03|clear cell odontogenic carcinoma", table)
    assert (decision.rare, decision.criterion) == (True, 1)
    assert decision.row is not None
    assert decision.row.tumour_type == "Clear Cell Odontogenic Carcinoma"


def test_criterion_1_code_with_another_subtype_is_still_rare(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C49.2|Leiomyosarcoma", table)
    assert (decision.rare, decision.criterion) == (True, 1)
    assert decision.row is not None and decision.row.tumour_type == "Leiomyosarcoma"
    other = decide_rare_tumour("C40|Leiomyosarcoma", table)  # the row excludes bone (C40-C41)
    assert (other.rare, other.criterion) == (True, 1)
    assert other.row is not None and other.row.tumour_type == "Bone sarcoma"
    assert "none is needed" in other.reason


def test_criterion_1_short_printed_codes_cover_their_padded_form(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C07|Salivary adenocarcinoma", table)
    assert decision.rare and decision.row is not None
    assert decision.row.icd10_printed == "C7, C8"


def test_range_match_c05_under_c00_c06(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C05|Adenoid Cystic Carcinoma", table)
    assert (decision.rare, decision.criterion) == (True, None)
    assert decision.row is not None
    assert decision.row.icd10 == "C00-C06;C09-C14;C30;C31;C32"
    assert "none of the protocol's three rare-tumour criteria" in decision.reason


def test_code_in_no_criterion_without_a_table_subtype_is_not_rare(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C05", table)
    assert (decision.rare, decision.criterion, decision.row) == (False, None, None)
    assert "Rare subtypes for C05 include" in decision.reason


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("C34|Sarcomatoid carcinoma of the lung", "Sarcomatoid carcinoma of the lung"),
        ("C34|nut carcinoma of the lung", "NUT Carcinoma of the Lung"),
        ("C34|Leiomyosarcoma", "Leiomyosarcoma"),
        ("C50|Metaplastic carcinosarcoma", "Metaplastic Carcinosarcoma"),
        ("C50|Soft tissue sarcoma of the breast", "Soft tissue sarcoma of the breast*"),
        ("C16|Adenoid cystic carcinoma", "Adenoid cystic carcinoma"),
        (
            "C64.9|Malignant rhabdoid tumour of the kidney",
            "Malignant rhabdoid tumour of the kidney",
        ),
    ],
)
def test_criterion_2_with_a_matching_subtype_is_rare(
    table: list[Table1Row], value: str, name: str
) -> None:
    decision = decide_rare_tumour(value, table)
    assert (decision.rare, decision.criterion) == (True, 2)
    assert decision.row is not None and decision.row.tumour_type == name
    assert "protocol criterion 2" in decision.reason


def test_criterion_2_accepts_a_tier_3_name_under_a_covering_tier_2_parent(
    table: list[Table1Row],
) -> None:
    # The tier-3 row's own cell excludes C34, but it is printed under "Typical and atypical
    # carcinoid of the lung" (C34).
    decision = decide_rare_tumour("C34|Well-differentiated endocrine tumours, carcinoid", table)
    assert (decision.rare, decision.criterion) == (True, 2)
    assert decision.row is not None and decision.row.protocol_line == 618


def test_criterion_2_with_a_non_matching_subtype_is_not_rare(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C34|Adenocarcinoma", table)
    assert (decision.rare, decision.criterion, decision.row) == (False, 2, None)
    assert decision.reason.startswith(
        "C34 (lung) is a common tumour site (protocol criterion 2): it needs a rare subtype "
        "from Table 1; 'Adenocarcinoma' is not one."
    )
    assert "Rare subtypes for C34 include: 'Typical and atypical carcinoid of the lung'" in (
        decision.reason
    )


def test_criterion_2_subtype_listed_only_for_other_sites_says_so(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C50|Adenocarcinoma, NOS", table)
    assert not decision.rare
    assert "Table 1 lists 'Adenocarcinoma, NOS' only for other sites" in decision.reason


def test_criterion_2_without_a_subtype_is_not_rare(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C50", table)
    assert (decision.rare, decision.criterion, decision.row) == (False, 2, None)
    assert "gives no subtype (write it as 'C50|<subtype>')" in decision.reason


def test_criterion_3_is_rare(table: list[Table1Row]) -> None:
    for code in ("C76", "C77", "C80.9"):
        decision = decide_rare_tumour(code, table)
        assert (decision.rare, decision.criterion) == (True, 3)
        assert decision.row is not None and decision.row.tier == 1
    with_subtype = decide_rare_tumour("C80|Adenocarcinoma, NOS", table)
    assert with_subtype.row is not None and with_subtype.row.system_number == 12


def test_medullary_thyroid_carcinoma_uses_the_supplied_code(table: list[Table1Row]) -> None:
    assert decide_rare_tumour("C73|Medullary thyroid carcinoma", table).rare
    assert not decide_rare_tumour("C73|Papillary carcinoma", table).rare


def test_unknown_code_is_not_rare(table: list[Table1Row]) -> None:
    decision = decide_rare_tumour("C43", table)
    assert (decision.rare, decision.criterion, decision.row) == (False, None, None)
    assert decision.reason.startswith("C43 (skin melanoma) is in none of the protocol's three")


def test_decision_uses_given_criteria_and_rejects_bad_values(table: list[Table1Row]) -> None:
    assert decide_rare_tumour("C34", table, criteria={"C34": 1}).rare
    with pytest.raises(ValueError, match="tumour_type"):
        decide_rare_tumour("lung", table)
