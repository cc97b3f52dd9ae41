"""Uploaded images, one rule for every space: a real image (checked by its content, never its name), at most 5 MB,
re-encoded into a fresh JPEG so that EXIF metadata (camera, GPS position) never reaches the public."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2000
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


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
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)  # a fresh file: no EXIF, no GPS position
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({field: [_("This file is not an image.")]}) from None
    return ContentFile(out.getvalue(), name=name)
