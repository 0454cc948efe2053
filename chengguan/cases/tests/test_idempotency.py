"""Reporting through the API with an Idempotency-Key: retries never make a second case."""

import threading

import pytest
from django.db import connection, connections

from chengguan.cases.models import Case
from chengguan.org.models import Grid


def body(point, description="路边成堆垃圾"):
    return {"category_code": "06010", "lon": point.x, "lat": point.y, "description": description}


@pytest.fixture
def point(db):
    return Grid.objects.filter(region_code="410106").first().geometry.representative_point()


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_first_case(client, user_factory, point):
    client.force_login(user_factory("operator", region="4101"))
    first = client.post(
        "/api/cases/",
        body(point),
        content_type="application/json",
        headers={"Idempotency-Key": "phone-42-report-1"},
    )
    again = client.post(
        "/api/cases/",
        body(point),
        content_type="application/json",
        headers={"Idempotency-Key": "phone-42-report-1"},
    )
    assert first.status_code == again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.filter(description="路边成堆垃圾").count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(client, user_factory, point):
    client.force_login(user_factory("operator", region="4101"))
    client.post(
        "/api/cases/",
        body(point),
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    other = client.post(
        "/api/cases/",
        body(point, "另一处垃圾"),
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert other.status_code == 422 and "内容不同" in other.json()["detail"]
    assert not Case.objects.filter(description="另一处垃圾").exists()


@pytest.mark.django_db
def test_without_a_key_each_post_is_a_new_report(client, user_factory, point):
    client.force_login(user_factory("operator", region="4101"))
    for _ in range(2):
        assert (
            client.post("/api/cases/", body(point), content_type="application/json").status_code
            == 201
        )
    assert Case.objects.filter(description="路边成堆垃圾").count() == 2


@pytest.mark.django_db
def test_a_failed_request_does_not_burn_the_key(client, user_factory, point):
    client.force_login(user_factory("operator", region="4101"))
    outside = {**body(point), "lon": 116.4, "lat": 39.9}
    assert (
        client.post(
            "/api/cases/",
            outside,
            content_type="application/json",
            headers={"Idempotency-Key": "k-2"},
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/cases/",
            outside,
            content_type="application/json",
            headers={"Idempotency-Key": "k-2"},
        ).status_code
        == 400
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers by itself")
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_exactly_one_case(password):
    from django.test import Client

    from chengguan.accounts.models import User
    from chengguan.accounts.services import user_create
    from chengguan.org.models import Region
    from conftest import load_territory

    load_territory()
    user_create(
        username="op-idem",
        password=password,
        roles=["operator"],
        region=Region.objects.get(code="4101"),
    )
    point = Grid.objects.filter(region_code="410106").first().geometry.representative_point()
    start = threading.Barrier(6)
    answers = []

    def post():
        try:
            client = Client()
            client.force_login(User.objects.get(username="op-idem"))
            start.wait()
            answers.append(
                client.post(
                    "/api/cases/",
                    body(point, "并发重复上报"),
                    content_type="application/json",
                    headers={"Idempotency-Key": "same-key"},
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 6
    assert len({a.json()["number"] for a in answers}) == 1
    assert Case.objects.filter(description="并发重复上报").count() == 1
