"""core/errors.py: the answer to an exception no view handled."""

from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from core.errors import server_error


def answer_to(error: Exception):
    request = RequestFactory().get("/meshes/linkerd/")
    try:
        raise error
    except Exception:  # as Django calls handler500: inside the except block
        return server_error(request)


def test_an_unreachable_database_is_a_503_with_retry_after():
    for error in (OperationalError("connection timeout expired"), InterfaceError("closed")):
        response = answer_to(error)
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert b"Temporarily unavailable" in response.content


def test_anything_else_is_the_plain_500():
    response = answer_to(ValueError("a bug"))
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
