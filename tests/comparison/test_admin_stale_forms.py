"""Two editors, one feature or category: the later save of a form opened on the older row is
refused with a message, never a silent revert of the first editor's change (the admin's
StaleFormGuard; meshes and cells have their edit version, tests/comparison/test_editing.py)."""

import pytest
from django.test import Client

from tests.factories import category as make_category
from tests.factories import feature as make_feature

REFUSED = "after you opened it; your changes were not saved"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened(client, url: str) -> dict:
    """The form as the browser would send it back, unchanged."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = field.prepare_value(value)
    return data


@pytest.fixture
def editors(django_user_model):
    from django.contrib.auth.models import Group

    pair = []
    for name in ("anna", "bert"):
        user = django_user_model.objects.create_user(name, password="pass-123-xyz", is_staff=True)
        user.groups.add(Group.objects.get(name="Editors"))
        pair.append(logged_in(user))
    return pair


def test_a_stale_feature_form_is_refused(db, editors):
    feature = make_feature(name="Retries")
    url = f"/admin/comparison/feature/{feature.pk}/change/"
    anna, bert = editors
    form_a, form_b = opened(anna, url), opened(bert, url)
    assert anna.post(url, {**form_a, "name": "Retries (automatic)"}).status_code == 302
    response = bert.post(url, {**form_b, "name_de": "Wiederholungen"})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    feature.refresh_from_db()
    assert feature.name == "Retries (automatic)"
    assert feature.name_de != "Wiederholungen"
    # Reloaded, the second editor's change goes through.
    assert bert.post(url, {**opened(bert, url), "name_de": "Wiederholungen"}).status_code == 302
    feature.refresh_from_db()
    assert (feature.name, feature.name_de) == ("Retries (automatic)", "Wiederholungen")


def test_a_stale_category_form_is_refused(db, editors):
    category = make_category(name="Resilience")
    url = f"/admin/comparison/category/{category.pk}/change/"
    anna, bert = editors

    def with_inline(data: dict) -> dict:
        # The category page carries its features as an inline; none here.
        return {
            **data,
            "features-TOTAL_FORMS": "0",
            "features-INITIAL_FORMS": "0",
            "features-MIN_NUM_FORMS": "0",
            "features-MAX_NUM_FORMS": "1000",
        }

    form_a, form_b = opened(anna, url), opened(bert, url)
    assert (
        anna.post(url, with_inline({**form_a, "name": "Resilience and timeouts"})).status_code
        == 302
    )
    response = bert.post(url, with_inline({**form_b, "name_de": "Resilienz"}))
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    category.refresh_from_db()
    assert category.name == "Resilience and timeouts"
    assert category.name_de != "Resilienz"


def test_a_stale_conformance_mapping_form_is_refused(db, django_user_model):
    from comparison.models import ConformanceMapping

    mapping = ConformanceMapping.objects.create(
        profile="MESH-HTTP", conformance_feature="", feature=make_feature(name="Traffic split")
    )
    url = f"/admin/comparison/conformancemapping/{mapping.pk}/change/"
    anna, bert = (
        logged_in(django_user_model.objects.create_superuser(name, password="pass-123-xyz"))
        for name in ("anna", "bert")
    )
    form_a, form_b = opened(anna, url), opened(bert, url)
    assert anna.post(url, {**form_a, "note": "Weights of an HTTPRoute"}).status_code == 302
    response = bert.post(url, {**form_b, "note": "Something else"})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    mapping.refresh_from_db()
    assert mapping.note == "Weights of an HTTPRoute"
