"""Shared fixtures: the reference territory is loaded once per test session.

Database tests run inside a rolled-back transaction, so they all see the same Zhengzhou
regions, agencies, calendar and the grids of 上街区 (small, fast to plan). Tests that need
real commits (browser, concurrency) use `transactional_db` and load what they need.
"""

from pathlib import Path

import pytest

TEST_UNIT = "410106"  # 上街区: about 200,000 people, some 70 grids


def load_territory(*, grid_units=(TEST_UNIT,)) -> None:
    from chengguan.demo.services import demo_load
    from chengguan.org.grid_planning import grids_plan
    from chengguan.org.models import Region

    demo_load(say=lambda _line: None, grids=False, cases=False)
    if grid_units:
        grids_plan(units=list(Region.objects.filter(code__in=grid_units)), seed=2017)


def pytest_configure(config):
    # The SQLite test database is a file under var/ (config/settings.py says why).
    (Path(__file__).resolve().parent / "var").mkdir(exist_ok=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.conf import settings

    # Password hashing is deliberately slow; the tests check policy, not the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        load_territory()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """In-process caches (grid index, calendar) must not leak between rolled-back tests."""
    from chengguan.core.selectors import _cache

    _cache.clear()
    yield
    _cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Stored files (photos, evidence, documents) go to a directory of the test's own, so
    no test sees another's files or leaves any behind in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def password() -> str:
    from chengguan.demo.services import demo_password

    return demo_password()


@pytest.fixture
def user_factory(db, password):
    from chengguan.accounts.services import user_create
    from chengguan.org.models import Region

    counter = iter(range(1, 10_000))

    def make(*roles: str, region: str | None = "4101", agency=None, username: str | None = None):
        return user_create(
            username=username or f"user{next(counter)}",
            password=password,
            roles=list(roles),
            region=Region.objects.get(code=region) if region else None,
            agency=agency,
        )

    return make


@pytest.fixture
def login(client, password):
    def sign_in(user):
        assert client.login(request=None, username=user.username, password=password)
        return client

    return sign_in
