"""core/middleware.py: requests no browser of this site sends get a clear answer, never a 500."""

import pytest
from django.test import Client


@pytest.mark.parametrize("path", ["/questionnaire/", "/de/questionnaire/?step=1", "/admin/login/"])
@pytest.mark.parametrize("value", ["\x00\x00abcdefgh", "abc\x01def", "\x7fsession"])
def test_a_session_cookie_with_control_characters_is_treated_as_absent(db, path, value):
    client = Client()
    client.cookies["sessionid"] = value
    response = client.get(path)
    assert response.status_code == 200
    # A fresh session instead, where the page needs one.
    assert response.wsgi_request.session.session_key != value


def test_a_csrf_cookie_with_a_nul_byte_is_ignored_and_the_form_still_checked(db):
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "\x00" * 32
    response = client.post("/questionnaire/step/", {"step": "0"})
    assert response.status_code == 403  # no valid token: refused, not a server error


def test_the_questionnaire_step_post_with_a_nul_session_cookie(db):
    client = Client()
    client.cookies["sessionid"] = "\x00\x00abcdefgh"
    response = client.post("/questionnaire/step/", {"step": "0", "services": "few"})
    assert response.status_code == 200  # the form with its errors


def test_an_unsafe_next_after_login_lands_on_the_admin_index(editor):
    client = Client()
    response = client.post(
        "/admin/login/?next=https://evil.example/",
        {"username": "editor", "password": "editor-pass-123", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_huge_admin_search_is_400_not_a_database_error(superuser_client):
    response = superuser_client.get("/admin/comparison/mesh/", {"q": "x" * 60_000})
    assert response.status_code == 400
