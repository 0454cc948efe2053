"""Evidence files: checked by content, kept byte-exact, named by their SHA-256.

An evidence file is proof, so it is never re-encoded (unlike a report photo's public
copy): the bytes stored are the bytes received, and the hash taken on arrival goes into
the ledger. What is accepted is decided from the bytes, not the name or the browser's type:
photos (which must also decode, `core.uploads.image_check`), PDF, and the audio and video
formats law-enforcement recorders and phones produce.
"""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.uploads import FORMATS, image_check

MAX_BYTES = 200 * 1024 * 1024
FOLDER = "penalties/evidence"


@dataclass(frozen=True)
class StoredFile:
    name: str
    filename: str
    sha256: str
    size: int
    content_type: str


def _sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) read from the file's first bytes."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4", "m4a"
        if brand.startswith(b"qt"):
            return "video/quicktime", "mov"
        return "video/mp4", "mp4"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav", "wav"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video/x-msvideo", "avi"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg", "mp3"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm", "webm"
    if head.startswith(b"#!AMR"):
        return "audio/amr", "amr"
    return None


def evidence_check(data: bytes) -> tuple[str, str]:
    if not data:
        raise DomainError(gettext_noop("证据文件为空"))
    if len(data) > MAX_BYTES:
        raise DomainError(gettext_noop("证据文件超过 200 MB"))
    sniffed = _sniff(data)
    if sniffed is not None:
        return sniffed
    try:
        image = image_check(data)
    except DomainError:
        raise DomainError(
            gettext_noop("证据文件格式不支持：只接受照片（JPEG、PNG、WebP）、PDF、音频和视频")
        ) from None
    return FORMATS[image.format]


def evidence_store(*, data: bytes, filename: str) -> StoredFile:
    content_type, extension = evidence_check(data)
    digest = hashlib.sha256(data).hexdigest()
    name = f"{FOLDER}/{digest}.{extension}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    clean = (filename or "").replace("/", "_").replace("\\", "_").strip()[:200] or name
    return StoredFile(name, clean, digest, len(data), content_type)


def file_sha256(name: str) -> str | None:
    """The SHA-256 of a stored file now, or None when it is gone."""
    if not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
