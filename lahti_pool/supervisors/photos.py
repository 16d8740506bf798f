"""A supervisor's presentation photo: checked, made small and re-encoded.

Whatever is uploaded is decoded by Pillow and written again as a fresh JPEG of at most
``SIZE`` pixels a side, from the pixels only: no EXIF (GPS, camera, comments), no ICC
profile, no trailing bytes or polyglot payload survives. The dimensions are checked
before anything is decoded, so a small file that unpacks into a huge image is refused.
"""

import io
import warnings

from lahti_pool.core.errors import N_, DomainError

MAX_BYTES = 5 * 1024 * 1024  #: what an upload may weigh
MAX_PIXELS = 40_000_000  #: what it may unpack into (a 40-megapixel camera)
MIN_SIDE = 100  #: smaller would be a blur on the presentations page
SIZE = 400  #: the stored photo's longer side at most
FORMATS = ("JPEG", "PNG", "WEBP")


def _refuse(message: str, **params) -> DomainError:
    return DomainError(message, field="photo", **params)


def normalise_photo(data: bytes) -> bytes:
    """The upload as a clean JPEG, or a ``DomainError`` on the ``photo`` field."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise _refuse(N_("The photo is larger than %(mb)s MB. Choose a smaller one."), mb=5)
    if not data:
        raise _refuse(N_("The file is empty. Choose a JPEG, PNG or WebP photo."))
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; here that is a refusal too
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _refuse(
            N_("The photo has too many pixels (at most %(mp)s megapixels)."), mp=40
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise _refuse(N_("This file is not a JPEG, PNG or WebP photo.")) from None
    try:
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _refuse(
                    N_("The photo has too many pixels (at most %(mp)s megapixels)."), mp=40
                )
            if min(width, height) < MIN_SIDE:
                raise _refuse(
                    N_("The photo is too small: at least %(px)s × %(px)s pixels."), px=MIN_SIDE
                )
            image.load()
            upright = ImageOps.exif_transpose(image)  # as the camera held it, then no EXIF
            upright.thumbnail((SIZE, SIZE))
            rgb = Image.new("RGB", upright.size, (255, 255, 255))
            rgba = upright.convert("RGBA")
            rgb.paste(rgba, mask=rgba.getchannel("A"))
    except (OSError, ValueError, SyntaxError):  # truncated or corrupt image data
        raise _refuse(N_("The photo could not be read. Save it again as JPEG or PNG.")) from None
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()
