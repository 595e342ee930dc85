import pytest
from hypothesis import given
from hypothesis import strategies as st

from armmatch.hgvs import THREE_TO_ONE, matches_protein, parse_protein_change


@pytest.mark.parametrize(
    ("text", "short", "kind"),
    [
        ("p.Leu858Arg", "L858R", "substitution"),
        ("p.L858R", "L858R", "substitution"),
        ("ENSP00000275493.2:p.Leu858Arg", "L858R", "substitution"),
        ("p.(Val600Glu)", "V600E", "substitution"),
        ("p.Glu746_Ala750del", "E746_A750del", "deletion"),
        ("p.Leu747_Ser752delinsGln", "L747_S752delinsQ", "delins"),
        ("p.Tyr772_Ala775dup", "Y772_A775dup", "duplication"),
        ("p.Asp770_Asn771insGly", "D770_N771insG", "insertion"),
        ("p.Glu23ValfsTer17", "E23Vfs*17", "frameshift"),
        ("p.Arg196Ter", "R196*", "nonsense"),
        ("p.Arg248%3D", "R248=", "synonymous"),
        ("p.Met1?", "M1?", "start_lost"),
        ("p.Ter394CysextTer9", "*394Cext*9", "extension"),
        ("p.Arg248_Arg249delinsLysLys", "R248_R249delinsKK", "delins"),
    ],
)
def test_parse_protein_change(text: str, short: str, kind: str) -> None:
    change = parse_protein_change(text)
    assert change.short == short
    assert change.kind == kind


@pytest.mark.parametrize("bad", ["", "p.?", "p.Foo12Bar", "c.2573T>G", "p.Leu858Xyz"])
def test_unreadable_changes_raise(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_protein_change(bad)


def test_wildcard_matches_only_substitutions() -> None:
    assert matches_protein(parse_protein_change("p.Gly719Ala"), "G719X")
    assert not matches_protein(parse_protein_change("p.Gly719="), "G719X")
    assert not matches_protein(parse_protein_change("p.Gly719Ala"), "G718X")


residue = st.sampled_from(sorted(k for k in THREE_TO_ONE if k not in ("Ter", "Xaa")))


@given(residue, st.integers(min_value=1, max_value=5000), residue)
def test_three_and_one_letter_forms_agree(a: str, pos: int, b: str) -> None:
    three = parse_protein_change(f"p.{a}{pos}{b}")
    one = parse_protein_change(f"p.{THREE_TO_ONE[a]}{pos}{THREE_TO_ONE[b]}")
    assert three == one
