"""Request bodies of the HTTP API, validated with pydantic, and their translation to library options."""
from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from unspin.api import InputError, _as_text
from unspin.config import Config
from unspin.serve.limits import ApiError

_DEFAULTS = Config()


class TextRequest(BaseModel):
    """The text to look at: the one field every endpoint takes."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: str = Field(description="The text, as a JSON string. Offsets in the answer count Unicode code points.", examples=["The results are as pursues: the Center East shows the way."])

    @field_validator("text")
    @classmethod
    def _text_is_usable(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is empty")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"text has an unpaired surrogate (\\u{ord(text[exc.start]):04x}) at character {exc.start}") from None
        try:  # the library's own input checks (binary data), before the text waits in the queue
            _as_text(text, _DEFAULTS)
        except InputError as exc:
            raise ValueError(str(exc)) from None
        return text


class CheckRequest(TextRequest):
    """Body of ``POST /v1/check`` and ``POST /v1/restore``: the text and the library's options."""

    min_confidence: float = Field(_DEFAULTS.min_confidence, ge=0.0, le=1.0, description="Drop findings below this confidence.")
    restore_confidence: float | None = Field(None, ge=0.0, le=1.0, description="Restore from this confidence up (default: min_confidence).")
    top_k: int = Field(_DEFAULTS.top_k, ge=1, le=20, description="Suggestions per finding.")
    spun_prior: float = Field(_DEFAULTS.spun_prior, ge=0.0, le=1.0, description="How likely the text is to be spun before it is read (weighs one-word evidence).")
    allow: list[str] = Field(default_factory=list, max_length=10_000, description="Phrases never flagged.")
    lexicon: dict[str, str | list[str]] = Field(default_factory=dict, max_length=10_000, description="Your own spun -> original(s) pairs, always reported.")

    @field_validator("lexicon")
    @classmethod
    def _lexicon_is_usable(cls, lexicon: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for spun, originals in lexicon.items():
            values = [originals] if isinstance(originals, str) else originals
            if not spun.strip() or not values or not all(v.strip() for v in values):
                raise ValueError(f"entry {spun!r}: the spun phrase and its original(s) must be non-empty")
        return lexicon

    def config(self, fast: bool) -> Config:
        """The library :class:`~unspin.config.Config` these options ask for (``fast``: no neural word stage)."""
        restore = self.min_confidence if self.restore_confidence is None else self.restore_confidence
        return _DEFAULTS._replace(
            min_confidence=self.min_confidence,
            restore_confidence=restore,
            top_k=self.top_k,
            spun_prior=self.spun_prior,
            word_spins=_DEFAULTS.word_spins and not fast,
            allow=frozenset(p.lower() for p in self.allow if p.strip()),
            lexicon=dict(self.lexicon) or None,
        )


class TraceRequest(TextRequest):
    """Body of ``POST /v1/trace``: the text and how many sources to return."""

    k: int = Field(5, ge=1, le=50, description="How many likely sources to return.")


def parse(body: bytes, model: type[BaseModel]) -> Any:
    """Decode, parse and validate a JSON request body; each failure is an :class:`ApiError` with a plain message."""
    if not body.strip():
        raise ApiError(400, 'request body is empty; send JSON such as {"text": "..."}')
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"request body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ApiError(422, f'request body must be a JSON object such as {{"text": "..."}}, not {type(data).__name__}')
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "; ".join(_describe(e) for e in exc.errors(include_url=False))) from None


def _describe(error: dict[str, Any]) -> str:
    """One pydantic error as ``field: message``."""
    where = ".".join(str(p) for p in error["loc"]) or "body"
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown field"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"
