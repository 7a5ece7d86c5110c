"""Checks for call recordings: audio only, judged by the file's first bytes, within the size limit."""

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import InvalidInput

# (content type, extension) for the audio containers a PBX writes.
WAV = ("audio/wav", "wav")
MP3 = ("audio/mpeg", "mp3")
OGG = ("audio/ogg", "ogg")
FLAC = ("audio/flac", "flac")
M4A = ("audio/mp4", "m4a")


def sniff_audio(head: bytes) -> tuple[str, str] | None:
    """The audio type of a file from its first bytes, or None when it is not audio we accept."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0):
        return MP3
    if head[:4] == b"OggS":
        return OGG
    if head[:4] == b"fLaC":
        return FLAC
    if head[4:8] == b"ftyp" and head[8:11] in {b"M4A", b"mp4", b"iso", b"MSN"}:
        return M4A
    return None


def validate_recording(upload) -> tuple[str, str]:
    """Return (content type, extension) of an accepted recording; raise ValidationError otherwise."""
    if upload.size == 0:
        raise InvalidInput({"recording": [_("The recording is empty.")]})
    if upload.size > settings.RECORDING_MAX_BYTES:
        raise InvalidInput(
            {
                "recording": [
                    _("The recording is too large (at most %(mb)s MB).")
                    % {"mb": settings.RECORDING_MAX_BYTES // (1024 * 1024)}
                ]
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff_audio(head)
    if kind is None:
        raise InvalidInput({"recording": [_("The recording is not an audio file (WAV, MP3, OGG, FLAC or M4A).")]})
    return kind
