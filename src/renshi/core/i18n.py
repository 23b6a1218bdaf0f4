"""Translation markers for the core.

The core cannot import Django, yet its messages must reach Django's catalogue. ``gettext_noop``
has the name xgettext already extracts (Django's makemessages passes it as a keyword), so the
core marks its message templates with it and the presentation layer translates them.
"""


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction; return it unchanged."""
    return message
