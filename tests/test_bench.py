"""bench/run.py: page and export timings run for the endpoints that exist, skip the rest."""
import datetime as dt

from app.dev.populate import populate
from bench import run


def test_pages_that_exist_are_timed_and_the_others_listed(app):
    with app.app_context():
        populate(30, seed=2, until=dt.date(2024, 12, 31))
    client = run._admin_client(app)
    rows, skipped = [], set()

    run.bench_pages(app, client, 3, "test", 30, rows, skipped)

    timed = {label for _, _, label, _, _, _ in rows}
    expected = {label for label, endpoint, _ in run.PAGES if endpoint in app.view_functions}
    missing = {label for label, endpoint, _ in run.PAGES if endpoint not in app.view_functions}
    no_study = {note.split(" (")[0] for note in skipped if "no study of that modality" in note}
    assert "home" in timed and "CT detail" in timed
    assert timed | no_study == expected and not timed & no_study
    assert all(statuses == [200] for *_, statuses in rows)
    assert all(median > 0 and p95 >= median for _, _, _, median, p95, _ in rows)
    assert {note.split(" (")[0] for note in skipped} == missing | no_study


def test_exports_that_do_not_exist_are_listed_as_skipped(app):
    client = run._admin_client(app)
    rows, skipped = [], set()

    run.bench_exports(app, client, "test", 0, rows, skipped)

    present = [label for label, endpoint, _ in run.EXPORTS if endpoint in app.view_functions]
    assert [row[2] for row in rows] == present
    assert len(skipped) == len(run.EXPORTS) - len(present)


def test_percentile_picks_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]

    assert run._percentile(values, 0.95) == 95.0
    assert run._percentile(values, 0.5) == 51.0
