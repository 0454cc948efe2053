"""Uploaded photos: judged by their bytes, original kept exact, public copy without EXIF."""

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from chengguan.core.errors import DomainError
from chengguan.core.uploads import image_store

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[GPS_IFD] = {1: "N", 2: (34.0, 45.0, 12.0), 3: "E", 4: (113.0, 39.0, 56.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_public_copy_has_no_location_and_the_original_is_kept_exact():
    data = jpeg_with_gps()
    assert GPS_IFD in Image.open(io.BytesIO(data)).getexif()
    stored = image_store(data=data, folder="test")
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert default_storage.open(stored.original).read() == data
    public = Image.open(default_storage.open(stored.public))
    assert public.format == "JPEG" and len(public.getexif()) == 0
    assert stored.content_type == "image/jpeg" and (stored.width, stored.height) == (64, 48)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format=fmt)
    assert image_store(data=buffer.getvalue(), folder="test").content_type == f"image/{fmt.lower()}"


def test_a_non_image_named_like_a_photo_is_refused():
    with pytest.raises(DomainError, match="不是有效的照片"):
        image_store(data=b"<?php system($_GET['c']); ?>", folder="test")


def test_other_image_formats_are_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    with pytest.raises(DomainError, match="JPEG、PNG 或 WebP"):
        image_store(data=buffer.getvalue(), folder="test")


def test_a_truncated_photo_is_refused():
    with pytest.raises(DomainError, match="不是有效的照片"):
        image_store(data=jpeg_with_gps()[:200], folder="test")


def test_size_limit(settings):
    settings.CHENGGUAN = {**settings.CHENGGUAN, "UPLOAD_MAX_BYTES": 100}
    with pytest.raises(DomainError, match=r"不能超过 0\.0001 MB"):
        image_store(data=jpeg_with_gps(), folder="test")


@pytest.mark.django_db
def test_one_forged_photo_refuses_the_report_and_stores_no_file(tmp_path, user_factory):
    from chengguan.cases.models import Case, Category
    from chengguan.cases.services import case_report
    from chengguan.org.models import Grid

    grid = Grid.objects.filter(region_code="410106").order_by("code").first()
    point = grid.geometry.representative_point()
    before = Case.objects.count()
    with pytest.raises(DomainError, match="不是有效的照片"):
        case_report(
            actor=user_factory("operator", region="4101"),
            category=Category.objects.get(kind="matter", code="06010"),
            lon=point.x,
            lat=point.y,
            description="垃圾",
            channel="hotline",
            photos=[jpeg_with_gps(), b"not a photo at all"],
        )
    assert Case.objects.count() == before
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
