"""The review app over HTTP (FastAPI TestClient) on SQLite and PostgreSQL: the login gate, CSRF, rate
limiting, roles, the JSON API and its conflicts, visibility rules, translations, security headers."""

from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pipeline.config import Settings
from pipeline.review import i18n, queue, sample
from pipeline.review.app import create_app
from pipeline.store.tables import Decision, User

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
DECISION = {"stance": "support", "asn_verdict": "confirm", "violation": "posting", "outcome": "forward"}


def make_settings(**queue_values) -> Settings:
    s = Settings()
    s.review.secret_key = "test-secret-key-test-secret-key"
    for key, value in {"audit_rate": 0.0, "double_review_rate": 0.0, **queue_values}.items():
        setattr(s.queue, key, value)
    return s


@pytest.fixture
def world(engine):
    sample.seed(engine, n_posts=40)
    settings = make_settings()
    queue.enqueue(settings, engine)
    sample.make_users(engine, 3)
    sample.make_users(engine, 1, role="lead", prefix="lead")
    return settings, engine


def client_for(settings, engine) -> TestClient:
    return TestClient(create_app(settings, engine), base_url="http://127.0.0.1")


def login(client: TestClient, username: str, password: str | None = None):
    page = client.get("/login")
    token = CSRF_FIELD.search(page.text).group(1)
    return client.post(
        "/login",
        data={"username": username, "password": password or f"{username}-password", "csrf_token": token},
        follow_redirects=False,
    )


def csrf(client: TestClient) -> str:
    return client.get("/api/v1/me").json()["csrf_token"]


def all_routes(routes):
    """Every route, looking inside included routers (newer FastAPI keeps them as wrappers)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        yield from all_routes(inner.routes) if inner is not None else [route]


def test_nothing_is_reachable_without_logging_in(world):
    app = create_app(*world)
    client = TestClient(app, base_url="http://127.0.0.1")
    checked = 0
    for route in all_routes(app.routes):
        path = getattr(route, "path", "")
        if path in ("/login",) or path.startswith("/static"):
            continue
        url = path.replace("{item_id}", "1")
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method == "HEAD":
                continue
            r = client.request(method, url, follow_redirects=False)
            if url.startswith("/api/"):
                assert r.status_code == 401, (method, url)
            else:
                assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, url)
            checked += 1
    assert checked >= 20
    for url in ("/docs", "/openapi.json", "/nope", "/api/v1/nope"):
        assert client.get(url, follow_redirects=False).status_code in (303, 401)
    assert client.get("/static/app.css").status_code == 200


def test_login_rate_limit_and_argon2_hashes(world):
    settings, engine = world
    client = client_for(settings, engine)
    assert login(client, "rev01", "wrong-password").status_code == 401
    for _ in range(settings.review.login_attempts_per_minute - 1):
        login(client, "rev01", "wrong-password")
    blocked = login(client, "rev01")  # the right password, but too many tries in the last minute
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    other = client_for(settings, engine)  # a fresh app: another user is not blocked by rev01's tries
    assert login(other, "rev02").status_code == 303
    with engine.connect() as conn:
        hashes = conn.scalars(select(User.password_hash)).all()
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_csrf_is_required_on_every_post(world):
    client = client_for(*world)
    assert login(client, "rev01").status_code == 303
    assert client.post("/queue/next", follow_redirects=False).status_code == 403
    assert (
        client.post("/queue/next", data={"csrf_token": "forged"}, follow_redirects=False).status_code == 403
    )
    assert client.post("/api/v1/queue/claim").status_code == 403
    ok = client.post("/queue/next", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith("/items/")
    # a login form cannot be submitted from another site either
    fresh = client_for(*world)
    forged = fresh.post(
        "/login", data={"username": "rev01", "password": "rev01-password"}, follow_redirects=False
    )
    assert forged.status_code == 403


def test_api_claim_decide_and_conflict_with_a_second_reviewer(world):
    a, b = client_for(*world), client_for(*world)
    login(a, "rev01")
    login(b, "rev02")
    ha, hb = {"X-CSRF-Token": csrf(a)}, {"X-CSRF-Token": csrf(b)}
    claim = a.post("/api/v1/queue/claim", headers=ha).json()
    item_id = claim["item_id"]
    assert a.post("/api/v1/queue/claim", headers=ha).json()["resumed"] is True
    out = a.post(f"/api/v1/items/{item_id}/decision", json=DECISION, headers=ha)
    assert out.status_code == 200 and out.json()["status"] == "decided"
    clash = b.post(f"/api/v1/items/{item_id}/decision", json=DECISION | {"outcome": "dismiss"}, headers=hb)
    assert clash.status_code == 409
    assert clash.json()["detail"]["code"] == "decided" and "rev01" in clash.json()["detail"]["message"]
    bad = a.post(f"/api/v1/items/{item_id}/decision", json=DECISION | {"stance": "maybe"}, headers=ha)
    assert bad.status_code == 422
    view = a.get(f"/api/v1/items/{item_id}").json()
    assert view["item"]["outcome"] == "forward" and view["my_decision"]["stance"] == "support"
    assert view["evidence"]["sha256"] and view["record"]["nama"]
    assert a.get("/api/v1/items/999999").status_code == 404


def test_the_openapi_schema_describes_the_api(world):
    client = client_for(*world)
    login(client, "rev01")
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/v1/queue/claim", "/api/v1/items/{item_id}/decision", "/api/v1/items/{item_id}/adjudication",
            "/api/v1/agreement"} <= set(paths)  # fmt: skip
    decision = paths["/api/v1/items/{item_id}/decision"]["post"]
    assert "409" in decision["responses"]
    body = schema["components"]["schemas"]["DecisionIn"]["properties"]
    assert set(body["stance"]["enum"]) == {"support", "oppose", "neutral", "unrelated"}
    assert not any(p.startswith(("/queue", "/items", "/login")) for p in paths)  # pages stay out of it


def test_roles_keep_reviewers_out_of_lead_pages(world):
    reviewer, lead = client_for(*world), client_for(*world)
    login(reviewer, "rev01")
    login(lead, "lead01")
    for url in ("/progress", "/agreement", "/adjudication", "/api/v1/progress", "/api/v1/agreement"):
        assert reviewer.get(url).status_code == 403, url
        assert lead.get(url).status_code == 200, url
    assert "rev01" in lead.get("/progress").text


def test_reviewers_label_double_items_blind_to_each_other(engine):
    sample.seed(engine, n_posts=40)
    settings = make_settings(double_review_rate=1.0)
    queue.enqueue(settings, engine)
    sample.make_users(engine, 2)
    a, b = client_for(settings, engine), client_for(settings, engine)
    login(a, "rev01")
    login(b, "rev02")
    ha, hb = {"X-CSRF-Token": csrf(a)}, {"X-CSRF-Token": csrf(b)}
    item_id = a.post("/api/v1/queue/claim", headers=ha).json()["item_id"]
    assert b.post("/api/v1/queue/claim", headers=hb).json()["item_id"] == item_id
    a.post(f"/api/v1/items/{item_id}/decision", json=DECISION, headers=ha)
    seen = b.get(f"/api/v1/items/{item_id}").json()
    assert seen["decisions"] == [] and seen["hidden_decisions"] == 1
    assert "rev01" not in b.get(f"/items/{item_id}").text
    b.post(f"/api/v1/items/{item_id}/decision", json=DECISION | {"stance": "oppose"}, headers=hb)
    seen = b.get(f"/api/v1/items/{item_id}").json()
    assert [d["username"] for d in seen["decisions"]] == ["rev01", "rev02"]
    assert seen["item"]["status"] == "adjudication"


def test_interface_speaks_indonesian_with_english_as_an_option(world):
    assert set(i18n.catalog("id")) == set(i18n.catalog("en"))
    client = client_for(*world)
    assert "Masuk" in client.get("/login").text
    login(client, "rev01")
    page = client.get("/queue")
    assert "Antrean saya" in page.text and 'lang="id"' in page.text
    switched = client.post("/lang", data={"lang": "en", "next": "/queue", "csrf_token": csrf(client)})
    assert "My queue" in switched.text and 'lang="en"' in switched.text
    with world[1].connect() as conn:
        assert conn.scalar(select(User.language).where(User.username == "rev01")) == "en"
    # every label value has a translation in both languages
    from pipeline.review.labels import CHOICES

    for lang in i18n.LANGUAGES:
        for field, values in CHOICES.items():
            assert all(i18n.label(lang, field, v) != f"{field}.{v}" for v in values)


def test_security_headers_and_no_open_redirect(world):
    client = client_for(*world)
    page = client.get("/login?next=https://evil.example/")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    token = CSRF_FIELD.search(page.text).group(1)
    r = client.post(
        "/login",
        data={
            "username": "rev01",
            "password": "rev01-password",
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/queue"
    assert "<script>" not in client.get("/queue").text.replace('<script src="/static/', "")


def test_item_page_shows_post_asn_record_scores_and_words(world):
    settings, engine = world
    client = client_for(settings, engine)
    login(client, "rev01")
    r = client.post("/queue/next", data={"csrf_token": csrf(client)})
    html = r.text
    assert r.status_code == 200 and 'id="decision-form"' in html
    assert re.search(r'id="nip">\d{18}<', html)
    for needle in ("Kabupaten Tanjung Sari", "<mark", "<meter", "example.invalid", 'data-key="1"'):
        assert needle in html, needle
    # keys are unique within the form
    keys = re.findall(r'data-key="([^"]+)"', html)
    assert len(keys) == len(set(keys))


@pytest.mark.slow
def test_twenty_reviewers_through_the_app_lose_no_decision(engine):
    sample.seed(engine, n_posts=100)
    settings = make_settings(double_review_rate=0.3)
    queue.enqueue(settings, engine)
    users = sample.make_users(engine, 20)
    app = create_app(settings, engine)
    saved: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(users))

    def work(username: str) -> None:
        try:
            client = TestClient(app, base_url="http://127.0.0.1")
            login(client, username)
            headers = {"X-CSRF-Token": csrf(client)}
            barrier.wait()
            while (claim := client.post("/api/v1/queue/claim", headers=headers)).status_code == 200:
                item_id = claim.json()["item_id"]
                out = client.post(f"/api/v1/items/{item_id}/decision", json=DECISION, headers=headers)
                assert out.status_code == 200, out.text
                saved.append((item_id, username))
            assert claim.status_code == 204, claim.text
        except BaseException as exc:  # reported below, failing the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u.username,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    with engine.connect() as conn:
        rows = conn.execute(
            select(Decision.item_id, User.username).join(User, User.id == Decision.reviewer_id)
        )
        stored = Counter(tuple(r) for r in rows)
    assert Counter(saved) == stored and max(stored.values()) == 1
    state = queue.queue_state(engine)
    assert state["new"] == state["in_review"] == 0 and state["decided"] == state["total"]
