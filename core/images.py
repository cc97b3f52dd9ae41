"""Uploaded images, one rule for every space: a real image (checked by its content, never its name), at most 5 MB,
re-encoded into a fresh JPEG that carries pixels only: no EXIF (camera, GPS position), XMP, IPTC, ICC profile, JPEG
comment, PNG text chunk, WebP metadata or GIF comment — text that survives re-encoding could smuggle HTML or
personal data to the public."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2000
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}  # MPO: the JPEG of phones that add a depth or preview frame


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new RGB image with the same pixels and an empty `info`: Pillow writes some `info` keys back on save
    (a JPEG or GIF `comment` becomes a COM segment), so nothing from the upload's metadata may travel with it."""
    image = ImageOps.exif_transpose(image)  # keep the photo upright once its EXIF orientation is gone
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, "white")  # transparency on white, not on black
        image = Image.alpha_composite(background, rgba)
    rgb = image.convert("RGB")
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    return clean


def reencode(upload, field: str = "image", name: str = "image.jpg") -> ContentFile | None:
    """The upload as a clean JPEG ContentFile, or a ValidationError on `field`; None stays None."""
    if upload is None:
        return None
    if upload.size > MAX_BYTES:
        raise ValidationError({field: [_("The image must be at most 5 MB.")]})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise ValidationError({field: [_("Upload a JPEG, PNG, WebP or GIF image.")]})
            image.load()
            clean = _pixels_only(image)
        clean.thumbnail((MAX_SIDE, MAX_SIDE))
        out = io.BytesIO()
        # Only what a JPEG needs (JFIF header, tables, scan): no exif/icc_profile/comment arguments, empty `info`.
        clean.save(out, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({field: [_("This file is not an image.")]}) from None
    return ContentFile(out.getvalue(), name=name)
