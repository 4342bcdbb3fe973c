"""Units as the standard and vendors write them, converted to the units Kerma stores."""
import pytest

from app.extractors.units import (
    COMMON_UNITS, COUNT_WORDS, VENDOR_SPELLINGS, UnknownUnit, convert, factor, normalise, parse,
)

ENTRIES = [(stored, sent, value) for stored, units in COMMON_UNITS.items()
           for sent, value in units.items()]


@pytest.mark.parametrize("stored, sent, expected", ENTRIES,
                         ids=[f"{sent}->{stored}" for stored, sent, _ in ENTRIES])
def test_every_entry_of_the_table_converts_by_its_factor(stored, sent, expected):
    assert convert(2.0, sent, stored) == pytest.approx(2.0 * expected, rel=1e-12)
    # The table agrees with what the UCUM parser makes of the same two units.
    sent_scale, sent_dimension = parse(sent)
    stored_scale, stored_dimension = parse(stored)
    assert sent_dimension == stored_dimension
    assert sent_scale / stored_scale == pytest.approx(expected, rel=1e-12)
    # Written in capitals, as some devices do, it is still the same unit.
    assert factor(sent.upper(), stored) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("stored", COMMON_UNITS)
def test_no_two_units_of_a_quantity_differ_only_in_case(stored):
    folded = [unit.lower() for unit in COMMON_UNITS[stored]]
    assert len(folded) == len(set(folded))


@pytest.mark.parametrize("spelling, ucum", sorted(VENDOR_SPELLINGS.items()))
def test_every_vendor_spelling_means_its_ucum_unit(spelling, ucum):
    assert normalise(spelling) == ucum
    assert parse(spelling) == parse(ucum)


#: How devices write units, and the UCUM unit each means.
VARIANTS = {
    "Gy.cm^2": "Gy.cm2", "Gy.cm²": "Gy.cm2", "Gy*cm2": "Gy.cm2", "Gy·cm2": "Gy.cm2",
    "Gy cm2": "Gy.cm2", "Gy . cm2": "Gy.cm2", "Gycm2": "Gy.cm2", "Gycm^2": "Gy.cm2",
    "dGycm2": "dGy.cm2", "cGycm2": "cGy.cm2", "mGycm2": "mGy.cm2", "uGym2": "uGy.m2",
    "Gym2": "Gy.m2", "µGy.m2": "uGy.m2", "μGy.m²": "uGy.m2", "µGy": "uGy", "mGycm": "mGy.cm",
    "mGy*cm": "mGy.cm", "mGy cm": "mGy.cm", "cm³": "cm3", "mm^2": "mm2", " mGy ": "mGy",
    "X-ray sources": "1", "events": "1", "Pulses": "1", "ratio": "1",
}


@pytest.mark.parametrize("written, ucum", sorted(VARIANTS.items()))
def test_unit_variants_are_read_as_ucum(written, ucum):
    assert normalise(written) == ucum


@pytest.mark.parametrize("word", sorted(COUNT_WORDS))
def test_count_words_are_dimensionless(word):
    assert convert(7.0, word, "1") == 7.0


@pytest.mark.parametrize("written, stored, expected", [
    ("Gy.cm^2", "Gy.m2", 1e-4), ("mGycm2", "Gy.m2", 1e-7), ("µGy.m²", "Gy.m2", 1e-6),
    ("MGY", "mGy", 1.0), ("MGy", "mGy", 1.0), ("GY", "Gy", 1.0), ("mgy", "Gy", 1e-3),
    ("MGY.CM", "mGy.cm", 1.0), ("MM", "mm", 1.0), ("KV", "kV", 1.0), ("MA", "mA", 1.0),
    ("MBQ", "MBq", 1.0), ("mbq", "MBq", 1.0), ("mCi", "MBq", 37.0),
    ("{pulse}/s", "{pulse}/s", 1.0), ("pulse/s", "{pulse}/s", 1.0), ("/s", "{pulse}/s", 1.0),
    ("mGy/mAs", "mGy/(mA.s)", 1.0), ("mGy/100mAs", "mGy/(mA.s)", 0.01),
    ("mSv/mGy.cm", "mSv/(mGy.cm)", 1.0), ("mSv/(mGy.cm)", "mSv/(mGy.cm)", 1.0),
    ("uSv/(mGy.cm)", "mSv/(mGy.cm)", 1e-3), ("cm3", "mL", 1.0), ("mL/min/{1.73_m2}", "mL/min", 1.0),
    ("{ratio}", "1", 1.0), ("%", "1", 0.01), ("{X-Ray sources}", "1", 1.0),
])
def test_units_as_written_convert_to_the_stored_unit(written, stored, expected):
    assert factor(written, stored) == pytest.approx(expected, rel=1e-12)


def test_a_slash_divides_by_the_next_component_only():
    # UCUM: mSv/mGy.cm is (mSv/mGy).cm; parentheses group. Devices mean the second.
    assert dict(parse("uSv/mGy.cm")[1])["length"] == 1
    assert dict(parse("uSv/(mGy.cm)")[1])["length"] == -1
    assert normalise("mSv/mGy.cm") == "mSv/(mGy.cm)"  # the spelling vendors use, as they mean it


@pytest.mark.parametrize("written, stored", [
    ("furlong", "mGy"), ("mGy", "Gy.m2"), ("%", "MBq"), ("mm", "mGy"), ("Gy.cm3", "Gy.m2"),
    ("(mGy", "mGy"), ("mGy)", "mGy"), ("", "mGy"), ("Sv", "Gy"),
])
def test_units_of_another_quantity_or_none_at_all_cannot_be_converted(written, stored):
    with pytest.raises(UnknownUnit):
        convert(1.0, written, stored)
