"""The list's later pages and its searches send the same SQL statements with a small and a five-times-larger map.

The same data as tests/test_public_page_queries.py; here the pages a search or a page number makes, whose
matches grow with the data (every summary holds 'kort'). More statements after growing means a query per
programme or per match; the ranked search must stay one statement for the page and its count."""

from __future__ import annotations

from portal.config import LANGUAGES
from tests.support.queries import count_queries
from tests.test_public_page_queries import _grow, _small_map, app  # noqa: F401  (app: the page-cache-off fixture)

PAGES = {
    "list page 2": "/{lang}/programmes?page=2",
    "past the last page": "/{lang}/programmes?page=99",
    "search": "/{lang}/programmes?q=kort",
    "search page 2": "/{lang}/programmes?q=kort&page=2",
    "two words": "/{lang}/programmes?q=activiteit+kort",
    "typo": "/{lang}/programmes?q=activitiet",
    "category word": "/{lang}/programmes?q=bewegen",
    "search and filters": "/{lang}/programmes?q=kort&category=ontmoeten&day=tue&cost=free",
    "nothing found": "/{lang}/programmes?q=xyzzy",
}


def _statements(client) -> dict[str, int]:
    counts = {}
    for lang in LANGUAGES:
        for name, pattern in PAGES.items():
            url = pattern.format(lang=lang)
            assert client.get(url).status_code == 200, url  # first: templates compiled
            with count_queries() as statements:
                assert client.get(url).status_code == 200, url
            counts[f"{name} ({lang})"] = len(statements)
    return counts


def test_list_and_search_pages_send_the_same_statements_with_five_times_the_data(client):
    _small_map()
    small = _statements(client)
    found_small = client.get("/nl/programmes?q=kort").get_data(as_text=True)
    _grow()
    large = _statements(client)
    found_large = client.get("/nl/programmes?q=kort").get_data(as_text=True)

    assert {page: (small[page], large[page]) for page in small if small[page] != large[page]} == {}
    assert found_small.count('class="wp-card"') == found_large.count('class="wp-card"') == 20
    assert found_small != found_large  # the premise: the search found more after growing (its count shows it)
