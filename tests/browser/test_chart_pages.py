"""The Charts view in a real browser: ECharts draws, and a filter redraws."""
import datetime
import json

import pytest

from study_records import store_records, study_record

pytestmark = pytest.mark.browser


@pytest.fixture
def ct_studies(live_server):
    return store_records(live_server.app, [
        study_record("ct", description="Head trauma", dlp=800, date=datetime.date(2024, 3, 4)),
        study_record("ct", description="Head trauma", dlp=1000, date=datetime.date(2024, 3, 5)),
        study_record("ct", description="Chest routine", dlp=300, date=datetime.date(2024, 3, 6)),
    ])


def _rows(page, key):
    spec = page.locator(f"#chart-{key}-plot").get_attribute("data-chart")
    return [(row["category"], row["n"], row["median"]) for row in json.loads(spec)["rows"]]


def test_a_chart_renders_and_a_filter_changes_it(logged_in_page, ct_studies):
    page = logged_in_page("view")
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/charts/ct/?chart=dlp_study_description&chart=workload")
    page.wait_for_selector("#chart-dlp_study_description-plot[data-drawn] canvas")
    page.wait_for_selector("#chart-workload-plot[data-drawn] canvas")
    assert _rows(page, "dlp_study_description") == [("Chest routine", 1, 300.0),
                                                    ("Head trauma", 2, 900.0)]
    # ECharts drew the bars: its instance holds both categories.
    assert page.evaluate("echarts.getInstanceByDom(document.getElementById("
                         "'chart-dlp_study_description-plot')).getOption().xAxis[0].data") == [
        "Chest routine", "Head trauma"]

    page.locator("#f-study_description").press_sequentially("head", delay=50)
    page.wait_for_function(
        "JSON.parse(document.getElementById('chart-dlp_study_description-plot')"
        ".getAttribute('data-chart')).rows.length === 1")
    page.wait_for_selector("#chart-dlp_study_description-plot[data-drawn] canvas")
    assert _rows(page, "dlp_study_description") == [("Head trauma", 2, 900.0)]
    assert page.evaluate("echarts.getInstanceByDom(document.getElementById("
                         "'chart-dlp_study_description-plot')).getOption().xAxis[0].data") == [
        "Head trauma"]
    assert "study_description=head" in page.url

    page.select_option("#statistic", "boxplot")
    page.wait_for_function(
        "JSON.parse(document.getElementById('chart-dlp_study_description-plot')"
        ".getAttribute('data-chart')).statistic === 'boxplot'")
    page.wait_for_selector("#chart-dlp_study_description-plot[data-drawn] canvas")
    assert page.evaluate("echarts.getInstanceByDom(document.getElementById("
                         "'chart-dlp_study_description-plot')).getOption().series[0].type") == \
        "boxplot"
    assert errors == []
