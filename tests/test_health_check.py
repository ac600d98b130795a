"""The resident's health check: the overview with chart and table, the form with good and bad input, one check."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import HealthCheck
from portal.models.base import utcnow
from portal.services.health_check import checks
from portal.services.health_check.answers import Answers
from tests.factories import UserFactory
from tests.support.accounts import csrf_token

GOOD = {"mark": "6", "body": "5", "mind": "7", "social": "8", "societal": "4"}
KEY = "k" * 22


def answers(mark=6, body=5, mind=7, social=8, societal=4, **extra) -> Answers:
    return Answers(mark=mark, domains={"body": body, "mind": mind, "social": social, "societal": societal}, **extra)


def stored(resident) -> int:
    statement = select(func.count()).select_from(HealthCheck).where(HealthCheck.resident_id == resident.id)
    return db.session.scalar(statement)


def post(client, data, lang="en", key=KEY, token_from=None):
    token = csrf_token(client, token_from or f"/{lang}/health-check/new")
    return client.post(f"/{lang}/health-check/new", data={"csrf_token": token, "key": key, **data})


def earlier(resident, *marks, weeks=(8, 4)):
    """Checks of the resident some weeks ago, oldest first, with these overall marks."""
    for mark, ago in zip(marks, weeks, strict=True):
        checks.record(resident, answers(mark=mark), taken_at=utcnow() - timedelta(weeks=ago))
    db.session.commit()


def test_the_empty_overview_explains_the_check_and_offers_to_start(client, login):
    login("resident")
    page = client.get("/en/health-check").get_data(as_text=True)
    assert "You have not filled in a health check yet" in page
    assert 'href="/en/health-check/new"' in page
    assert "<svg" not in page.split('class="wp-main"')[1] and "<table" not in page


def test_the_navigation_links_to_the_health_check_for_residents_only(client, login):
    login("resident")
    assert 'href="/nl/health-check"' in client.get("/nl/").get_data(as_text=True)


def test_a_good_check_is_stored_and_the_overview_shows_it(client, login):
    resident = login("resident")
    response = post(client, GOOD | {"keeps": "Mijn kleinkinderen", "talk": ["mind", "societal"]})
    assert response.status_code == 303 and response.location.endswith("/en/health-check")
    (entry,) = checks.history(resident.id)
    assert entry.answers == answers(texts={"keeps": "Mijn kleinkinderen"}, talk=("mind", "societal"))
    page = client.get("/en/health-check").get_data(as_text=True)
    assert "Your health check is saved" in page
    assert "your first check" in page


def test_the_same_submission_twice_is_stored_once(client, login):
    resident = login("resident")
    assert post(client, GOOD).status_code == 303
    assert post(client, GOOD).status_code == 303
    assert stored(resident) == 1
    assert post(client, GOOD, key="another-key-0000000001").status_code == 303
    assert stored(resident) == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mark", "0", "Please choose a mark from 1 to 10."),
        ("mark", "11", "Please choose a mark from 1 to 10."),
        ("body", "-1", "Please choose a mark from 1 to 10."),
        ("mind", "abc", "A mark is a whole number."),
        ("social", "7.5", "A mark is a whole number."),
        ("societal", "\u0667", "Please choose a mark from 1 to 10."),
        ("mark", "", "Please choose a mark from 1 to 10."),
        ("mark", "7\x00", "A mark is a whole number."),
        ("mark", "99999999999999999999", "Please choose a mark from 1 to 10."),
        ("keeps", "x" * 1001, "Use at most 1000 characters."),
        ("higher", "meer\x00slapen", "Please use only normal letters, numbers and punctuation."),
        ("talk", "everything", "Please choose only from the list."),
    ],
)
def test_bad_input_gives_the_form_again_with_the_message_and_the_values_kept(client, login, field, value, message):
    resident = login("resident")
    data = GOOD | {"not_lower": "Ik wandel elke dag", "talk": ["body"]} | {field: value}
    response = post(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and f'id="{field}-error"' in page
    assert stored(resident) == 0
    assert "Ik wandel elke dag</textarea>" in page
    assert ('id="talk-body" name="talk" value="body" checked' in page) is (field != "talk")
    kept = "societal" if field != "societal" else "mark"
    assert f'id="{kept}-{GOOD[kept]}" name="{kept}" value="{GOOD[kept]}" checked' in page


def test_a_missing_field_and_several_bad_ones_are_all_named(client, login):
    login("resident")
    data = {key: value for key, value in GOOD.items() if key != "mind"} | {"mark": "0", "keeps": "x" * 1001}
    page = post(client, data).get_data(as_text=True)
    assert 'id="mind-error"' in page and 'id="mark-error"' in page and 'id="keeps-error"' in page
    assert 'href="#mind-1"' in page  # the error summary links to the field


def test_a_text_of_1000_characters_is_fine(client, login):
    resident = login("resident")
    assert post(client, GOOD | {"keeps": "x" * 1000}).status_code == 303
    assert checks.history(resident.id)[0].answers.texts["keeps"] == "x" * 1000


def test_a_bad_or_missing_key_is_refused_and_nothing_stored(client, login):
    resident = login("resident")
    assert post(client, GOOD, key="short").status_code == 400
    assert post(client, GOOD, key="").status_code == 400
    assert stored(resident) == 0


def test_without_csrf_token_nothing_is_stored(client, login):
    resident = login("resident")
    response = client.post("/en/health-check/new", data=GOOD | {"key": KEY})
    assert response.status_code == 400 and stored(resident) == 0


def test_the_form_has_a_radio_group_per_mark_with_a_legend_and_the_questions(client, login):
    login("resident")
    page = client.get("/en/health-check/new").get_data(as_text=True)
    assert page.count("<fieldset") == 5 and page.count("<legend") == 5
    assert page.count('type="radio"') == 50
    assert "How do you feel inside? Think of worries, mood and stress." in page
    assert page.count('data-read-aloud="question-') == 8 and page.count(" hidden>") >= 8
    assert page.count('alt="" aria-hidden="true"') == 5
    assert re.search(r'<script src="/static/js/read_aloud.js\?v=\w+" defer></script>', page)
    assert 'name="key"' in page


def test_the_overview_shows_the_change_in_figures_and_words_and_the_table(client, login):
    resident = login("resident")
    earlier(resident, 5, 7)
    checks.record(resident, answers(mark=7, body=3, mind=9), taken_at=utcnow())
    db.session.commit()
    page = client.get("/en/health-check").get_data(as_text=True)
    latest = page.split('id="latest-heading"')[1].split("</section>")[0]
    assert "the same" in latest  # mark 7 -> 7
    assert '<bdi dir="ltr" aria-hidden="true">&minus;2</bdi> (2 points lower)' in latest  # body 5 -> 3
    assert '<bdi dir="ltr" aria-hidden="true">+2</bdi> (2 points higher)' in latest  # mind 7 -> 9
    table = page.split("<table")[1].split("</table>")[0]
    assert "<caption" in table and table.count('<th scope="row">') == 3 and 'scope="col"' in table
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    cells = [re.findall(r"<td>(\d+)</td>", row) for row in rows]
    assert cells == [["7", "3", "9", "8", "4"], ["7", "5", "7", "8", "4"], ["5", "5", "7", "8", "4"]]
    assert "(2 points higher)" in rows[1] and "your first check" in rows[2]
    ids = [entry.check.id for entry in checks.history(resident.id)]
    assert [int(i) for i in re.findall(r'href="/en/health-check/(\d+)"', table)] == ids[::-1]


def _points(page: str, key: str = "mark") -> list[tuple[int, float, int]]:
    """(index, x, value) of each point of a chart, in the order of the page."""
    svg = page.split(f'id="chart-{key}-title"')[0].rsplit("<svg", 1)[1] + page.split(f'id="chart-{key}-title"')[1]
    svg = svg.split("</svg>")[0]
    found = re.findall(r'data-index="(\d+)" data-value="(\d+)">\s*<circle cx="([\d.]+)"', svg)
    return [(int(index), float(x), int(value)) for index, value, x in found]


def test_the_chart_is_an_image_with_a_title_and_a_summary(client, login):
    resident = login("resident")
    earlier(resident, 4, 6)
    page = client.get("/en/health-check").get_data(as_text=True)
    assert page.count('role="img"') == 5
    assert '<title id="chart-mark-title">Your health: your marks over time</title>' in page
    desc = re.search(r'<desc id="chart-mark-desc">(.*?)</desc>', page, re.S).group(1)
    assert "2 checks from" in desc and "The first mark was 4, the latest is 6" in desc
    assert 'aria-labelledby="chart-mark-title chart-mark-desc"' in page
    points = _points(page)
    assert [value for _index, _x, value in points] == [4, 6]
    assert points[0][1] < points[1][1]  # left to right


def test_in_arabic_the_chart_runs_right_to_left(client, login):
    resident = login("resident", locale="ar")
    earlier(resident, 4, 6)
    page = client.get("/ar/health-check").get_data(as_text=True)
    assert 'dir="rtl"' in page.split("<svg", 2)[2][:400]
    points = _points(page)
    assert points[0][1] > points[1][1]  # the oldest check on the right
    domain = _points(page, "body")
    assert domain[0][1] > domain[1][1]


def test_one_check_in_full(client, login):
    resident = login("resident")
    check = checks.record(resident, answers(texts={"higher": "Beter slapen"}, talk=("social",)))
    db.session.commit()
    page = client.get(f"/en/health-check/{check.id}").get_data(as_text=True)
    assert "Beter slapen" in page and "What would make your mark one point higher?" in page
    assert page.count("You want to talk about this with your care provider.") == 1
    assert re.search(r"People around you:</span>\s*<strong[^>]*>8</strong>", page)


def test_someone_elses_check_is_not_found(client, login):
    other = UserFactory(role="resident")
    check = checks.record(other, answers())
    db.session.commit()
    login("resident")
    assert client.get(f"/en/health-check/{check.id}").status_code == 404
    assert client.get(f"/en/health-check/{check.id + 1000}").status_code == 404
    assert client.get("/en/health-check/2147483648").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client):
    for path in ("/en/health-check", "/en/health-check/new", "/en/health-check/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/en/login" in response.location


@pytest.mark.parametrize("role", ["professional", "broker", "admin"])
def test_staff_may_not_open_a_residents_health_check(client, login, role):
    resident = UserFactory(role="resident")
    check = checks.record(resident, answers())
    db.session.commit()
    login(role)
    for path in ("/en/health-check", "/en/health-check/new", f"/en/health-check/{check.id}"):
        assert client.get(path).status_code == 403
    assert client.post("/en/health-check/new", data=GOOD).status_code in (400, 403)
