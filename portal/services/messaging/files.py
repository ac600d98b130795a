"""Attachment files: recognise, clean and name uploads, and keep them encrypted on disk."""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
import unicodedata
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet
from PIL import Image, ImageOps

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 90
KINDS = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}
FALLBACK_STEM = "bijlage"
MAX_STEM = 80

_MAGIC = (("pdf", b"%PDF-"), ("jpeg", b"\xff\xd8\xff"), ("png", b"\x89PNG\r\n\x1a\n"))
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG"}
_PDF_TAIL = 1024
# Active content in a PDF. "/JS" only counts as a whole name (followed by whitespace, a delimiter or the end).
_UNSAFE_PDF = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFile|RichMedia)|/JS(?=[\s()<>\[\]{}/%]|\Z)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_KEY = re.compile(r"[0-9a-f]{32}")
_SUFFIX = re.compile(r"\.[^\W_]{1,10}$")


class AttachmentError(Exception):
    """An attachment is refused or cannot be found; `.code` says why, the route says it in words."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def detect_kind(data: bytes) -> str | None:
    """The kind ("pdf", "jpeg", "png") that the magic bytes at the start of data announce, or None."""
    for kind, magic in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def clean(data: bytes) -> tuple[str, bytes]:
    """Validate an upload and return (kind, bytes to store): images re-encoded without metadata, PDFs as given."""
    data = bytes(data)
    if not data:
        raise AttachmentError("empty")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentError("too_large")
    kind = detect_kind(data)
    if kind is None:
        raise AttachmentError("unknown_type")
    if kind == "pdf":
        return kind, _checked_pdf(data)
    return kind, _clean_image(data, kind)


def _checked_pdf(data: bytes) -> bytes:
    """The PDF itself when it is complete and carries no active content."""
    if b"%%EOF" not in data[-_PDF_TAIL:]:
        raise AttachmentError("damaged")
    if _UNSAFE_PDF.search(data) or _UNSAFE_PDF.search(_PDF_NAME_ESCAPE.sub(_unescape, data)):
        raise AttachmentError("unsafe_pdf")
    return data


def _unescape(match: re.Match[bytes]) -> bytes:
    """A PDF name's #xx escape as the byte it stands for, so /J#61vaScript reads as /JavaScript."""
    return bytes([int(match.group(1), 16)])


def _clean_image(data: bytes, kind: str) -> bytes:
    """The image decoded, turned upright and re-encoded in its own format, with nothing but pixels."""
    try:
        image = _open_image(data, kind)
        upright = ImageOps.exif_transpose(image)
        pixels = _bare(upright, kind)
        out = io.BytesIO()
        if kind == "jpeg":
            pixels.save(out, format="JPEG", quality=JPEG_QUALITY)
        else:
            pixels.save(out, format="PNG", optimize=True)
    except AttachmentError:
        raise
    except Image.DecompressionBombError as exc:
        raise AttachmentError("too_large") from exc
    except Exception as exc:  # Pillow reports broken files with many exception types
        raise AttachmentError("damaged") from exc
    return out.getvalue()


def _open_image(data: bytes, kind: str) -> Image.Image:
    """The image verified once, then opened again and fully decoded, within the pixel limit."""
    formats = [_PILLOW_FORMATS[kind]]
    with Image.open(io.BytesIO(data), formats=formats) as probe:
        _check_pixels(probe)
        probe.verify()
    image = Image.open(io.BytesIO(data), formats=formats)
    _check_pixels(image)
    image.load()
    return image


def _check_pixels(image: Image.Image) -> None:
    """Refuse images whose pixel count could exhaust memory once decoded."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise AttachmentError("too_large")


def _bare(image: Image.Image, kind: str) -> Image.Image:
    """A fresh image with the same pixels in a mode the format stores plainly, and no metadata at all."""
    if kind == "jpeg":
        mode = image.mode if image.mode in ("L", "RGB") else "RGB"
    elif image.mode in ("L", "LA", "RGB", "RGBA"):
        mode = image.mode
    else:
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        mode = "RGBA" if has_alpha else "RGB"
    converted = image if image.mode == mode else image.convert(mode)
    bare = Image.new(mode, converted.size)
    bare.paste(converted)
    return bare


def safe_filename(name: str, kind: str) -> str:
    """A harmless download name for an upload called `name`, ending with the extension of `kind`."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    kept = "".join(ch if _allowed(ch) else " " if ch.isspace() or _is_control(ch) else "" for ch in base)
    stem = " ".join(kept.split()).lstrip(". ")
    if "." in stem:
        stem = _SUFFIX.sub("", stem)
    stem = stem[:MAX_STEM].strip(" .")
    return (stem or FALLBACK_STEM) + EXTENSIONS[kind]


def _allowed(ch: str) -> bool:
    """Letters, digits and marks of any script, and space, hyphen, underscore and dot."""
    return ch in " -_." or unicodedata.category(ch)[0] in "LNM"


def _is_control(ch: str) -> bool:
    """Control and format characters (NUL, newlines, bidi overrides): they part words, never appear."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


class AttachmentStore:
    """Encrypted attachment files under one root folder, each named by a random key."""

    def __init__(self, root: Path, fernet: Fernet | MultiFernet):
        self.root = Path(root)
        self.fernet = fernet

    def save(self, data: bytes) -> str:
        """Encrypt and store data; return its new key."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_hex(16)
        while self._path(key).exists():
            key = secrets.token_hex(16)
        self._path(key).parent.mkdir(mode=0o700, exist_ok=True)
        self._write(self._path(key), self.fernet.encrypt(bytes(data)))
        return key

    def load(self, key: str) -> bytes:
        """The decrypted contents stored under key; AttachmentError("missing") when there is none."""
        return self.fernet.decrypt(self._read(key))

    def delete(self, key: str) -> None:
        """Remove the file stored under key, if there is one."""
        self._path(key).unlink(missing_ok=True)

    def rotate(self, key: str) -> None:
        """Re-encrypt the file under key with the newest key of a MultiFernet."""
        self._write(self._path(key), self.fernet.rotate(self._read(key)))

    def size_on_disk(self, key: str) -> int:
        """The size in bytes of the encrypted file under key."""
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as exc:
            raise AttachmentError("missing") from exc

    def _path(self, key: str) -> Path:
        """Where key's file lives; any string that is not a key we made is refused before touching the disk."""
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise AttachmentError("missing")
        return self.root / key[:2] / key

    def _read(self, key: str) -> bytes:
        """The encrypted bytes under key."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise AttachmentError("missing") from exc

    @staticmethod
    def _write(path: Path, token: bytes) -> None:
        """Write token to path atomically, readable by the owner only."""
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(token)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
