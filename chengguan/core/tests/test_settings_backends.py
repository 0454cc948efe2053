"""Deployment switches that need no code: a shared Redis cache and S3-compatible storage."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
PRINT = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'cache': settings.CACHES['default'], 'storage': settings.STORAGES['default']}))"
)


def configured(**env) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CHENGGUAN_")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_by_default_photos_go_to_local_disk_and_the_cache_is_per_process():
    found = configured()
    assert found["storage"]["BACKEND"].endswith("FileSystemStorage")
    assert found["cache"]["BACKEND"].endswith("LocMemCache")


def test_a_bucket_setting_moves_photos_to_private_s3_compatible_storage():
    found = configured(
        CHENGGUAN_S3_BUCKET="chengguan-photos", CHENGGUAN_S3_ENDPOINT_URL="http://minio:9000"
    )
    assert found["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["storage"]["OPTIONS"]["bucket_name"] == "chengguan-photos"
    assert found["storage"]["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert found["storage"]["OPTIONS"]["default_acl"] == "private"


def test_a_cache_url_makes_every_worker_share_redis():
    found = configured(CHENGGUAN_CACHE_URL="redis://127.0.0.1:6379/1")
    assert found["cache"]["BACKEND"].endswith("RedisCache")
    assert found["cache"]["LOCATION"] == "redis://127.0.0.1:6379/1"
