"""The clerk's pages in a real browser, against a real server and database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.conftest import ROOT, Site, sign_in

SHOTS = ROOT / "docs" / "screenshots"
NewPage = Callable[[], Page]


def shot(page: Page, name: str) -> None:
    """The README's pictures of the main pages, taken as the clerk sees them."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def dossier_of(site: Site, name: str) -> int:
    rows = site.db.sql(
        "SELECT d.id FROM dossier d JOIN candidate c ON c.id = d.candidate_id WHERE c.full_name = :n",
        {"n": name},
    )
    return int(rows[0][0])


def test_a_wrong_password_then_the_lock_out(new_page: NewPage, site: Site) -> None:
    page = new_page()
    page.goto("/")
    expect(page).to_have_url(f"{site.url}/dang-nhap?tiep=/")
    shot(page, "dang-nhap")
    for _ in range(4):
        page.fill("#username", "ubkt")
        page.fill("#password", "khong-phai-mat-khau")
        page.click("button:has-text('Đăng nhập')")
        expect(page.locator(".thong-bao.loi")).to_have_text(
            "Tên đăng nhập hoặc mật khẩu không đúng."
        )
    page.fill("#username", "UBKT")
    page.fill("#password", "khong-phai-mat-khau")
    page.click("button:has-text('Đăng nhập')")
    expect(page.locator(".thong-bao.loi")).to_contain_text("tạm khóa")
    page.fill("#username", "ubkt")
    page.fill("#password", site.passwords["ubkt"])  # the right one, while locked
    page.click("button:has-text('Đăng nhập')")
    expect(page.locator(".thong-bao.loi")).to_contain_text("tạm khóa")
    assert site.db.sql("SELECT count(*) FROM audit_event WHERE event = 'khoa_dang_nhap'") == [(1,)]


def _step(page: Page, label: str) -> None:
    page.click(f"form button:has-text('{label}')")
    expect(page.locator(".thong-bao.xong")).to_be_visible()


def _record(page: Page, did: int, slug: str, fields: dict[str, str], **choices: str) -> None:
    page.goto(f"/ho-so/{did}/ghi/{slug}")
    for name, value in choices.items():
        page.select_option(f"#f-{name}", value)
    for name, value in fields.items():
        if value == "x":
            page.check(f"#f-{name}")
        else:
            page.fill(f"#f-{name}", value)
    page.click("button:has-text('Ghi nhận')")
    expect(page).to_have_url(f"{page.url.split('/ho-so/')[0]}/ho-so/{did}?xong={slug}")


def test_a_clerk_takes_a_candidate_from_nguon_to_ket_nap_in_the_browser(
    new_page: NewPage, site: Site
) -> None:
    page = new_page()
    sign_in(page, site, "cv_duk")
    shot(page, "viec-cua-toi")
    page.click("nav >> text=Thêm quần chúng")
    page.fill("#f-full_name", "Trần Minh Khôi")
    page.fill("#f-birth_date", "15/08/2000")
    page.select_option("#f-sex", "nam")
    page.fill("#f-cccd", "068200012377")
    page.select_option("#f-education", "dai_hoc")
    page.check("#f-doan_member")
    page.select_option("#f-org_code", "CB-VP")
    page.click("button:has-text('Mở hồ sơ')")
    expect(page.locator("h1")).to_contain_text("Trần Minh Khôi")
    did = int(page.url.split("/ho-so/")[1].split("?")[0])
    expect(page.locator("#cccd")).to_have_text("********2377")
    _step(page, "Cử đi học lớp bồi dưỡng")
    _record(
        page,
        did,
        "giay-chung-nhan",
        {"number": "GCN-77", "issued_on": "10/03/2026", "issuer": "Trung tâm Chính trị"},
    )
    page.goto(f"/ho-so/{did}")
    _step(page, "Hoàn thành lớp")
    for kind, day in (
        ("don_xin_vao_dang", "01/10/2026"),
        ("ly_lich", "05/10/2026"),
        ("tong_hop_y_kien", "20/10/2026"),
        ("nghi_quyet_doan", "22/10/2026"),
    ):
        _record(page, did, "giay-to", {"dated": day}, kind=kind)
    _record(
        page,
        did,
        "nguoi-gioi-thieu",
        {
            "full_name": "Phan Văn Hùng",
            "official": "x",
            "months_together": "36",
            "introduced_on": "21/10/2026",
        },
    )
    _record(
        page,
        did,
        "nguoi-than",
        {"full_name": "Lê Thị Bích", "verified_on": "25/10/2026"},
        relation="me",
    )
    _record(page, did, "tham-tra", {"certified_on": "28/10/2026", "certified_by": "Đảng ủy Sở"})
    _record(
        page,
        did,
        "bieu-quyet",
        {"dated": "06/11/2026", "official_members": "9", "agree": "8"},
        kind="chi_bo",
    )
    page.goto(f"/ho-so/{did}")
    shot(page, "ho-so-chi-tiet")
    _step(page, "Chi bộ biểu quyết đề nghị kết nạp")
    _record(
        page,
        did,
        "bieu-quyet",
        {"dated": "10/11/2026", "official_members": "7", "agree": "7"},
        kind="dang_uy",
    )
    page.goto(f"/ho-so/{did}")
    _step(page, "Gửi hồ sơ lên cấp ủy")
    _step(page, "Thẩm định xong")
    _record(
        page,
        did,
        "quyet-dinh",
        {"number": "77-QĐ/ĐUK", "signed_on": "20/11/2026", "received_on": "21/11/2026"},
        kind="ket_nap",
    )
    page.goto(f"/ho-so/{did}")
    _step(page, "Ban Thường vụ quyết định kết nạp")
    expect(page.locator(".buoc-hien-tai")).to_contain_text("Kết nạp")
    expect(page.locator(".the")).to_contain_text("20/11/2026")  # party age from the decision
    events = site.db.sql(
        "SELECT actor, channel, client FROM audit_event WHERE dossier_id = :d AND kind = 'transition'",
        {"d": did},
    )
    assert len(events) == 6 and all(tuple(e) == ("cv_duk", "web", "127.0.0.1") for e in events)


def test_a_refused_step_shows_its_rule_ids_and_the_form_that_records_the_fact(
    new_page: NewPage, site: Site
) -> None:
    page = new_page()
    sign_in(page, site, "cv_bl")
    did = dossier_of(site, "K' Linh")  # at chi bộ họp xét with papers missing
    page.goto(f"/ho-so/{did}")
    step = page.locator(
        ".buoc", has=page.locator("button:has-text('Chi bộ biểu quyết đề nghị kết nạp')")
    )
    expect(step.locator("button")).to_be_disabled()
    for rule in ("R-VOTE-CB", "R-INTRO", "R-VERIFY", "P-DOSSIER"):
        expect(step.locator("code", has_text=rule).first).to_be_visible()
    step.locator("li", has=page.locator("code", has_text="R-VOTE-CB")).locator(
        "a:has-text('Ghi nhận')"
    ).first.click()
    expect(page).to_have_url(f"{site.url}/ho-so/{did}/ghi/bieu-quyet?kind=chi_bo")
    expect(page.locator("#f-kind")).to_have_value("chi_bo")
    page.fill("#f-dated", "31/02/2026")  # no such day: the error beside its field, values kept
    page.fill("#f-official_members", "9")
    page.fill("#f-agree", "10")
    page.click("button:has-text('Ghi nhận')")
    expect(page.locator("#e-dated")).to_contain_text("không có thật")
    expect(page.locator("#f-official_members")).to_have_value("9")
    shot(page, "ghi-nhan")


def test_the_list_is_paged_searched_without_accents_and_a_batch_is_all_or_nothing(
    new_page: NewPage, site: Site
) -> None:
    page = new_page()
    sign_in(page, site, "cv_tinh")
    page.click("nav >> text=Hồ sơ")
    expect(page.locator(".tong")).to_contain_text("trang 1/")
    shot(page, "ho-so")
    page.fill("input[name=q]", "vu dinh khoa")
    page.click("button:has-text('Lọc')")
    expect(page.locator("table.danh-sach tbody tr")).to_have_count(1)
    expect(page.locator("table.danh-sach")).to_contain_text("Vũ Đình Khoa")
    page.goto("/ho-so?giai_doan=chi_bo_xet")
    page.locator(".chon-het").check()
    page.select_option("select[name=event]", "chi_bo_thong_qua")
    page.click("button:has-text('Thực hiện')")
    expect(page.locator(".thong-bao.loi")).to_contain_text("không hồ sơ nào được chuyển")
    expect(page.locator(".thong-bao.loi code").first).to_be_visible()


def test_two_browsers_on_one_dossier_the_second_gets_the_conflict(
    new_page: NewPage, site: Site
) -> None:
    did = dossier_of(site, "Đoàn Văn Hậu") if False else None  # noqa: F841 - see below
    first, second = new_page(), new_page()
    sign_in(first, site, "cv_tinh")
    sign_in(second, site, "cv_duk")
    first.goto("/ho-so?giai_doan=nguon&to_chuc=CB-VP")
    did = int(
        first.locator("table.danh-sach tbody tr a").first.get_attribute("href").split("/")[-1]
    )  # type: ignore[union-attr]
    first.goto(f"/ho-so/{did}")
    second.goto(f"/ho-so/{did}")
    _step(first, "Cử đi học lớp bồi dưỡng")
    second.click("form button:has-text('Cử đi học lớp bồi dưỡng')")
    expect(second.locator(".thong-bao.loi")).to_contain_text("vừa được người khác cập nhật")
    expect(second.locator(".buoc-hien-tai")).to_contain_text("Học lớp nhận thức")
    assert site.db.sql(
        "SELECT count(*) FROM audit_event WHERE dossier_id = :d AND event = 'cu_di_hoc'", {"d": did}
    ) == [(1,)]


def test_another_committees_dossier_by_its_address_is_a_403_and_audited(
    new_page: NewPage, site: Site
) -> None:
    page = new_page()
    sign_in(page, site, "cv_bl")
    did = dossier_of(site, "Vũ Đình Khoa")  # a dossier of the Đảng ủy Khối, not of Bảo Lâm
    response = page.goto(f"/ho-so/{did}")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Không có quyền")
    assert "Vũ Đình Khoa" not in page.content()
    denied = site.db.sql(
        "SELECT count(*) FROM audit_event WHERE kind = 'denied' AND actor = 'cv_bl'"
    )
    assert denied[0][0] >= 1
    missing = page.goto("/ho-so/999999")
    assert missing is not None and missing.status == 404
    expect(page.locator("h1")).to_have_text("Không có hồ sơ này")
    wrong = page.goto("/ho-so/abc")
    assert wrong is not None and wrong.status == 404
    expect(page.locator("h1")).to_have_text("Không có trang này")


def test_a_form_posted_without_its_csrf_token_is_refused(new_page: NewPage, site: Site) -> None:
    page = new_page()
    sign_in(page, site, "cv_tinh")
    did = dossier_of(site, "Vũ Đình Khoa")
    before = site.db.sql("SELECT count(*) FROM audit_event")
    answer = page.request.post(
        f"/ho-so/{did}/buoc", form={"event": "cong_nhan_chinh_thuc", "version": "1"}
    )
    assert answer.status == 403 and "mã chống giả mạo" in answer.text()
    forged = page.request.post(
        f"/ho-so/{did}/buoc",
        form={"event": "cong_nhan_chinh_thuc", "version": "1", "csrf": "gia-mao"},
    )
    assert forged.status == 403
    assert site.db.sql("SELECT count(*) FROM audit_event") == before


def test_markup_displays_literally_a_name_is_letters_and_no_cccd_reaches_a_url(
    new_page: NewPage, site: Site
) -> None:
    page = new_page()
    sign_in(page, site, "cv_duk")
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto("/ho-so-moi")
    page.fill("#f-full_name", "Lê [/] <b>Văn</b>")  # not a person's name: refused, kept
    page.fill("#f-birth_date", "01/01/1999")
    page.select_option("#f-sex", "nam")
    page.fill("#f-cccd", "０６８ 099 012 399")  # full-width digits and spaces: one number
    page.select_option("#f-education", "thpt")
    page.select_option("#f-org_code", "CB-VP")
    page.click("button:has-text('Mở hồ sơ')")
    expect(page.locator("#f-full_name")).to_have_value("Lê [/] <b>Văn</b>")
    expect(page.locator("form.bieu-mau")).to_contain_text("chỉ gồm chữ cái")
    page.fill("#f-full_name", "Lê Văn Tâm")
    page.fill("#f-religion", "<b>Phật giáo</b> [/]")  # markup where free text is allowed
    page.click("button:has-text('Mở hồ sơ')")
    expect(page.locator("h1")).to_contain_text("Lê Văn Tâm")
    expect(page.locator("dd").filter(has_text="Kinh")).to_contain_text("<b>Phật giáo</b> [/]")
    assert page.locator("dd b").count() == 0
    page.click("button:has-text('Hiện số CCCD')")
    expect(page.locator("#cccd")).to_contain_text("068099012399")
    assert not [u for u in urls if "068099012399" in u]
    revealed = site.db.sql(
        "SELECT actor, channel FROM audit_event WHERE event = 'xem_cccd' ORDER BY id DESC LIMIT 1"
    )
    assert tuple(revealed[0]) == ("cv_duk", "web")
    csp = page.request.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_logout_ends_the_session(new_page: NewPage, site: Site) -> None:
    page = new_page()
    sign_in(page, site, "bt_vp")
    cookie = next(c for c in page.context.cookies() if c["name"] == "ketnap_phien")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.click("button:has-text('Đăng xuất')")
    expect(page).to_have_url(f"{site.url}/dang-nhap")
    page.context.add_cookies([cookie])  # the old token again: it signs nobody in
    page.goto("/")
    expect(page).to_have_url(f"{site.url}/dang-nhap?tiep=/")


def test_the_pages_print_without_their_controls(
    new_page: NewPage, site: Site, tmp_path: Path
) -> None:
    page = new_page()
    sign_in(page, site, "cv_tinh")
    page.goto(f"/ho-so/{dossier_of(site, 'Vũ Đình Khoa')}")
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible() and not page.locator("button").first.is_visible()


def test_the_administrator_adds_an_organization_and_anyone_verifies_the_chain(
    new_page: NewPage, site: Site
) -> None:
    admin = new_page()
    sign_in(admin, site, "quantri")
    admin.click("nav >> text=Tổ chức")
    admin.fill("#f-code", "CB-MOI")
    admin.fill("#f-name", "Chi bộ Phòng Tổng hợp")
    admin.select_option("#f-kind", "chi_bo")
    admin.select_option("#f-parent_code", "DB-SGD")
    admin.uncheck("#f-has_doan")
    admin.click("button:has-text('Thêm tổ chức')")
    expect(admin.locator(".thong-bao.xong")).to_contain_text("CB-MOI")
    assert site.db.sql("SELECT has_doan FROM organization WHERE code = 'CB-MOI'") in (
        [(0,)],
        [(False,)],
    )
    admin.fill("#f-code", "CB-MOI")  # the same code again: the error beside its field
    admin.fill("#f-name", "Chi bộ khác")
    admin.select_option("#f-kind", "chi_bo")
    admin.click("button:has-text('Thêm tổ chức')")
    expect(admin.locator(".loi-truong")).to_contain_text("đã được dùng")
    inspector = new_page()
    sign_in(inspector, site, "cu_duk")  # ubkt is locked out by the sign-in test
    inspector.click("nav >> text=Nhật ký")
    expect(inspector.locator(".thong-bao.xong")).to_contain_text("Nhật ký toàn vẹn")
    expect(inspector.locator("main")).to_contain_text("Đầu chuỗi đã ký")
    shot(inspector, "nhat-ky")
    expect(inspector.locator("form button:has-text('Thêm tổ chức')")).to_have_count(0)
