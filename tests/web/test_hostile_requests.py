"""What a tampered address or form gets from the real server: a Vietnamese page with the
right status, the bad field named, nothing written, and never text of the address shown
as the application's own words."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

from tests.web.conftest import Site, sign_in

NewPage = Callable[[], Page]
HUGE = "99999999999999999999"


def _csrf(page: Page) -> str:
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    assert token
    return token


def _events(site: Site) -> int:
    return int(site.db.sql("SELECT count(*) FROM audit_event")[0][0])


def test_numbers_too_large_and_malformed_pages_are_named_not_faults(
    new_page: NewPage, site: Site
) -> None:
    page = new_page()
    sign_in(page, site, "cv_duk")
    for address in (f"/ho-so/{HUGE}", f"/ho-so/{HUGE}/ghi/giay-chung-nhan"):
        answer = page.request.get(address)
        assert answer.status == 404, address
        assert "Mã lỗi" not in answer.text()
    answer = page.request.get("/ho-so/1/ghi/khong-co-bieu-mau")
    assert answer.status == 404 and "Không có trang này" in answer.text()
    answer = page.request.get("/ho-so?trang=abc&giai_doan=xyz&han=abc")
    assert answer.status == 400
    said = answer.text()
    assert all(field in said for field in ("Trang", "Bước", "Tình trạng hạn")), said
    listed = page.request.get(f"/ho-so?trang={HUGE}")
    assert listed.status == 400 and "Trang" in listed.text()
    last = page.request.get("/ho-so?trang=9999")  # past the end: the last page
    assert last.status == 200 and "Mã lỗi" not in last.text()
    page.goto("/ho-so")
    token = _csrf(page)
    before = _events(site)
    for address in (f"/ho-so/{HUGE}/buoc", f"/nhac-viec/{HUGE}/xong"):
        answer = page.request.post(
            address, form={"csrf": token, "event": "cu_di_hoc", "version": "1"}
        )
        assert answer.status in (400, 404, 422) and "Mã lỗi" not in answer.text(), address
    answer = page.request.post(
        "/ho-so/buoc-nhieu", form={"csrf": token, "event": "cu_di_hoc", "ids": HUGE}
    )
    assert answer.status == 422 and "Mã lỗi" not in answer.text()
    assert _events(site) == before


def test_a_fact_form_without_its_version_writes_nothing(new_page: NewPage, site: Site) -> None:
    page = new_page()
    sign_in(page, site, "cv_duk")
    page.goto("/ho-so?q=&to_chuc=CB-VP")
    did = page.locator("tbody tr td a").first.get_attribute("href")
    assert did
    page.goto(f"{did}/ghi/giay-to")
    token = _csrf(page)
    before = _events(site)
    for version in ("abc", "-1", None):
        form = {"csrf": token, "kind": "don_xin_vao_dang", "dated": "01/11/2026", "number": ""}
        if version is not None:
            form["version"] = version
        answer = page.request.post(f"{did}/ghi/giay-to", form=form, max_redirects=0)
        assert answer.status == 422, (version, answer.status)
        assert "Phiên bản hồ sơ" in answer.text()
    assert _events(site) == before


def test_the_banner_never_repeats_text_of_the_address(new_page: NewPage, site: Site) -> None:
    page = new_page()
    sign_in(page, site, "cv_duk")
    planted = "Hồ sơ đã bị hủy, liên hệ 0909"
    for address in (f"/ho-so/1?xong={planted}", f"/to-chuc?xong={planted}"):
        page.goto(address)
        assert planted not in page.content(), address


def test_a_percent_sign_searches_for_itself(new_page: NewPage, site: Site) -> None:
    page = new_page()
    sign_in(page, site, "quantri")
    answer = page.request.get("/ho-so?q=%25")
    assert answer.status == 200 and "Không có hồ sơ nào" in answer.text()


def test_invalid_text_from_a_broken_encoding_is_refused(new_page: NewPage, site: Site) -> None:
    page = new_page()
    sign_in(page, site, "cv_duk")
    page.goto("/ho-so-moi")
    token = _csrf(page)
    before = _events(site)
    answer = page.request.post(
        "/ho-so-moi",
        headers={"content-type": "application/x-www-form-urlencoded"},
        data=f"csrf={token}&full_name=Tr%E1%BA%A7n%FF+An&birth_date=01%2F01%2F1999&sex=nam"
        "&cccd=068099012311&education=thpt&org_code=CB-VP",
    )
    assert answer.status == 422 and "không in được" in answer.text()
    assert _events(site) == before
