"""Photos people upload (reports, handling, checks): checked by content, kept twice.

- The type is read from the bytes (Pillow decodes them), never from the name or the
  browser's content type: only JPEG, PNG and WebP pass, and so only what really decodes.
- Size and pixel limits stop oversized files and decompression bombs.
- The original is kept byte-exact, named by its SHA-256 (which the ledger records), as
  evidence; a public copy is re-encoded without EXIF and other metadata (a phone's GPS
  position, the camera's serial) and at most 2,048 px on its longer side.
- Files go through Django's storage API: local disk by default, any storage backend (e.g.
  S3-compatible) by setting STORAGES["default"].
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from chengguan.core.errors import DomainError, gettext_noop

FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PIXELS = 50_000_000
PUBLIC_MAX_SIDE = 2048


@dataclass(frozen=True)
class StoredImage:
    original: str  # storage name of the byte-exact upload
    public: str  # storage name of the metadata-free copy
    sha256: str
    content_type: str
    size: int
    width: int
    height: int


def _decode(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise DomainError(gettext_noop("只接受 JPEG、PNG 或 WebP 格式的照片"))
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError(gettext_noop("照片像素过大"))
            probe.verify()  # structure check; the image must be reopened after verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            raise DomainError(gettext_noop("文件不是有效的照片")) from None
    return image


def image_check(data: bytes) -> Image.Image:
    """The decoded photo, or a DomainError saying what is wrong with it. Callers check every
    photo of a submission before storing any, so a refused one leaves no files behind."""
    limit = settings.CHENGGUAN["UPLOAD_MAX_BYTES"]
    if not data:
        raise DomainError(gettext_noop("照片文件为空"))
    if len(data) > limit:
        raise DomainError(gettext_noop("照片不能超过 %(mb)s MB"), mb=_megabytes(limit))
    return _decode(data)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g}"


def image_store(*, data: bytes, folder: str) -> StoredImage:
    """Check an uploaded photo and store its original and its public copy."""
    image = image_check(data)
    content_type, extension = FORMATS[image.format]
    digest = hashlib.sha256(data).hexdigest()
    original = f"{folder}/originals/{digest}.{extension}"
    if not default_storage.exists(original):
        original = default_storage.save(original, ContentFile(data))
    public_image = ImageOps.exif_transpose(image)  # keep the picture upright, then drop EXIF
    public_image.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
    if public_image.mode not in ("RGB", "RGBA", "L"):
        public_image = public_image.convert("RGB")
    public_image.info = {}  # no EXIF, XMP, text chunks or ICC profile travel to the copy
    buffer = io.BytesIO()
    public_image.save(
        buffer, format=image.format, **({"quality": 85} if image.format != "PNG" else {})
    )
    public = f"{folder}/public/{digest}.{extension}"
    if not default_storage.exists(public):
        public = default_storage.save(public, ContentFile(buffer.getvalue()))
    return StoredImage(original, public, digest, content_type, len(data), image.width, image.height)
