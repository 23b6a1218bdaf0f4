"""What the evidence log refuses, as messages the CLI, the web and tests share."""

from __future__ import annotations

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop


class EvidenceError(CoreError):
    """Base of the evidence log's refusals; nothing was written."""


class KindError(EvidenceError):
    template = gettext_noop(
        "{field}: '{value}' is not an entry kind; a kind is dotted lowercase words, such as "
        "payroll.approved or notice.sent"
    )


class CorrectsError(EvidenceError):
    template = gettext_noop(
        "{field}: entry {value} cannot be corrected here; a correction refers to an earlier "
        "entry of the same company (the log has {size} entries)"
    )


class BlobNameError(EvidenceError):
    template = gettext_noop("{field}: an attachment needs a name, such as letter.pdf")


class NaiveTimeError(EvidenceError):
    template = gettext_noop("{field}: the time {value} has no UTC offset")


class LogStateMissingError(EvidenceError):
    template = gettext_noop(
        "{field}: the evidence log has entries but its state row is gone; appending stops "
        "until it is restored (renshi evidence verify shows what the entries say)"
    )


class CheckpointSizeDecreasesError(EvidenceError):
    template = gettext_noop(
        "{field}: the log has {size} entries, fewer than the {last_size} the last checkpoint "
        "signed; a log only grows, so no checkpoint is signed"
    )


class CheckpointTimeError(EvidenceError):
    template = gettext_noop(
        "{field}: the last checkpoint was signed at {last_time}; a new one must be later than "
        "that, and {time} is not"
    )


class SigningKeyError(EvidenceError):
    template = gettext_noop("{field}: cannot use the signing key {path}: {reason}")


class KeyFileExistsError(EvidenceError):
    template = gettext_noop("{field}: {path} exists; a key file is never overwritten")


class TimestampConfigError(EvidenceError):
    template = gettext_noop(
        "{field}: timestamps from {url} cannot be checked without the authority's CA "
        "certificates; set RENSHI_TSA_CA_FILE"
    )


class TimestampRequestError(EvidenceError):
    template = gettext_noop("{field}: the timestamp authority {url} did not stamp: {reason}")


class TimestampInvalidError(EvidenceError):
    template = gettext_noop("{field}: the timestamp token does not verify: {reason}")


class OpensslMissingError(EvidenceError):
    template = gettext_noop("{field}: timestamps need the openssl command, which is not installed")
