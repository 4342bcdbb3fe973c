"""Skin dose maps: hand-checked single fields, addition, sides, skipped events, storage."""
from types import SimpleNamespace as NS

import numpy as np
import pytest

from app.skindose import factors, phantom
from app.skindose.calculation import Beams, skin_dose
from app.skindose.maps import calculate, decode

BODY = phantom.build(1.70, 70.0)  # the reference trunk: 340 x 200 x 700 mm
PA = dict(dose_rp=2.0, primary=0.0, secondary=0.0, source_to_isocentre=750.0,
          source_to_detector=1100.0, field_width=200.0, field_height=200.0, kvp=80.0,
          copper=0.3,
          table=(0.0, 0.0, 0.0))


def dose(*fields):
    return skin_dose(BODY, Beams.of([dict(PA, **f) for f in fields]))


def test_a_single_pa_field_gives_the_hand_computed_peak():
    # Source 750 mm below the isocentre, RP 600 mm from the source; the back's skin is
    # 100 mm below the isocentre, 650 mm from the source. The field at the RP is
    # 200 x 600/1100 = 109 mm square: BSF(80 kV, 0.3 mm Cu, 10.9 cm) = 1.438 + 0.091 x
    # (1.550 - 1.438), between the 10 and 20 cm entries of Benmakhlouf et al. (2011).
    bsf = 1.438 + (10.909 - 10) / 10 * (1.550 - 1.438)
    expected = 2.0 * (600 / 650) ** 2 * bsf * 1.06 * 0.75
    grid = dose({})
    assert expected == pytest.approx(1.9620, abs=1e-3)
    assert grid.max() == pytest.approx(expected, rel=2e-3)
    row, column = np.unravel_index(grid.argmax(), grid.shape)
    assert column in (0, BODY.columns - 1)  # the posterior midline
    # 200 mm at the detector is 118 mm at the back: about 12 rows of 10 mm are lit.
    assert 11 <= (grid[:, 0] > 0).sum() <= 13


def test_two_overlapping_fields_add():
    one = dose({})
    assert dose({}, {}).max() == pytest.approx(2 * one.max())
    assert dose({}, {"dose_rp": 1.0}).max() == pytest.approx(1.5 * one.max())


def test_rotated_fields_land_on_the_expected_side():
    # Columns run from the posterior midline towards the left, anterior, right.
    quarter = BODY.columns / 4
    for primary, centre in ((90.0, 3 * quarter), (-90.0, quarter), (180.0, 2 * quarter)):
        grid = dose({"primary": primary})
        column = np.unravel_index(grid.argmax(), grid.shape)[1]
        assert abs(column - centre) <= 2, primary
    # LAO 90: source at the patient's right, not under the table: no table factor, 320 mm
    # the right skin is 170 mm from the axis, 580 mm from the source.
    bsf = float(factors.backscatter(80.0, 0.3, 200 * 600 / 1100 / 10))
    assert dose({"primary": 90.0}).max() == pytest.approx(
        2.0 * (600 / 580) ** 2 * bsf * 1.06, rel=2e-3)
    # Cranial tilt moves the source towards the feet: the spot moves towards the feet.
    straight = np.unravel_index(dose({}).argmax(), BODY.shape)[0]
    cranial = dose({"secondary": 30.0})
    lit_rows = np.nonzero(cranial.max(axis=1) > 0)[0]
    assert lit_rows.mean() < straight


def test_a_table_movement_moves_the_spot():
    first = dose({"table": (0.0, 0.0, 0.0)})
    moved = dose({"table": (0.0, 0.0, 0.0), "dose_rp": 0.0},
                 {"table": (0.0, 100.0, 0.0)})  # table 100 mm towards the head
    rows_first = np.nonzero(first[:, 0] > 0)[0].mean()
    rows_moved = np.nonzero(moved[:, 0] > 0)[0].mean()
    assert rows_first - rows_moved == pytest.approx(10, abs=1)  # 10 rows towards the feet


def _event(dose_rp=1.0, angles=(0.0, 0.0), dsi=750.0):
    distances = NS(distance_source_to_detector=1100.0, distance_source_to_isocenter=dsi,
                   distance_source_to_reference_point=None, table_lateral_position=None,
                   table_longitudinal_position=None, table_height_position=None)
    mechanical = NS(positioner_primary_angle=angles[0], positioner_secondary_angle=angles[1],
                    doserelateddistancemeasurements_set=[distances])
    source = NS(dose_rp=dose_rp, collimated_field_width=200.0, collimated_field_height=200.0,
                collimated_field_area=None, ii_field_size=None, kvp_set=[NS(kvp=80.0)],
                xrayfilters_set=[])
    return NS(irradeventxraysourcedata_set=[source],
              irradeventxraymechanicaldata_set=[mechanical], half_value_layer=None,
              patient_table_relationship_cid=None, patient_table_relationship=None,
              patient_orientation_modifier_cid=None, patient_orientation_modifier=None)


def test_an_event_without_geometry_is_skipped_and_counted():
    fields = calculate([_event(), _event(angles=(None, None)), _event(dsi=None)])
    assert (fields["events_used"], fields["events_skipped"]) == (1, 2)
    assert "positioner angles (1)" in fields["message"]
    assert "distance source to isocentre (1)" in fields["message"]
    grid = decode(fields["grid"])
    assert grid.max() == pytest.approx(fields["peak_skin_dose"], rel=1e-6)
    assert fields["dose_rp_used"] == 1.0


def test_no_usable_event_says_what_is_missing():
    fields = calculate([_event(angles=(None, None))])
    assert fields["status"] == "not computed" and fields["grid"] is None
    assert fields["message"] == "no event has the geometry needed; missing: positioner angles (1)"


def test_the_phantom_scales_with_the_patient_and_defaults_when_unknown():
    assert (BODY.width, BODY.depth, BODY.length) == pytest.approx((340.0, 200.0, 700.0))
    big = phantom.build(1.70, 140.0)
    assert big.width == pytest.approx(340.0 * np.sqrt(2))
    assert phantom.size(None, 0.0) == (1.70, 70.0, True)


def test_backscatter_follows_the_published_table_and_interpolates_between_entries():
    # Benmakhlouf et al. (2011) Table 3, 80 kV with 0.6 mm Cu (first HVL 7.88 mm Al): the
    # figures an independent implementation (PySkinDose) tests its backscatter factors with.
    sides = [5.0, 10.0, 20.0, 25.0, 35.0]
    assert factors.backscatter(80.0, 0.6, sides) == pytest.approx(
        [1.300, 1.458, 1.589, 1.617, 1.639], abs=5e-4)
    assert float(factors.backscatter(50.0, 0.0, 5.0)) == pytest.approx(1.204)
    assert float(factors.backscatter(150.0, 0.9, 35.0)) == pytest.approx(1.592)
    # Halfway in each of kV, copper and side: the mean of the eight surrounding entries.
    corners = factors.BSF[1:3, 1:3, 1:3]
    assert float(factors.backscatter(95.0, 0.15, 15.0)) == pytest.approx(corners.mean())
    # Beyond the table: the nearest edge; unknown kV counts as 80 kV, unknown copper as none.
    assert float(factors.backscatter(40.0, 2.0, 50.0)) == pytest.approx(1.532)
    assert float(factors.backscatter(np.nan, np.nan, 10.0)) == pytest.approx(1.331)


def test_a_sites_table_transmission_replaces_the_typical_one(app, caplog):
    from app.skindose.maps import _table_transmission

    # A PA field crosses the table at right angles: the peak scales with the transmission.
    typical = calculate([_event()])["peak_skin_dose"]
    assert calculate([_event()], table_transmission=0.6)["peak_skin_dose"] == pytest.approx(
        typical * 0.6 / 0.75, rel=1e-4)  # rays near the centre: all but perpendicular
    with app.app_context():
        assert _table_transmission() == 0.75
        app.config["SKIN_DOSE_TABLE_TRANSMISSION"] = "0.82"
        assert _table_transmission() == 0.82
        for wrong in (0.0, 1.5, "thin"):
            app.config["SKIN_DOSE_TABLE_TRANSMISSION"] = wrong
            assert _table_transmission() == 0.75
        assert "SKIN_DOSE_TABLE_TRANSMISSION 'thin' is not a fraction" in caplog.text
