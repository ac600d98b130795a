"""Attachment files: only clean PDFs, JPEGs and PNGs get in, with harmless names, and are stored encrypted."""

from __future__ import annotations

import io
import os
import stat
import struct
import zlib

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from PIL import ExifTags, Image, PngImagePlugin

from portal.services.messaging import files
from portal.services.messaging.files import (
    EXTENSIONS,
    KINDS,
    MAX_ATTACHMENT_BYTES,
    AttachmentError,
    AttachmentStore,
    clean,
    detect_kind,
    safe_filename,
)

XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description photoshop:City="Utrecht"/></x:xmpmeta>'


def _jpeg(size=(20, 10), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 0).save(out, format="JPEG", **save)
    return out.getvalue()


def _png(image: Image.Image, **save) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **save)
    return out.getvalue()


def _noise_jpeg() -> bytes:
    image = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def _exif_with_gps(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 5.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (5.0, 7.0, 12.0)
    return exif


def _pdf(body: bytes = b"", tail: bytes = b"%%EOF\n") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R"
        + body
        + b" >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + b"trailer << /Root 1 0 R >>\n"
        + tail
    )


def _code(data: bytes) -> str:
    with pytest.raises(AttachmentError) as caught:
        clean(data)
    return caught.value.code


# detect_kind and what clean refuses outright


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xff\xd8\xff\xe0rest", "jpeg"),
        (b"\x89PNG\r\n\x1a\nrest", "png"),
        (b" %PDF-1.7\n", None),
        (b"\n" * 10 + b"%PDF-1.7", None),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
        (b"\x7fELF\x02\x01\x01", None),
        (b"GIF89a\x01\x00", None),
        (b"\x89PNG\r\n", None),
        (b"", None),
    ],
)
def test_detect_kind_reads_magic_bytes_at_offset_zero_only(data, kind):
    assert detect_kind(data) == kind


def test_kinds_and_extensions_cover_the_same_three_kinds():
    assert set(KINDS) == set(EXTENSIONS) == {"pdf", "jpeg", "png"}


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode",
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100,
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"PK\x03\x04" + b"\x00" * 30,
        b"   %PDF-1.4\n%%EOF",
        b"plain text that mentions %PDF- later",
    ],
)
def test_content_that_is_no_pdf_jpeg_or_png_is_an_unknown_type(data):
    assert _code(data) == "unknown_type"


def test_empty_upload_is_refused():
    assert _code(b"") == "empty"


def test_one_byte_over_the_limit_is_too_large_before_anything_else():
    assert _code(b"%PDF-" + b"x" * (MAX_ATTACHMENT_BYTES - 4)) == "too_large"
    assert _code(b"\x00" * (MAX_ATTACHMENT_BYTES + 1)) == "too_large"


def test_exactly_the_limit_is_still_judged_on_content():
    data = _pdf() + b"%" * (MAX_ATTACHMENT_BYTES - len(_pdf()) - 6) + b"\n%%EOF"
    assert len(data) == MAX_ATTACHMENT_BYTES
    assert clean(data) == ("pdf", data)


def test_error_carries_its_code():
    error = AttachmentError("too_large")
    assert error.code == "too_large"
    assert str(error) == "too_large"


# JPEG


def test_jpeg_loses_exif_gps_xmp_and_comment():
    data = _jpeg(exif=_exif_with_gps(orientation=1), xmp=XMP, comment=b"secret-comment")
    assert b"GPS" in data or Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    kind, cleaned = clean(data)
    assert kind == "jpeg"
    result = Image.open(io.BytesIO(cleaned))
    assert result.format == "JPEG"
    assert len(result.getexif()) == 0
    assert result.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert not {"exif", "comment", "xmp", "icc_profile", "XML:com.adobe.xmp"} & set(result.info)
    for marker in (b"Exif", b"PhoneMaker", b"secret-comment", b"xmpmeta", b"Utrecht", b"ns.adobe.com"):
        assert marker not in cleaned


def test_jpeg_orientation_is_applied_then_dropped():
    data = _jpeg(size=(20, 10), exif=_exif_with_gps(orientation=6))
    _kind, cleaned = clean(data)
    result = Image.open(io.BytesIO(cleaned))
    assert result.size == (10, 20)
    assert ExifTags.Base.Orientation not in result.getexif()


def test_jpeg_in_cmyk_is_stored_as_rgb():
    _kind, cleaned = clean(_jpeg(mode="CMYK"))
    assert Image.open(io.BytesIO(cleaned)).mode == "RGB"


def test_greyscale_jpeg_stays_greyscale():
    _kind, cleaned = clean(_jpeg(mode="L"))
    assert Image.open(io.BytesIO(cleaned)).mode == "L"


def test_truncated_jpeg_is_damaged():
    data = _noise_jpeg()
    assert _code(data[: len(data) // 2]) == "damaged"


@pytest.mark.parametrize("data", [b"\xff\xd8\xff", b"\xff\xd8\xff\xe0" + b"\x00" * 64, b"\xff\xd8\xff" + b"junk" * 50])
def test_jpeg_magic_with_nothing_readable_behind_it_is_damaged(data):
    assert _code(data) == "damaged"


def test_png_content_under_jpeg_magic_is_damaged_not_accepted_as_png():
    png = _png(Image.new("RGB", (4, 4)))
    assert _code(b"\xff\xd8\xff" + png) == "damaged"


# PNG


def test_png_loses_text_chunks_and_exif():
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Author", "Fatima at Lindenlaan 12")
    meta.add_text("Comment", "compressed secret " * 20, zip=True)
    meta.add_itxt("Description", "international secret", lang="nl")
    data = _png(Image.new("RGB", (8, 8), "blue"), pnginfo=meta, exif=_exif_with_gps(orientation=1))
    assert b"tEXt" in data and b"zTXt" in data and b"iTXt" in data
    kind, cleaned = clean(data)
    assert kind == "png"
    result = Image.open(io.BytesIO(cleaned))
    result.load()
    assert result.format == "PNG"
    assert getattr(result, "text", {}) == {}
    assert len(result.getexif()) == 0
    assert not {"Author", "Comment", "Description", "exif"} & set(result.info)
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"Lindenlaan"):
        assert chunk not in cleaned


def test_png_orientation_is_applied():
    data = _png(Image.new("RGB", (20, 10)), exif=_exif_with_gps(orientation=6))
    _kind, cleaned = clean(data)
    assert Image.open(io.BytesIO(cleaned)).size == (10, 20)


@pytest.mark.parametrize(("mode", "expected"), [("RGBA", "RGBA"), ("LA", "LA"), ("L", "L"), ("1", "RGB")])
def test_png_modes_are_kept_or_made_plain(mode, expected):
    _kind, cleaned = clean(_png(Image.new(mode, (6, 6))))
    assert Image.open(io.BytesIO(cleaned)).mode == expected


def test_palette_png_with_transparency_keeps_its_transparency_as_rgba():
    image = Image.new("P", (6, 6), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * (256 * 3 - 6))
    image.putpixel((0, 0), 1)
    _kind, cleaned = clean(_png(image, transparency=0))
    result = Image.open(io.BytesIO(cleaned))
    assert result.mode == "RGBA"
    assert result.getpixel((0, 0)) == (0, 255, 0, 255)
    assert result.getpixel((1, 1))[3] == 0


def test_png_with_a_broken_checksum_is_damaged():
    data = bytearray(_png(Image.new("RGB", (8, 8))))
    data[29] ^= 0xFF  # IHDR's CRC
    assert _code(bytes(data)) == "damaged"


def test_truncated_png_is_damaged():
    image = Image.frombytes("RGB", (100, 100), os.urandom(100 * 100 * 3))
    data = _png(image)
    assert _code(data[: len(data) // 2]) == "damaged"


def _png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims another size (with a valid CRC, so only the size is wrong)."""
    data = bytearray(_png(Image.new("RGB", (1, 1))))
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


def test_decompression_bomb_header_is_refused():
    assert _code(_png_claiming(50_000, 50_000)) == "too_large"


def test_image_over_the_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_PIXELS", 100)
    assert _code(_png(Image.new("RGB", (11, 10)))) == "too_large"
    assert _code(_jpeg(size=(11, 10))) == "too_large"
    assert clean(_png(Image.new("RGB", (10, 10))))[0] == "png"


def test_header_claiming_more_pixels_than_the_data_holds_is_refused_or_damaged():
    assert _code(_png_claiming(3000, 3000)) == "damaged"


# PDF


def test_minimal_pdf_is_returned_byte_identical():
    data = _pdf()
    assert clean(data) == ("pdf", data)


def test_pdf_with_trailing_newlines_after_eof_passes():
    data = _pdf(tail=b"%%EOF\r\n\r\n")
    assert clean(data) == ("pdf", data)


@pytest.mark.parametrize(
    "body",
    [
        b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b" /OpenAction << /S /JavaScript >>",
        b" /AA << /O << /JS(app.alert(1)) >> >>",
        b" /AA << /O << /JS <6170702e616c6572742831293b> >> >>",
        b" /AA << /O << /JS 5 0 R >> >>",
        b" /AA << /O << /JS\n5 0 R >> >>",
        b" /OpenAction << /S /Launch /F (cmd.exe) >>",
        b" /Names << /EmbeddedFiles 3 0 R >>",
        b" /Annots [ << /Subtype /RichMedia >> ]",
        b" /OpenAction << /S /J#61vaScript >>",
        b" /OpenAction << /S /#4Aava#53cript >>",
    ],
)
def test_pdf_with_active_content_is_unsafe(body):
    assert _code(_pdf(body)) == "unsafe_pdf"


def test_pdf_names_that_merely_start_with_js_are_fine():
    data = _pdf(b" /JSONish (x) /Jst 1")
    assert clean(data) == ("pdf", data)


@pytest.mark.parametrize(
    "data",
    [
        _pdf(tail=b""),
        _pdf(tail=b"%%EO"),
        _pdf(tail=b"%%EOF\n" + b"%" * 2000),
        b"%PDF-",
        b"%PDF-1.7\n",
    ],
)
def test_pdf_without_eof_near_the_end_is_damaged(data):
    assert _code(data) == "damaged"


def test_unsafe_pdf_without_eof_is_damaged_first():
    assert _code(_pdf(b" /JavaScript", tail=b"")) == "damaged"


# safe_filename


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
        ("C:\\x\\y.png", "png", "y.png"),
        ("/abs/path/", "pdf", "bijlage.pdf"),
        ("foto.exe", "jpeg", "foto.jpg"),
        ("foto.JPEG", "jpeg", "foto.jpg"),
        ("scan.pdf.exe", "pdf", "scan.pdf.pdf"),
        ("verslag", "pdf", "verslag.pdf"),
        (".hidden", "pdf", "hidden.pdf"),
        ("...", "png", "bijlage.png"),
        ("", "pdf", "bijlage.pdf"),
        ("   ", "pdf", "bijlage.pdf"),
        ("\"quoted\" 'name'.pdf", "pdf", "quoted name.pdf"),
        ("a\x00b.pdf", "pdf", "a b.pdf"),
        ("regel1\nregel2\r\n.pdf", "pdf", "regel1 regel2.pdf"),
        ("tab\there.png", "png", "tab here.png"),
        ("evil\u202egpj.exe", "jpeg", "evil gpj.jpg"),
        ("rapport   juni   2026.pdf", "pdf", "rapport juni 2026.pdf"),
        ("brief_v2-def.pdf", "pdf", "brief_v2-def.pdf"),
        ("<b>alert(1)<b>.pdf", "pdf", "balert1b.pdf"),
        ("<script>alert(1)</script>.pdf", "pdf", "script.pdf"),
        ("تقرير طبي.pdf", "pdf", "تقرير طبي.pdf"),
        ("Zoë Müller.png", "png", "Zoë Müller.png"),
        ("name;rm -rf.pdf", "pdf", "namerm -rf.pdf"),
    ],
)
def test_safe_filename(name, kind, expected):
    assert safe_filename(name, kind) == expected


def test_safe_filename_cuts_long_stems_to_80_characters():
    result = safe_filename("a" * 300 + ".pdf", "pdf")
    assert result == "a" * 80 + ".pdf"
    assert safe_filename("ب" * 300, "png") == "ب" * 80 + ".png"


def test_safe_filename_never_ends_a_cut_stem_with_a_dot_or_space():
    assert safe_filename("a" * 79 + " b" * 10, "pdf") == "a" * 79 + ".pdf"


@pytest.mark.parametrize(
    "name",
    ["\x00\x01\x1f\x7f", "a\"b'c`d", "x/..\\..\\y", "\r\n\t\v\f", "\u200b\u2028\u2029\ufeff", "..\\..", "%00.pdf"],
)
def test_safe_filename_never_returns_dangerous_characters(name):
    for kind, extension in EXTENSIONS.items():
        result = safe_filename(name, kind)
        assert result.endswith(extension)
        assert not result.startswith(".")
        assert not set(result) & set("/\\\"'`<>:|?*%;\x00\r\n\t")
        assert all(ch.isprintable() for ch in result)


# AttachmentStore


@pytest.fixture
def keys():
    return Fernet(Fernet.generate_key()), Fernet(Fernet.generate_key())


@pytest.fixture
def store(tmp_path, keys):
    return AttachmentStore(tmp_path / "attachments", MultiFernet([keys[0]]))


def test_store_round_trip(store):
    key = store.save(b"%PDF-1.4 vertrouwelijk")
    assert len(key) == 32 and all(ch in "0123456789abcdef" for ch in key)
    assert store.load(key) == b"%PDF-1.4 vertrouwelijk"
    assert store.save(b"other") != key


def test_store_file_is_encrypted_and_private(store):
    key = store.save(b"medisch geheim " * 10)
    path = store.root / key[:2] / key
    on_disk = path.read_bytes()
    assert b"medisch geheim" not in on_disk
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE(store.root.stat().st_mode) & 0o077 == 0
    assert store.size_on_disk(key) == len(on_disk)
    assert sorted(p.name for p in path.parent.iterdir()) == [key]


def test_store_with_a_plain_fernet_works(tmp_path, keys):
    store = AttachmentStore(tmp_path, keys[0])
    assert store.load(store.save(b"x")) == b"x"


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "../../etc/passwd",
        "A" * 32,
        "ABCDEF0123456789ABCDEF0123456789",
        "abc",
        "0" * 31,
        "0" * 33,
        "0" * 32 + "\n",
        "/" + "0" * 31,
        "00/" + "0" * 29,
        "g" * 32,
        "",
        None,
        b"0" * 32,
    ],
)
def test_store_refuses_keys_it_could_not_have_made(store, key):
    store.save(b"something")
    for action in (store.load, store.rotate, store.delete, store.size_on_disk):
        with pytest.raises(AttachmentError) as caught:
            action(key)
        assert caught.value.code == "missing"


def test_store_unknown_key_is_missing(store):
    for action in (store.load, store.rotate, store.size_on_disk):
        with pytest.raises(AttachmentError) as caught:
            action("0" * 32)
        assert caught.value.code == "missing"


def test_store_delete(store):
    key = store.save(b"weg")
    store.delete(key)
    with pytest.raises(AttachmentError):
        store.load(key)
    store.delete(key)
    store.delete("f" * 32)


def test_store_rotate_moves_the_file_to_the_new_key(tmp_path, keys):
    new, old = keys
    old_store = AttachmentStore(tmp_path, MultiFernet([old]))
    key = old_store.save(b"oud bericht")
    before = (tmp_path / key[:2] / key).read_bytes()
    with pytest.raises(InvalidToken):
        AttachmentStore(tmp_path, MultiFernet([new])).load(key)
    AttachmentStore(tmp_path, MultiFernet([new, old])).rotate(key)
    path = tmp_path / key[:2] / key
    assert path.read_bytes() != before
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert AttachmentStore(tmp_path, MultiFernet([new])).load(key) == b"oud bericht"
    assert sorted(p.name for p in path.parent.iterdir()) == [key]


def test_store_leaves_no_temporary_file_when_writing_fails(store, monkeypatch):
    key = store.save(b"eerste")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.save(b"tweede")
    with pytest.raises(OSError, match="disk full"):
        store.rotate(key)
    leftovers = [p.name for p in store.root.rglob(".tmp-*")]
    assert leftovers == []
    monkeypatch.undo()
    assert store.load(key) == b"eerste"
