"""The core's errors: a message template, its parameters, and the field at fault.

Templates are English and marked for translation; the web, the API and the CLI render them in
the user's language with ``error.render(gettext)``. Tests assert on ``template`` and ``params``,
never on rendered text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from renshi.core.i18n import gettext_noop


@dataclass(frozen=True, slots=True)
class Message:
    """A translatable message: a template with named parameters."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = str) -> str:
        values = {
            key: value.render(translate) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return translate(self.template).format(**values)


class CoreError(ValueError):
    """Base of every error the core raises on bad input or missing data."""

    template: ClassVar[str] = gettext_noop("{field}: invalid value")

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, Any] = params
        super().__init__(self.render())

    @property
    def field(self) -> str | None:
        value = self.params.get("field")
        return None if value is None else str(value)

    @property
    def message(self) -> Message:
        return Message(self.template, self.params)

    def render(self, translate: Callable[[str], str] = str) -> str:
        return self.message.render(translate)
