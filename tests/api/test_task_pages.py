"""GET /api/v1/tasks pages the token's inbox in the database: pages of `size`, the counts, the filters,
and 422 for a page or size out of range — through HTTP on both databases."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ApiSite


def _page(api: ApiSite, query: str, token: str = "orderer") -> dict[str, Any]:
    response = api.call("GET", f"/tasks?{query}", token=token)
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_paging_through_the_inbox_gives_every_task_once_with_the_counts(api: ApiSite) -> None:
    keys = [f"KAI-PAGE-{n}" for n in range(5)]
    started = {api.start(key): key for key in keys}
    pages = [_page(api, f"size=2&page={n}") for n in (1, 2, 3)]
    assert [(p["page"], p["pages"], p["size"], p["total"], p["visible"], len(p["items"])) for p in pages] == [
        (1, 3, 2, 5, 5, 2), (2, 3, 2, 5, 5, 2), (3, 3, 2, 5, 5, 1)]
    seen = [t["instance_id"] for p in pages for t in p["items"]]
    assert sorted(seen) == sorted(started), "every task once, none twice"
    assert _page(api, "size=2&page=40")["page"] == 3, "a page past the end is the last page"
    default = _page(api, "")
    assert (default["page"], default["size"], len(default["items"])) == (1, 20, 5)
    assert _page(api, "size=5", token="other-orderer")["items"] == [], "another region sees none of them"

    one = next(iter(started))
    only = _page(api, f"instance_id={one}")
    assert [t["instance_id"] for t in only["items"]] == [one] and (only["total"], only["visible"]) == (1, 5)
    found = _page(api, "business_key_contains=page-3")
    assert [t["business_key"] for t in found["items"]] == ["KAI-PAGE-3"]
    assert _page(api, "phase=no-such-phase")["total"] == 0


def test_a_page_or_size_out_of_range_is_422_naming_it(sqlite_api: ApiSite) -> None:
    for query, named in [("size=0", "size"), ("size=101", "size"), ("page=0", "page"), ("page=x", "page"),
                         ("size=-1&page=2", "size")]:
        response = sqlite_api.call("GET", f"/tasks?{query}")
        assert response.status_code == 422 and response.mimetype == "application/problem+json", query
        assert list(response.get_json()["errors"]) == [named], query


def test_the_documented_parameters_and_page_schema(sqlite_api: ApiSite) -> None:
    document = sqlite_api.call("GET", "/openapi.json", token=None).get_json()
    operation = document["paths"]["/api/v1/tasks"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["page", "size", "instance_id", "phase",
                                                            "business_key_contains"]
    schema = document["components"]["schemas"]["TaskPage"]
    assert set(schema["required"]) == {"items", "page", "pages", "size", "total", "visible"}
    assert "422" in operation["responses"]
