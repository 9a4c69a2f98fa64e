"""Login, logout and password change; every other page needs a login."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web.helpers import page_text

PAGES = [
    ("web:dashboard", {}),
    ("web:unit_list", {}),
    ("web:quota", {}),
    ("web:quota_csv", {}),
    ("web:quota_xlsx", {}),
    ("web:cadre_list", {}),
    ("web:password_change", {}),
    ("web:password_change_done", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_is_sent_to_login(client, db, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"


def test_anonymous_detail_pages_are_sent_to_login(client, world):
    for url in [
        reverse("web:cadre_detail", args=[world.zhang.pk]),
        reverse("web:unit_detail", args=[world.zhang.unit_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


def test_login_page_is_chinese_and_logs_in(client, personas):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    text = page_text(response)
    assert "用户登录" in text
    assert "用户名" in text
    assert "密码" in text

    bad = client.post(reverse("web:login"), {"username": "officer", "password": "wrong"})
    assert bad.status_code == 200
    assert "用户名或密码不正确" in page_text(bad)

    good = client.post(reverse("web:login"), {"username": "officer", "password": "pw-officer-123"})
    assert good.status_code == 302
    assert good["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_logout_is_a_post(client, personas):
    client.force_login(personas.case_officer)
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_password_change(client, personas):
    client.force_login(personas.committee_member)
    page = client.get(reverse("web:password_change"))
    assert page.status_code == 200
    assert "修改密码" in page_text(page)
    assert "原密码" in page_text(page)

    wrong = client.post(
        reverse("web:password_change"),
        {
            "old_password": "nope",
            "new_password1": "Qs-2024-xuanren",
            "new_password2": "Qs-2024-xuanren",
        },
    )
    assert wrong.status_code == 200
    assert "旧密码不正确" in page_text(wrong)

    done = client.post(
        reverse("web:password_change"),
        {
            "old_password": "pw-member-123",
            "new_password1": "Qs-2024-xuanren",
            "new_password2": "Qs-2024-xuanren",
        },
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("web:password_change_done")
    assert "密码已修改" in page_text(done)
    personas.committee_member.refresh_from_db()
    assert personas.committee_member.check_password("Qs-2024-xuanren")


def test_unknown_url_gives_a_chinese_404(client, personas):
    client.force_login(personas.case_officer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "未找到" in page_text(response)
