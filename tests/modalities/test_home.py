"""The home page: studies per modality and display name, recent windows, the user's days."""
import datetime
import re
from urllib.parse import unquote_plus as unquote

from sqlalchemy import event

from app.extensions import db
from app.models.auth import User
from study_records import store_records, study_record

TODAY = datetime.date.today()


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def table_rows(html, key):
    """The rows of one modality's table as lists of cell texts."""
    section = html.split(f'id="home-{key}"')[1].split("</section>")[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]:
        rows.append([re.sub(r"<[^>]+>|\s+", " ", cell).strip()
                     for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)])
    return rows


def populate(app):
    store_records(app, [
        study_record("ct", date=TODAY, institution="North", station="CT1"),
        study_record("ct", date=days_ago(6), institution="North", station="CT1"),
        study_record("ct", date=days_ago(7), institution="North", station="CT1"),
        study_record("ct", date=days_ago(40), institution="North", station="CT1"),
        study_record("ct", date=days_ago(1), institution="South", station="CT2"),
        study_record("ct", date=TODAY + datetime.timedelta(days=3), institution="South",
                     station="CT2"),
        study_record("rf", date=days_ago(100), institution="Cath", station="Lab"),
        study_record("dx", date=days_ago(2), institution="North", station="DR1",
                     modality_type="CR"),
    ])


def test_counts_per_modality_and_display_name(app, client, login_as):
    login_as("view")
    populate(app)
    html = client.get("/").data.decode()
    assert "8 studies in total." in html
    # Windows of 7 and 28 days: today and the 6 (27) days before it; future dates count
    # in the total but in no window.
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    assert table_rows(html, "ct") == [
        ["North CT1", "4", TODAY.isoformat(), "2", "3"],
        ["South CT2", "2", future, "1", "1"],
    ]
    assert table_rows(html, "rf") == [["Cath Lab", "1", days_ago(100).isoformat(), "0", "0"]]
    assert table_rows(html, "dx") == [["North DR1", "1", days_ago(2).isoformat(), "1", "1"]]
    # Modalities without studies are left out; the rest keep the home page order.
    assert 'id="home-mg"' not in html and 'id="home-nm"' not in html
    assert html.index('id="home-ct"') < html.index('id="home-rf"') < html.index('id="home-dx"')


def test_links_lead_to_exactly_the_counted_studies(app, client, login_as):
    login_as("view")
    populate(app)
    store_records(app, [study_record("ct", date=TODAY, institution="North", station="CT10")])
    html = client.get("/").data.decode()
    section = html.split('id="home-ct"')[1].split("</section>")[0]
    links = re.findall(r'href="(/ct/\?[^"]+)">([^<]+)</a>', section)
    by_text = {text: unquote(href.replace("&amp;", "&")) for href, text in links}
    assert by_text["North CT1"] == '/ct/?display_name="North CT1"'
    week = [href for href, text in links if "date_from" in href][0].replace("&amp;", "&")
    assert unquote(week) == (f'/ct/?date_from={days_ago(6).isoformat()}'
                             f'&date_until={TODAY.isoformat()}&display_name="North CT1"')
    # "North CT1" must not also match "North CT10".
    listing = client.get(week).data.decode()
    assert len(re.findall(r'<tr id="study-', listing)) == 2
    all_ct1 = client.get(links[0][0].replace("&amp;", "&")).data.decode()
    assert len(re.findall(r'<tr id="study-', all_ct1)) == 4


def test_user_chooses_the_windows(app, client, login_as):
    user = login_as("view")
    populate(app)
    response = client.post("/home-days", data={"days_1": "1", "days_2": "45"},
                           headers={"HX-Request": "true"})
    html = response.data.decode()
    assert "<html" not in html and "Saved." in html
    assert "Last 1 day" in html and "Last 45 days" in html
    assert table_rows(html, "ct")[0] == ["North CT1", "4", TODAY.isoformat(), "1", "4"]
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.home_days_1, saved.home_days_2) == (1, 45)
    assert 'value="45"' in client.get("/").data.decode()


def test_windows_must_be_sensible(app, client, login_as):
    user = login_as("view")
    for days in ({"days_1": "0", "days_2": "7"}, {"days_1": "7", "days_2": "week"},
                 {"days_1": "7", "days_2": "99999"}):
        response = client.post("/home-days", data=days, headers={"HX-Request": "true"})
        assert "Give two whole numbers of days from 1 to 3650." in response.data.decode()
    response = client.post("/home-days", data={"days_1": "-3", "days_2": "7"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.home_days_1, saved.home_days_2) == (7, 28)


def test_one_query_per_modality_however_many_devices(app, client, login_as):
    login_as("view")

    def statements():
        seen = []
        with app.app_context():
            listener = lambda *args: seen.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                client.get("/")
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    store_records(app, [study_record("ct", station="A")])
    few = statements()
    store_records(app, [study_record("ct", station=f"S{n}") for n in range(12)])
    assert statements() == few


def test_home_with_no_studies(app, client, login_as):
    login_as("view")
    html = client.get("/").data.decode()
    assert "0 studies in total." in html
    assert "No studies are stored yet." in html
