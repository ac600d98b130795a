"""Route-map files: validated at start-up and by `flask content check`, naming file, step and field."""

from __future__ import annotations

import logging
import shutil
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest
import yaml
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import Programme
from portal.services.content_errors import ContentError
from portal.services.routekaarten.checks import DatabaseReferences, check_content, content_warnings, reference_errors
from portal.services.routekaarten.content import EXTENSION_KEY
from portal.services.routekaarten.reading import load_route_maps
from portal.services.seed.demo import load_demo
from tests.conftest import base_config

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content" / "routekaarten"
DEMO = ROOT / "content" / "demo"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "routekaarten"
STEP_IDS = ["signaleren", "gesprek", "toeleiding", "aanbod", "terugkoppeling"]


def content_root(tmp_path: Path, mutate=None, *, extra: tuple[Path, ...] = (), name: str = "content") -> Path:
    """A content directory with the shipped route maps (meer-bewegen.yaml changed by `mutate`) plus `extra` files."""
    root = tmp_path / name
    target = root / "routekaarten"
    target.mkdir(parents=True)
    for source in (*SHIPPED.glob("*.yaml"), *extra):
        shutil.copy(source, target)
    if mutate:
        path = target / "meer-bewegen.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        mutate(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture
def demo(app):
    """The demo neighbourhood in the test database."""
    load_demo(DEMO, date.today())


def _check(new_app):
    """Run `flask content check` against `new_app` (the CLI reuses an app context that is already pushed)."""
    with new_app.app_context():
        return new_app.test_cli_runner().invoke(args=["content", "check"])


# --------------------------------------------------------------------------- the shipped files


def test_shipped_route_maps_are_valid_and_complete_in_four_languages():
    catalogue = load_route_maps(SHIPPED)
    assert [route_map.slug for route_map in catalogue.maps] == ["meer-bewegen", "vitale-kinderen"]
    for route_map in catalogue.maps:
        assert [step.id for step in route_map.steps] == STEP_IDS
        assert len(route_map.offers) >= 5
        assert route_map.illustrative_note is not None
    assert content_warnings(catalogue) == []  # every text is written in nl, en, tr and ar


def test_shipped_route_maps_name_only_demo_programmes_and_organisations():
    data = yaml.safe_load((DEMO / "overvecht.yaml").read_text(encoding="utf-8"))
    references = DatabaseReferences(
        MappingProxyType({item["slug"]: "published" for item in data["programmes"]}),
        frozenset(item["slug"] for item in data["organisations"]),
    )
    assert reference_errors(load_route_maps(SHIPPED), references) == []


def test_content_check_passes_on_the_demo(demo, runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "Route maps OK: meer-bewegen (5 steps, 7 offers), vitale-kinderen (5 steps, 6 offers)." in result.output


def test_the_app_keeps_the_parsed_maps_read_only(app):
    catalogue = app.extensions[EXTENSION_KEY]
    route_map = catalogue.get("meer-bewegen")
    with pytest.raises(AttributeError):
        route_map.slug = "x"
    with pytest.raises(TypeError):
        route_map.title.texts["nl"] = "x"
    assert catalogue.get("bestaat-niet") is None


# --------------------------------------------------------------------------- broken files


def _set(mapping: dict, key: str, value):
    mapping[key] = value


BROKEN = {
    "missing Dutch title": (
        lambda d: d["steps"][1]["title"].pop("nl"),
        ["meer-bewegen.yaml", "step 'gesprek'", "title.nl", "Dutch text is missing"],
    ),
    "empty Dutch reason": (
        lambda d: _set(d["steps"][3]["offers"][0]["reasons"]["motivatie"], "nl", "   "),
        ["meer-bewegen.yaml", "step 'aanbod'", "offers[0].reasons.motivatie.nl", "Dutch text is missing"],
    ),
    "missing Dutch map summary": (
        lambda d: d["summary"].pop("nl"),
        ["meer-bewegen.yaml", "map.summary.nl", "Dutch text is missing"],
    ),
    "duplicate step id": (
        lambda d: _set(d["steps"][2], "id", "signaleren"),
        ["meer-bewegen.yaml", "step 'signaleren'", "steps[2]", ".id", "used twice", "steps[0]"],
    ),
    "unknown level": (
        lambda d: _set(d["steps"][3]["offers"][1]["levels"], "motivatie", ["midden", "zeer-hoog"]),
        ["meer-bewegen.yaml", "step 'aanbod'", "offers[1].levels.motivatie", "'zeer-hoog'"],
    ),
    "missing dimension": (
        lambda d: d["steps"][3]["offers"][0]["levels"].pop("zelfredzaamheid"),
        ["meer-bewegen.yaml", "step 'aanbod'", "offers[0].levels.zelfredzaamheid", "is missing"],
    ),
    "misspelt field": (
        lambda d: _set(d["steps"][0], "titel", {"nl": "Signaleren"}),
        ["meer-bewegen.yaml", "step 'signaleren'.titel", "unknown field"],
    ),
    "unknown language": (
        lambda d: _set(d["summary"], "de", "Mehr Bewegung"),
        ["meer-bewegen.yaml", "map.summary", "unknown languages ['de']"],
    ),
    "text that is not text": (
        lambda d: _set(d["steps"][4]["text"], "en", 5),
        ["meer-bewegen.yaml", "step 'terugkoppeling'", "text.en", "expected text"],
    ),
    "slug that is not a slug": (
        lambda d: _set(d["steps"][3]["offers"][2], "programme", "Diabetes Challenge"),
        ["meer-bewegen.yaml", "step 'aanbod'", "offers[2].programme", "'Diabetes Challenge'"],
    ),
    "offer listed twice": (
        lambda d: _set(d["steps"][3]["offers"][1], "programme", "beweegconsult"),
        ["meer-bewegen.yaml", "step 'aanbod'", "offers[1].programme", "listed twice"],
    ),
    "unknown organisation kind": (
        lambda d: _set(d["steps"][0]["roles"][0], "kind", "huisarts"),
        ["meer-bewegen.yaml", "step 'signaleren'", "roles[0].kind", "'huisarts'"],
    ),
    "kind and organisations": (
        lambda d: _set(d["steps"][0]["roles"][0], "organisations", ["huisartsenpraktijk-zamenhof"]),
        ["meer-bewegen.yaml", "step 'signaleren'", "roles[0].organisations", "not both"],
    ),
    "unknown icon": (
        lambda d: _set(d["steps"][0], "icon", "oog"),
        ["meer-bewegen.yaml", "step 'signaleren'", "icon", "'oog'"],
    ),
    "no steps": (lambda d: _set(d, "steps", []), ["meer-bewegen.yaml", "map.steps", "at least one step"]),
    "step without id": (
        lambda d: d["steps"][1].pop("id"),
        ["meer-bewegen.yaml", "steps[1].id", "is missing"],
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_stops_start_up_naming_file_step_and_field(case, make_app, tmp_path):
    mutate, expected = BROKEN[case]
    root = content_root(tmp_path, mutate)
    with pytest.raises(ContentError) as raised:
        make_app(root)
    for text in expected:
        assert text in str(raised.value), (case, str(raised.value))


@pytest.mark.parametrize("case", ["missing Dutch title", "duplicate step id", "unknown level"])
def test_content_check_fails_on_a_file_broken_after_start_up(case, make_app, tmp_path):
    root = content_root(tmp_path)
    new = make_app(root)
    broken = content_root(tmp_path, BROKEN[case][0], name="broken")
    shutil.copy(broken / "routekaarten" / "meer-bewegen.yaml", root / "routekaarten" / "meer-bewegen.yaml")
    result = _check(new)
    assert result.exit_code != 0
    for text in BROKEN[case][1]:
        assert text in result.output, (case, result.output)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: [not closed\n", "line"),
        ("- just\n- a list\n", "expected a mapping"),
        ("title:\n  nl: Een\n  nl: Twee\n", "given twice"),
        ("\x00", "cannot be read as YAML"),
    ],
)
def test_malformed_yaml_is_refused_naming_the_file(text, expected, make_app, tmp_path):
    root = content_root(tmp_path)
    (root / "routekaarten" / "kapot.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        make_app(root)
    assert "kapot.yaml" in str(raised.value) and expected in str(raised.value)
    with pytest.raises(ContentError):
        check_content(root / "routekaarten")


def test_a_file_name_that_is_not_a_slug_is_refused(make_app, tmp_path):
    root = content_root(tmp_path)
    shutil.copy(SHIPPED / "meer-bewegen.yaml", root / "routekaarten" / "Meer Bewegen.yaml")
    with pytest.raises(ContentError, match="Meer Bewegen.yaml: file name"):
        make_app(root)


# --------------------------------------------------------------------------- slugs against the database


def _unknown_programme(data: dict) -> None:
    data["steps"][3]["offers"][2]["programme"] = "bestaat-niet"


def test_an_unknown_programme_slug_stops_start_up_once_programmes_exist(demo, make_app, tmp_path):
    root = content_root(tmp_path, _unknown_programme)
    with pytest.raises(ContentError) as raised:
        make_app(root)
    message = str(raised.value)
    for text in ("meer-bewegen.yaml", "step 'aanbod'", "offers[2].programme", "'bestaat-niet'", "names no programme"):
        assert text in message, message


def test_without_programmes_start_up_skips_the_slug_check_with_a_warning(make_app, tmp_path, caplog):
    root = content_root(tmp_path, _unknown_programme)
    with caplog.at_level(logging.WARNING, logger="portal.services.routekaarten.content"):
        new = make_app(root)
    assert "no programmes yet" in caplog.text
    assert new.extensions[EXTENSION_KEY].get("meer-bewegen") is not None


def test_content_check_always_checks_the_slugs(make_app, tmp_path):
    def _unknown_organisation(data: dict) -> None:
        _unknown_programme(data)
        data["steps"][0]["roles"][2]["organisations"] = ["geen-organisatie"]

    new = make_app(content_root(tmp_path, _unknown_organisation))  # empty database: start-up only warns
    with new.app_context():
        load_demo(DEMO, date.today())
    result = _check(new)
    assert result.exit_code != 0
    assert "meer-bewegen.yaml: step 'aanbod'.offers[2].programme: 'bestaat-niet' names no programme" in result.output
    assert (
        "meer-bewegen.yaml: step 'signaleren'.roles[2].organisations[0]: 'geen-organisatie' names no organisation"
        in result.output
    )


def test_content_check_on_a_database_without_tables_fails_but_start_up_works(make_app, tmp_path):
    """`flask db upgrade` on a fresh install must be able to start the app; the check still says what is wrong."""
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    new = make_app(content_root(tmp_path), SQLALCHEMY_DATABASE_URI=fresh, SQLALCHEMY_ENGINE_OPTIONS={})
    result = _check(new)
    assert result.exit_code != 0
    assert "does not exist yet" in result.output


def test_an_unreachable_database_at_start_up_is_only_a_warning(tmp_path, caplog):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    with caplog.at_level(logging.WARNING, logger="portal.services.routekaarten.content"):
        new = create_app(base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": unreachable})
    assert "could not be read" in caplog.text
    assert "127.0.0.1" not in caplog.text
    result = _check(new)
    assert result.exit_code != 0 and "cannot be read" in result.output


def test_content_check_warns_about_missing_translations(demo, make_app, tmp_path):
    root = content_root(tmp_path, lambda d: d["steps"][0]["title"].pop("tr"))
    result = _check(make_app(root))
    assert result.exit_code == 0, result.output
    assert "warning: meer-bewegen.yaml: step 'signaleren'.title: no text in tr (Dutch is shown)" in result.output


# --------------------------------------------------------------------------- a third map, no code change


def test_a_third_route_map_appears_by_adding_a_file(demo, make_app, tmp_path):
    root = content_root(tmp_path, extra=(FIXTURES / "ouder-en-fit.yaml",))
    new = make_app(root)
    client = new.test_client()

    overview = client.get("/en/routekaarten").get_data(as_text=True)
    assert overview.index("Meer Bewegen") < overview.index("Vitale Kinderen") < overview.index("Older and fit")
    assert 'href="/en/routekaarten/ouder-en-fit"' in overview

    response = client.get("/en/routekaarten/ouder-en-fit?motivatie=midden")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Older and fit" in html and "Strong and Steady" in html
    assert "<strong>afraid of falling</strong>" in html
    assert '<div class="wp-route__text" lang="nl" dir="ltr"><p>Oefenen in een groep.</p>' in html  # Dutch fallback
    assert "Fysiotherapie Tigris" in html  # the physio role, from the database

    result = _check(new)
    assert result.exit_code == 0, result.output
    assert "ouder-en-fit (2 steps, 1 offer)" in result.output


def test_no_route_map_directory_means_no_route_maps(make_app, tmp_path):
    new = make_app(tmp_path / "nothing-here")
    assert new.extensions[EXTENSION_KEY].maps == ()
    response = new.test_client().get("/en/routekaarten")
    assert response.status_code == 200
    assert "There are no route maps yet." in response.get_data(as_text=True)
    assert new.test_client().get("/en/routekaarten/meer-bewegen").status_code == 404


def test_content_check_fails_while_a_route_map_names_an_archived_programme(demo, make_app, tmp_path):
    new = make_app(content_root(tmp_path))
    with new.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep-park-de-gagel"))
        programme.status = "archived"
        db.session.commit()
    result = _check(new)
    assert result.exit_code != 0
    assert "meer-bewegen.yaml: step " in result.output
    assert "'wandelgroep-park-de-gagel' is archived" in result.output
    assert make_app(content_root(tmp_path, name="again")) is not None  # the portal still starts
    with new.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep-park-de-gagel"))
        programme.status = "published"
        db.session.commit()
    assert _check(new).exit_code == 0


def test_a_draft_programme_in_a_route_map_is_only_a_warning():
    catalogue = load_route_maps(SHIPPED)
    slugs = {offer.programme for m in catalogue.maps for step in m.steps for offer in step.offers}
    references = DatabaseReferences(
        MappingProxyType(dict.fromkeys(slugs, "published") | {"in-beweging": "draft"}), frozenset()
    )
    assert content_warnings(catalogue, references)
    assert "in-beweging" in " ".join(content_warnings(catalogue, references))
