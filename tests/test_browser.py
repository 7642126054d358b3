"""The page at ``/`` in headless Debian Chromium, driven by Playwright, against a real uvicorn server.

Needs ``/usr/bin/chromium`` (Debian's ``chromium``, installed by scripts/setup.sh) and the ``playwright``
package; Playwright's own browser download is never used. ``UNSPIN_SCREENSHOT=1`` (or a missing
``docs/serve.png``) also saves the README's screenshot.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("headless browser tests need /usr/bin/chromium (Debian package chromium; scripts/setup.sh installs it)", allow_module_level=True)
pytest.importorskip("fastapi", reason="the serve extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

import unspin  # noqa: E402
from unspin.serve import Settings  # noqa: E402
from unspin.serve.server import serving  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SPUN = "The results are as pursues: crude information from the Center East shows the White Home was right."
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def base_url(kn) -> Iterator[str]:
    """One real server for the module, on a free loopback port."""
    with serving(Settings()) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator["sync_api.Browser"]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: "sync_api.Browser", base_url: str) -> Iterator["sync_api.Page"]:
    """A fresh page on ``/`` that records dialogs and script errors (``page.dialogs``, ``page.errors``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(base_url + "/")
    yield page
    assert page.errors == []
    context.close()


def check(page: "sync_api.Page", text: str) -> list[str]:
    """Paste ``text``, press Check, wait for the answer; the highlighted phrases."""
    page.fill("#input", text)
    page.click("#check")
    page.wait_for_selector("#results:not([hidden])", timeout=60_000)
    return page.locator("#doc mark.finding").all_inner_texts()


def row(page: "sync_api.Page", found: str) -> "sync_api.Locator":
    return page.locator("#findings tbody tr", has=page.locator("td:nth-child(2)", has_text=found))


def test_check_accept_reject_and_restore(page: "sync_api.Page", tmp_path: Path) -> None:
    marks = check(page, SPUN)
    assert marks == ["as pursues", "crude information", "Center East", "White Home"]
    assert page.inner_text("#score-value") == f"{unspin.check(SPUN).spin_score:.2f}"  # the library's score
    assert page.locator("#doc mark.conf-high").count() >= 1  # coloured by confidence
    # suggestions start applied; the restored text follows the library's restore
    assert page.inner_text("#restored") == "The results are as follows: raw data from the Middle East shows the White House was right."

    # hover: the evidence and suggestions; click: choose one of them
    page.hover("#doc mark:has-text('Center East')")
    assert "can stand for" in page.inner_text("#popover")
    page.click("#doc mark:has-text('Center East')")
    page.click("#popover button.suggestion:has-text('Middle East')")
    assert row(page, "Center East").locator(".status").inner_text() == "accepted"

    # choose the second of the top-k in the table, reject another from the popover
    crude = row(page, "crude information")
    second = crude.locator("select option").nth(1).inner_text().rsplit(" (", 1)[0]
    crude.locator("select").select_option(index=1)
    page.click("#doc mark:has-text('White Home')")
    page.click("#popover button.keep")
    page.keyboard.press("Escape")
    assert page.inner_text("#restored") == f"The results are as follows: {second} from the Middle East shows the White Home was right."
    assert page.locator("#doc mark.is-rejected").all_inner_texts() == ["White Home"]
    stats = page.inner_text("#stats")
    assert "accepted\n2" in stats.lower() and "rejected\n1" in stats.lower()

    page.screenshot(path=tmp_path / "serve.png", full_page=True)
    readme_shot = ROOT / "docs" / "serve.png"
    if os.environ.get("UNSPIN_SCREENSHOT") == "1" or not readme_shot.exists():
        readme_shot.parent.mkdir(exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 1400})  # room for the popover below its phrase
        page.click("#doc mark:has-text('crude information')")  # show the popover in the picture
        page.screenshot(path=readme_shot, full_page=True)

    # all at once, then the copy and the download carry the restored text
    page.click("#reject-all")
    assert page.inner_text("#restored") == SPUN
    page.click("#accept-all")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#copy")
    sync_api.expect(page.locator("#toast")).to_have_text("Restored text copied")
    assert page.evaluate("navigator.clipboard.readText()") == page.inner_text("#restored")
    with page.expect_download() as download:
        page.click("#download")
    assert Path(download.value.path()).read_text(encoding="utf-8") == page.inner_text("#restored")
    assert download.value.suggested_filename == "text-restored.txt"


def test_hostile_text_is_shown_not_run(page: "sync_api.Page") -> None:
    hostile = "<script>alert(1)</script> <img src=x onerror=\"alert(2)\"> The results are as pursues: <b onmouseover=alert(3)>bold</b> the Center East."
    title = page.title()
    marks = check(page, hostile)
    assert "as pursues" in marks
    page.hover("#doc mark:has-text('as pursues')")
    assert page.inner_text("#doc").startswith("<script>alert(1)</script> <img src=x")
    assert "<img src=x onerror=\"alert(2)\">" in page.inner_text("#restored")
    for where in ("#doc", "#restored", "#popover", "#findings"):
        assert page.locator(f"{where} script, {where} img, {where} b").count() == 0, where
    page.wait_for_timeout(300)
    assert page.dialogs == [] and page.title() == title


def test_offsets_with_characters_outside_the_bmp(page: "sync_api.Page") -> None:
    marks = check(page, "🌲𝔘🌲 " + SPUN)
    assert marks == ["as pursues", "crude information", "Center East", "White Home"]
    assert page.inner_text("#restored").startswith("🌲𝔘🌲 The results are as follows: raw data")


def test_upload_a_file_and_bad_input(page: "sync_api.Page", tmp_path: Path) -> None:
    good = tmp_path / "article.txt"
    good.write_text(SPUN, encoding="utf-8")
    page.set_input_files("#file", str(good))
    page.wait_for_selector("#doc mark.finding", timeout=60_000)
    assert page.input_value("#input") == SPUN
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    page.set_input_files("#file", str(latin1))
    page.wait_for_selector("#error:not([hidden])")
    assert "not UTF-8" in page.inner_text("#error")
    page.fill("#input", "   ")
    page.click("#check")
    assert "Paste a text" in page.inner_text("#error")
    page.fill("#input", "binary\x00data " * 3)
    page.click("#check")
    sync_api.expect(page.locator("#error")).to_contain_text("input looks binary", timeout=30_000)


def test_article_follows_the_chosen_suggestion(page: "sync_api.Page") -> None:
    text = "The results are as pursues: a crude information from the Center East."
    assert "crude information" in check(page, text)
    select = row(page, "crude information").locator("select")
    options = [o.rsplit(" (", 1)[0] for o in select.locator("option").all_inner_texts()]
    vowel = next((k for k, o in enumerate(options) if o[0].lower() in "aeiou"), None)
    if vowel is None or options[0][0].lower() in "aeiou":
        pytest.skip(f"need a consonant first and a vowel later among {options}")
    select.select_option(index=vowel)
    assert f": an {options[vowel]} from" in page.inner_text("#restored")
    select.select_option(index=0)
    assert f": a {options[0]} from" in page.inner_text("#restored")
