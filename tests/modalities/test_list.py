"""The list pages over HTTP: whole page or fragment, columns, ordering, pages, preferences."""
import datetime
import re

import pytest
from sqlalchemy import event

from app.extensions import db
from app.modalities import paging
from app.models.auth import User
from study_records import make_studies, store_records, study_record

UNITS = {
    "ct": ["Total DLP (mGy·cm)"],
    "rf": ["Total DAP (cGy·cm²)", "Total dose at RP (Gy)", "Physician"],
    "mg": ["Accumulated AGD (mGy)"],
    "dx": ["Total DAP (cGy·cm²)"],
    "nm": ["Radiopharmaceutical", "Administered activity (MBq)"],
}


def rows(html):
    """The study ids of the table rows, in order."""
    return [int(found) for found in re.findall(r'<tr id="study-(\d+)"', html)]


def test_whole_page_without_htmx_and_fragment_with_it(client, login_as, app, modality):
    login_as("view")
    study, = make_studies(app, modality, {"description": "Knee"})
    page = client.get(f"/{modality}/?study_description=knee")
    assert page.status_code == 200
    html = page.data.decode()
    assert html.startswith("<!doctype html>")
    assert 'hx-get="/%s/"' % modality in html and 'hx-push-url="true"' in html
    assert 'hx-trigger="change, keyup changed delay:400ms from:input[type=text], submit"' in html
    assert rows(html) == [study]
    assert "HX-Request" in page.headers["Vary"]

    fragment = client.get(f"/{modality}/?study_description=knee",
                          headers={"HX-Request": "true"})
    html = fragment.data.decode()
    assert "<html" not in html and "<form" not in html
    assert rows(html) == [study]
    assert "HX-Request" in fragment.headers["Vary"]
    # The ordering select is refreshed out of band, so header sorting and the form agree.
    assert 'id="ordering" name="o" hx-swap-oob="true"' in html


def test_history_restore_gets_the_whole_page(client, login_as, app, modality):
    login_as("view")
    response = client.get(f"/{modality}/", headers={"HX-Request": "true",
                                                    "HX-History-Restore-Request": "true"})
    assert response.data.decode().startswith("<!doctype html>")


def test_columns_carry_their_units(client, login_as, app, modality):
    login_as("view")
    make_studies(app, modality)
    html = client.get(f"/{modality}/").data.decode()
    for label in ("Institution", "Make", "Model", "Display name", "Date", "Study description",
                  "Procedure", "Requested procedure", "Accession number", *UNITS[modality]):
        assert f">{label}<" in html or f">{label} <" in html, label


def test_list_shows_values_in_display_units(client, login_as, app):
    login_as("view")
    make_studies(app, "ct", {"dlp": 1234.56, "events": ("localiser", "spiral")})
    make_studies(app, "rf", {"dap_a": 2.5e-3, "rp_a": 0.0123, "physician": "Dr Who"})
    make_studies(app, "dx", {"dap": 1.234e-5})
    make_studies(app, "mg", {"agd_left": 1.25, "agd_right": 1.5})
    make_studies(app, "nm", {"activity": 351.0})
    ct = client.get("/ct/").data.decode()
    assert '<td class="number">1234.6</td>' in ct and '<td class="number">2</td>' in ct
    rf = client.get("/rf/").data.decode()
    assert "<div>2500.0</div>" in rf and "<div>0.0123</div>" in rf and "Dr Who" in rf
    assert '<td class="number">12.34</td>' in client.get("/dx/").data.decode()
    mg = client.get("/mg/").data.decode()
    assert "Left</span> 1.25" in mg and "Right</span> 1.50" in mg
    nm = client.get("/nm/").data.decode()
    assert "Fluorodeoxyglucose F^18^" in nm and "<div>351.0</div>" in nm


def test_biplane_rf_shows_each_plane(client, login_as, app):
    login_as("view")
    make_studies(app, "rf", {"dap_a": 1e-3, "dap_b": 2e-3, "rp_a": 0.1, "rp_b": 0.2})
    html = client.get("/rf/").data.decode()
    assert "A</span> 1000.0" in html and "B</span> 2000.0" in html
    assert "A</span> 0.1" in html and "B</span> 0.2" in html


def test_rf_rows_at_alert_level_are_highlighted_per_plane(client, login_as, app):
    login_as("view")
    # Plane B alone reaches 2 Gy; summed planes would not matter.
    high_rp, high_dap, low, summed = make_studies(
        app, "rf", {"rp_a": 0.5, "dap_b": 1e-4, "rp_b": 2.0},
        {"dap_a": 0.02, "rp_a": 0.1}, {"dap_a": 1e-3, "rp_a": 1.99},
        {"dap_a": 0.015, "dap_b": 0.015, "rp_a": 1.5, "rp_b": 1.5})
    html = client.get("/rf/").data.decode()
    highlighted = {int(found) for found in
                   re.findall(r'<tr id="study-(\d+)" class="table-danger high-dose"', html)}
    assert highlighted == {high_rp, high_dap}
    assert "DAP ≥ 20000 cGy·cm² or dose at RP ≥ 2 Gy" in html


def test_alert_levels_are_settings(app, client, login_as):
    app.config["RF_ALERT_RP_GY"] = 0.05
    login_as("view")
    study, = make_studies(app, "rf", {"rp_a": 0.06})
    assert f'<tr id="study-{study}" class="table-danger' in client.get("/rf/").data.decode()


def test_hashed_accession_is_shown_as_hidden(client, login_as, app, modality, identifiers):
    identifiers(accession_hashed=True)
    login_as("view")
    make_studies(app, modality, {"accession": "SECRET-1"})
    html = client.get(f"/{modality}/").data.decode()
    assert "SECRET-1" not in html
    assert "<td>hidden</td>" in html


def test_default_order_is_newest_first(client, login_as, app, modality):
    login_as("view")
    old, new, same_day_later = make_studies(
        app, modality, {"date": datetime.date(2023, 1, 1)}, {"date": datetime.date(2024, 1, 1)},
        {"date": datetime.date(2024, 1, 1), "time": datetime.time(15, 0)})
    assert rows(client.get(f"/{modality}/").data.decode()) == [same_day_later, new, old]
    assert rows(client.get(f"/{modality}/?o=date").data.decode()) == [old, new, same_day_later]


TEXT_ORDERINGS = [
    ("study_description", ["Abdomen", "Brain", "Chest"]),
    ("-study_description", ["Chest", "Brain", "Abdomen"]),
    ("institution", ["Alpha", "Beta", "Gamma"]),
    ("-manufacturer", ["Zeiss", "Philips", "Canon"]),
    ("model", ["M1", "M2", "M3"]),
    ("display_name", ["Alpha", "Beta", "Gamma"]),
]


def test_text_orderings(client, login_as, app, modality):
    login_as("view")
    values = [("Brain", "Beta", "Philips", "M2"), ("Chest", "Gamma", "Canon", "M3"),
              ("Abdomen", "Alpha", "Zeiss", "M1")]
    ids = make_studies(app, modality, *[
        {"description": d, "institution": i, "manufacturer": m, "model": mo}
        for d, i, m, mo in values])
    by_value = {}
    for study_id, row in zip(ids, values):
        for value in row:
            by_value[value] = study_id
    for order, expected in TEXT_ORDERINGS:
        assert rows(client.get(f"/{modality}/?o={order}").data.decode()) == \
            [by_value[value] for value in expected], order


@pytest.mark.parametrize("key, order, variants", [
    ("ct", "-dlp", [{"dlp": 10.0}, {"dlp": 900.0}, {"dlp": 55.0}]),
    ("rf", "-dap", [{"dap_a": 1e-5}, {"dap_a": 9e-3}, {"dap_a": 5e-4}]),
    ("rf", "-rp_dose", [{"rp_a": 0.01}, {"rp_a": 1.9}, {"rp_a": 0.5}]),
    ("dx", "-dap", [{"dap": 1e-6}, {"dap": 9e-5}, {"dap": 5e-5}]),
    ("mg", "-agd_left", [{"agd_left": 0.5}, {"agd_left": 2.5}, {"agd_left": 1.5}]),
    ("mg", "-agd_right", [{"agd_right": 0.5}, {"agd_right": 2.5}, {"agd_right": 1.5}]),
])
def test_dose_orderings_highest_first(client, login_as, app, key, order, variants):
    login_as("view")
    low, high, middle = make_studies(app, key, *variants)
    assert rows(client.get(f"/{key}/?o={order}").data.decode()) == [high, middle, low]
    assert rows(client.get(f"/{key}/?o={order[1:]}").data.decode()) == [low, middle, high]


def test_missing_values_sort_last_both_ways(client, login_as, app):
    login_as("view")
    none, some = make_studies(app, "ct", {"description": None}, {"description": "Chest"})
    assert rows(client.get("/ct/?o=study_description").data.decode()) == [some, none]
    assert rows(client.get("/ct/?o=-study_description").data.decode()) == [some, none]


def test_unknown_ordering_falls_back_to_newest_first(client, login_as, app):
    login_as("view")
    old, new = make_studies(app, "nm", {"date": datetime.date(2020, 1, 1)}, {})
    assert rows(client.get("/nm/?o=-dlp").data.decode()) == [new, old]


def test_sortable_headers_link_both_ways(client, login_as, app):
    login_as("view")
    make_studies(app, "ct")
    html = client.get("/ct/?o=-dlp&manufacturer=acme").data.decode()
    assert 'aria-sort="descending"' in html
    # Clicking the active column reverses it and keeps the filters.
    assert 'href="/ct/?manufacturer=acme&amp;o=dlp"' in html
    # Other columns: dates and doses sort highest first on the first click, texts A to Z.
    assert 'hx-get="/ct/?manufacturer=acme&amp;o=-date"' in html
    assert 'hx-get="/ct/?manufacturer=acme&amp;o=study_description"' in html


def test_pages_and_pager_links(client, login_as, app, modality):
    login_as("view")
    ids = store_records(app, [study_record(modality, date=datetime.date(2024, 1, day))
                              for day in range(1, 13)])
    newest_first = list(reversed(ids))
    first = client.get(f"/{modality}/?per_page=10&study_description=chest").data.decode()
    assert rows(first) == newest_first[:10]
    assert "12 studies; showing 1–10." in first
    link = f"/{modality}/?per_page=10&amp;study_description=chest&amp;page=2"
    assert f'href="{link}" hx-get="{link}" hx-target="#results" hx-push-url="true"' in first
    second = client.get(f"/{modality}/?per_page=10&study_description=chest&page=2").data.decode()
    assert rows(second) == newest_first[10:]
    assert "12 studies; showing 11–12." in second
    # A page past the end shows the last page.
    assert rows(client.get(f"/{modality}/?per_page=10&page=9").data.decode()) == newest_first[10:]


def test_deep_pages_read_their_ids_first_and_show_the_same_studies(client, login_as, app,
                                                                    monkeypatch):
    login_as("view")
    store_records(app, [study_record("ct", date=datetime.date(2024, 3, day))
                        for day in range(1, 8)])
    app.config["PAGE_SIZES"] = (2, 10, 25)
    direct = [rows(client.get(f"/ct/?per_page=2&page={n}").data.decode()) for n in range(1, 5)]
    monkeypatch.setattr(paging, "DIRECT_OFFSET", 0)  # every page ids first
    deferred = [rows(client.get(f"/ct/?per_page=2&page={n}").data.decode()) for n in range(1, 5)]
    assert deferred == direct
    assert [len(page) for page in direct] == [2, 2, 2, 1]
    assert len({row for page in direct for row in page}) == 7


def test_counts_stop_at_the_cap(client, login_as, app, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    login_as("view")
    ids = store_records(app, [study_record("dx", date=datetime.date(2024, 2, day))
                              for day in range(1, 9)])
    html = client.get("/dx/?per_page=10").data.decode()
    assert "More than 5 studies; showing 1–8." in html
    html = client.get("/dx/?per_page=10&page=1").data.decode()
    assert len(rows(html)) == 8
    with app.app_context():
        from app.modalities import DX
        from app.modalities.filtering import filter_studies
        assert paging.count_capped(filter_studies(DX, {}), cap=5) == (5, True)
        assert paging.count_capped(filter_studies(DX, {}), cap=8) == (8, False)
    assert ids


def test_capped_pages_offer_next_while_there_is_one(client, login_as, app, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    login_as("view")
    store_records(app, [study_record("ct", date=datetime.date(2024, 2, day))
                        for day in range(1, 8)])
    app.config["PAGE_SIZES"] = (2, 10, 25)
    first = client.get("/ct/?per_page=2").data.decode()
    assert "More than 3 studies; showing 1–2." in first
    assert 'aria-label="Next page"' in first and 'aria-label="Last page"' not in first
    last = client.get("/ct/?page=4").data.decode()
    assert len(rows(last)) == 1
    assert 'aria-label="Next page"' not in last
    assert rows(client.get("/ct/?page=5").data.decode()) == []
    assert "There are no studies on this page." in client.get("/ct/?page=5").data.decode()


def test_page_size_is_remembered_per_user(client, login_as, app):
    user = login_as("view")
    store_records(app, [study_record("ct", date=datetime.date(2024, 1, day))
                        for day in range(1, 13)])
    assert len(rows(client.get("/ct/").data.decode())) == 12  # default 25
    assert len(rows(client.get("/ct/?per_page=10").data.decode())) == 10
    with app.app_context():
        assert db.session.get(User, user.id).page_size == 10
    # Another page, no per_page in the URL: the saved size applies.
    assert len(rows(client.get("/dx/").data.decode())) == 0
    assert len(rows(client.get("/ct/").data.decode())) == 10
    assert 'value="10" selected' in client.get("/ct/").data.decode()
    # Sizes not offered are ignored.
    assert len(rows(client.get("/ct/?per_page=11").data.decode())) == 10
    with app.app_context():
        assert db.session.get(User, user.id).page_size == 10


def test_filter_errors_are_shown(client, login_as, app):
    login_as("view")
    html = client.get("/ct/?dlp_min=lots").data.decode()
    assert "Study DLP: “lots” is not a number." in html


def test_patient_filters_only_shown_to_pid_role(client, login_as, app):
    login_as("view")
    assert 'name="patient_name"' not in client.get("/ct/").data.decode()
    login_as("view", "pid")
    assert 'name="patient_name"' in client.get("/ct/").data.decode()


def test_every_filter_has_a_field_in_the_form(client, login_as, config, modality):
    login_as("view", "pid")
    html = client.get(f"/{modality}/").data.decode()
    for spec in config.filters:
        for name in spec.arg_names:
            assert f'name="{name}"' in html, name
    assert 'type="date"' in html


def test_study_text_is_escaped(client, login_as, app, modality):
    login_as("view", "admin")
    study, = make_studies(app, modality, {"description": "<script>alert(1)</script>",
                                          "institution": '"><img src=x onerror=alert(2)>',
                                          "accession": "<b>A1</b>"})
    for path in (f"/{modality}/", f"/{modality}/{study}", f"/{modality}/{study}/delete",
                 f"/{modality}/delete", "/"):
        html = client.get(path).data.decode()
        assert "<script>alert(1)" not in html, path
        assert "<img src=x" not in html, path
        assert "<b>A1</b>" not in html, path
    html = client.get(f"/{modality}/").data.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html


def test_query_count_does_not_grow_with_page_size(client, login_as, app, modality):
    login_as("view")
    store_records(app, [study_record(modality, date=datetime.date(2024, 1, 1 + n % 28),
                                     station=f"ROOM{n % 7}") for n in range(60)])

    def statements(path):
        seen = []
        with app.app_context():
            engine = db.engine

            def count(*_args):
                seen.append(1)

            event.listen(engine, "before_cursor_execute", count)
            try:
                response = client.get(path)
            finally:
                event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(seen), len(rows(response.data.decode()))

    small, shown_small = statements(f"/{modality}/?per_page=10")
    large, shown_large = statements(f"/{modality}/?per_page=50")
    assert (shown_small, shown_large) == (10, 50)
    assert large == small
    # Login and roles, saving the page size, count, page, equipment and (NM) agents.
    assert small <= 14
