"""The review app in headless Chromium, on SQLite and PostgreSQL: log in, claim, decide by keyboard,
adjudicate, and a second reviewer cannot overwrite the first's decision (the conflict is shown, not lost)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from pipeline.schema import utcnow
from pipeline.store.tables import Adjudication, Assignment, Decision, ReviewItem

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ITEM_URL = re.compile(r"/items/(\d+)")


def item_id_of(page) -> int:
    return int(ITEM_URL.search(page.url).group(1))


def next_item(page, previous: int | None = None) -> int:
    """Wait until a new item's page has been swapped in and settled (htmx), ready for keys."""
    page.wait_for_url(lambda url: (m := ITEM_URL.search(url)) is not None and int(m.group(1)) != previous)
    item_id = item_id_of(page)
    page.locator(f"#decision-form[action='/items/{item_id}/decision']").wait_for()
    # (polled from here: wait_for_function evaluates strings in the page, which the app's CSP forbids)
    # htmx settles the swapped page a moment later and app.js then blurs whatever has focus: a key
    # pressed before that (e.g. "i" into the target field) would lose its focus. Wait for the settle.
    settled = (
        "() => !document.querySelector('.htmx-settling, .htmx-swapping, .htmx-added')"
        " && (!document.activeElement || document.activeElement === document.body)"
    )
    for _ in range(100):
        if page.evaluate(settled):
            break
        page.wait_for_timeout(50)
    return item_id


def left_item(page, item_id: int) -> None:
    """Wait until the page is no longer item ``item_id``'s (its id parsed, not searched for as text:
    "2" is in every "127.0.0.1" URL and "/items/1" in "/items/12", which made this wait time out)."""
    page.wait_for_url(lambda url: (m := ITEM_URL.search(url)) is None or int(m.group(1)) != item_id)


def decisions(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(Decision).order_by(Decision.id)).all()


def test_log_in_claim_and_decide_by_keyboard(live_factory, context_factory):
    live = live_factory()
    page = context_factory().new_page()
    page.goto(f"{live.url}/items/1")
    assert "/login" in page.url  # nothing without logging in
    page.fill("#username", "rev01")
    page.fill("#password", "wrong-password")
    page.click("#login-submit")
    page.locator("#error").wait_for()
    live.login(page, "rev01")
    assert page.locator("h1").inner_text() == "Antrean saya"

    page.keyboard.press("Enter")  # "take the next item"
    first = next_item(page)
    for key in ("2", "y", "s", "f"):  # oppose, confirmed ASN, photo with candidate, forward
        page.keyboard.press(key)
    page.keyboard.press("i")  # jump into the target field, type, leave it with Escape
    # Type only once the field has focus: on a loaded machine the letters would otherwise reach the
    # page's shortcuts ("s", "l" are decisions) instead of the field.
    expect(page.locator("#target")).to_be_focused()
    page.keyboard.type("Paslon 01")
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    expect(page.locator("#note")).to_be_focused()
    page.keyboard.type("foto dengan gestur satu jari")
    page.keyboard.press("Control+Enter")  # save from inside the note field
    second = next_item(page, first)

    for key in ("3", "z", "0", "b"):  # neutral, unsure, no violation, dismiss
        page.keyboard.press(key)
    assert page.locator("#stance-neutral").is_checked() and page.locator("#outcome-dismiss").is_checked()
    page.keyboard.press("Enter")
    left_item(page, second)

    page.keyboard.press("k")  # skip the third item: it goes back to the queue
    page.wait_for_url(lambda url: "/queue" in url or ITEM_URL.search(url) is not None)

    rows = decisions(live.engine)
    assert [(d.item_id, d.stance, d.asn_verdict, d.violation, d.outcome) for d in rows] == [
        (first, "oppose", "confirm", "photo_with_candidate", "forward"),
        (second, "neutral", "unsure", "none", "dismiss"),
    ]
    assert rows[0].target == "Paslon 01" and rows[0].note == "foto dengan gestur satu jari"


def test_a_second_reviewer_cannot_overwrite_the_first(live_factory, context_factory):
    live = live_factory()
    a, b = context_factory().new_page(), context_factory().new_page()
    live.login(a, "rev01")
    live.login(b, "rev02")
    a.click("#next")
    item_id = next_item(a)
    # A's lease runs out while A is still thinking; B is handed the same item and decides first.
    with live.engine.begin() as conn:
        conn.execute(
            update(Assignment)
            .where(Assignment.item_id == item_id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    b.click("#next")
    assert next_item(b) == item_id
    for key in ("1", "y", "q", "f"):
        b.keyboard.press(key)
    b.keyboard.press("Enter")
    left_item(b, item_id)

    for key in ("3", "y", "0", "b"):  # A, unaware, decides the opposite
        a.keyboard.press(key)
    a.keyboard.press("Enter")
    error = a.locator("#error")
    error.wait_for()
    assert error.get_attribute("data-status") == "409" and "rev02" in error.inner_text()
    # A's input is still on screen, not lost
    assert (
        a.locator("#draft-stance-neutral").is_checked() and a.locator("#draft-outcome-dismiss").is_checked()
    )
    rows = decisions(live.engine)
    assert [(d.item_id, d.stance, d.outcome) for d in rows] == [(item_id, "support", "forward")]

    # and opening the decided item directly offers no form to a third reviewer
    c = context_factory().new_page()
    live.login(c, "rev03")
    c.goto(f"{live.url}/items/{item_id}")
    assert c.locator("#decision-form").count() == 0
    assert c.locator("#status").inner_text() == "diputuskan"


def test_disagreement_goes_to_a_lead_who_adjudicates(live_factory, context_factory):
    live = live_factory(double_review_rate=1.0)
    a, b, lead = (context_factory().new_page() for _ in range(3))
    live.login(a, "rev01")
    live.login(b, "rev02")
    a.click("#next")
    b.click("#next")
    item_id = next_item(a)
    assert next_item(b) == item_id  # the overlap item goes to both
    for key in ("1", "y", "q", "f"):
        a.keyboard.press(key)
    a.keyboard.press("Enter")
    for key in ("3", "y", "0", "b"):
        b.keyboard.press(key)
    b.keyboard.press("Enter")
    left_item(b, item_id)

    live.login(lead, "lead01")
    lead.click("text=Adjudikasi")
    lead.locator("#disputed").wait_for()
    lead.click(f"#disputed a[href='/items/{item_id}']")
    lead.wait_for_url(f"**/items/{item_id}")
    lead.click("button.take >> nth=0")  # take rev01's labels ...
    lead.keyboard.press("s")  # ... but the photo makes it a photo-with-candidate case
    lead.keyboard.press("Enter")
    lead.wait_for_url("**/adjudication?done=*")
    assert lead.locator("#adjudicated").is_visible()
    with live.engine.connect() as conn:
        item = conn.execute(select(ReviewItem).where(ReviewItem.id == item_id)).one()
        adj = conn.execute(select(Adjudication).where(Adjudication.item_id == item_id)).one()
    assert item.status == "decided" and item.outcome == "forward" and item.final["source"] == "adjudicated"
    assert (adj.stance, adj.violation) == ("support", "photo_with_candidate")


@pytest.mark.parametrize("width,height,name", [(1366, 768, "laptop"), (390, 844, "phone")])
def test_item_page_fits_laptop_and_phone(
    live_factory, context_factory, width, height, name, tmp_path, store_url
):
    live = live_factory()
    ctx = context_factory(width, height, device_scale_factor=1, is_mobile=width < 500, has_touch=width < 500)
    page = ctx.new_page()
    live.login(page, "rev01")
    page.click("#next")
    next_item(page)
    # nothing wider than the screen: no sideways scrolling on a phone
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # every choice is big enough to tap on a phone (and to hit with a mouse on a laptop)
    sizes = page.eval_on_selector_all("label.choice", "els => els.map(e => e.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= (40 if width < 900 else 32)
    shots = Path(os.environ.get("NETRA_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    if "postgres" not in str(store_url):
        page.screenshot(path=str(shots / f"item-{name}.png"), full_page=True)
        page.locator("#h-decide").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"item-{name}-decision.png"))
    # the save button is on screen without scrolling to it (fixed bar on phones, sticky on laptops)
    box = page.locator("#submit").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height
