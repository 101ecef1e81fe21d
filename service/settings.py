"""All configuration, from ``EMOTRACE_*`` environment variables (the only place that reads them).

Nested scoring rules use a double underscore: ``EMOTRACE_SCORING__HALF_LIFE_HOURS=48``.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import ipaddress
import itertools
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from emotrace.errors import EmotraceError
from emotrace.paths import DEFAULT_DATA_ROOT, DEFAULT_MODEL_DIR, HUB_PREFIX
from emotrace.scoring.next_step import NextStepRule
from emotrace.scoring.outreach import OutreachRules
from emotrace.scoring.profile import EKMAN_EMOTIONS
from emotrace.scoring.rules import ScoringRules, segments_of
from emotrace.scoring.timeline import ALERT_KINDS, TRENDS

MODEL_VARIABLES = ("EMOTRACE_MODEL_DIR", "EMOTRACE_MODEL")  # either names the model directory
MAX_WEBHOOK_URL_CHARS = 2_048  # what the delivery log's endpoint column holds (store.tables.WebhookDelivery)
MAX_SEGMENT_CHARS = 32  # what the customers' segment column holds (store.tables.Customer) and ?segment= takes
SEGMENT_NAME = re.compile(r"[a-z][a-z0-9_-]*")  # a segment band's name, as ?segment= takes it (api.schemas)
WebhookEvent = Literal["alert.new", "alert.changed", "correction"]


def _every_webhook_event() -> list[WebhookEvent]:
    return ["alert.new", "alert.changed", "correction"]


class Webhook(BaseModel):
    """An endpoint of the floor's own tools and the events it is sent."""

    model_config = ConfigDict(extra="forbid")  # a misspelt "event" must not leave every event selected
    url: HttpUrl
    events: list[WebhookEvent] = Field(default_factory=_every_webhook_event, min_length=1)

    @field_validator("url")
    @classmethod
    def a_host_name(cls, url: HttpUrl) -> HttpUrl:
        """Refuse a host no resolver takes (``hooks..example.com``: an empty label; one over 63 characters): every
        attempt to it would fail before it is sent."""
        try:
            (url.host or "").encode("idna")  # as the resolver encodes it (an international name is punycode here)
        except UnicodeError:
            raise ValueError(f"{url.host!r} is not a host name (a label is empty or longer than 63 characters)") \
                from None
        return url

    @field_validator("url")
    @classmethod
    def fits_the_delivery_log(cls, url: HttpUrl) -> HttpUrl:
        """Refuse a URL longer than the delivery log holds: on PostgreSQL every fan-out to it would fail."""
        if len(str(url)) > MAX_WEBHOOK_URL_CHARS:
            raise ValueError(f"{len(str(url))} characters long: at most {MAX_WEBHOOK_URL_CHARS}")
        return url


def refuse_hub_id(value: object) -> None:
    """ValueError for a Hugging Face hub id (``hf://org/name``) where the service reads a local model directory
    (its setting and ``serve --model`` alike), saying how to get the folder."""
    if str(value).startswith(HUB_PREFIX):
        raise ValueError(f"{str(value)!r} is a Hugging Face hub id: the service reads a local model directory. "
                         "Download it where there is a network (huggingface_hub.snapshot_download('org/name') "
                         "returns its folder) and name that folder")


class Settings(BaseSettings):
    """Runtime settings; every field can be set as ``EMOTRACE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="EMOTRACE_", env_nested_delimiter="__", extra="ignore",
                                      populate_by_name=True, allow_inf_nan=False)  # no endless wait or limit

    model_dir: Path = Field(DEFAULT_MODEL_DIR, validation_alias=AliasChoices(*MODEL_VARIABLES),
                            description="The model directory (`EMOTRACE_MODEL_DIR` or `EMOTRACE_MODEL`).")
    data_root: Path = DEFAULT_DATA_ROOT
    threads: int | None = Field(None, ge=1, description="ONNX Runtime threads; None = all cores (max 8).")
    batch_size: int = Field(64, ge=1, description="Texts (or chunks of a long one) the network reads at once.")

    database_url: str = Field("sqlite:///emotrace.db", description="SQLAlchemy URL; postgresql+psycopg://... at scale.")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    api_keys: list[str] = Field(default_factory=list, description="Accepted X-API-Key values; none = loopback only.")
    store_text: Literal["redacted", "none", "raw"] = "redacted"
    id_key: SecretStr | None = Field(None, description="Set to store customer and conversation ids as keyed "
                                     "pseudonyms (HMAC-SHA256): clients keep using their own ids, the database "
                                     "never holds them. Keep the key: without it no stored id can be found again.")
    max_body_bytes: int = Field(1_000_000, ge=1)
    max_batch_items: int = Field(256, ge=1)
    max_chunks_per_text: int = Field(40, ge=1, description="Longest text the API reads, in model windows of 126 "
                                     "tokens (a 20,000-character English text needs ~34; 2,000 emoji need 48).")
    aspects: bool = Field(True, description="Read each topic's own satisfaction (aspects) in the service, batch runs "
                          "and the CLI: the clauses of a multi-clause text are read too (about twice the time on such "
                          "texts; GoEmotions dev: 390 against 728 texts/s).")
    max_request_chars: int = Field(200_000, ge=1, description="Most characters of text one request may hold.")
    max_upload_bytes: int = Field(50_000_000, ge=1, description="Largest conversation file upload (audio).")
    max_conversation_turns: int = Field(2_000, ge=1, description="Most turns one uploaded conversation may hold (its "
                                        "text is also held to max_request_chars).")
    batch_max_size: int = Field(64, ge=1)
    heavy_request_chars: int = Field(2_000, ge=1, description="Requests holding more characters of text (or more "
                                     "than heavy_request_items texts), and every explanation, are read in the heavy "
                                     "lane: a model thread of their own, so light requests never wait behind them.")
    heavy_request_items: int = Field(32, ge=1, description="See heavy_request_chars.")
    heavy_queue_size: int = Field(8, ge=1, description="Heavy requests waiting at most; more are refused (503).")
    webhooks: list[Webhook] = Field(default_factory=list, description="Endpoints sent new and changed alerts and "
                                    "corrections as signed JSON, e.g. '[{\"url\": \"https://helpdesk.example/hook\"}]'.")
    webhook_secret: SecretStr | None = Field(None, description="Signs webhook bodies (HMAC-SHA256); required with "
                                             "webhooks.")
    webhook_timeout_s: float = Field(5.0, gt=0, le=60, description="How long one delivery attempt may take.")
    webhook_max_attempts: int = Field(10, ge=1, le=50, description="Attempts before a delivery is given up (failed).")
    webhook_first_retry_s: float = Field(1.0, gt=0, le=600, description="Wait after a first failed attempt; each "
                                         "later wait doubles, up to 10 min.")
    batch_max_wait_ms: float = Field(4.0, ge=0, le=1000, description="How long a micro-batch waits for more texts "
                                     "after its first: a lone request waits this long.")
    queue_size: int = Field(512, ge=1, description="Requests waiting at most for the model or the store writer.")
    max_queue_wait_ms: float = Field(250.0, gt=0, description="Shed load (503 + Retry-After) while requests wait "
                                     "longer than this for the model or the store writer.")
    admission_places: int = Field(64, ge=1, description="Writes (POST requests) inside the service at once; more "
                                  "wait for a place once their body has arrived, before it is parsed.")
    admission_wait_ms: float = Field(2000.0, ge=0, description="How long a write waits for a place before it is "
                                     "refused (503 + Retry-After).")
    write_group_max: int = Field(512, ge=1, description="Most messages that concurrent requests write in one "
                                 "shared transaction (the store's group commit).")
    max_audio_seconds: float = Field(3600.0, gt=0, description="Longest call audio accepted.")
    asr_model: str | None = Field(None, description="CTranslate2 Whisper model path/name; None = shipped tiny.en.")
    audio_agent_channel: int = Field(0, ge=0, le=1, description="Stereo calls: the agent's channel (0 = left).")
    mono_speaker_role: Literal["customer", "agent"] = "customer"
    demo: bool = Field(False, description="Load the demo customers into an empty store on start.")
    scoring: ScoringRules = Field(default_factory=ScoringRules)
    next_steps_file: Path | None = Field(None, description="A JSON list of next-step rules replacing the default "
                                         "table (see emotrace.scoring.next_step).")
    outcome_model_dir: Path | None = Field(None, description="Outcome models written by `emotrace outcomes fit`: "
                                           "customer views then carry outcome_risk.")
    agent_min_conversations: int = Field(10, ge=1, description="Agents are ranked only on at least this many "
                                         "measured conversations.")
    saveable_churn_risk: float = Field(0.5, ge=0, le=1, description="A customer is 'saveable' at this churn risk or "
                                       "more, with a contact in the last saveable_contact_days, and not churned.")
    saveable_contact_days: float = Field(14.0, gt=0, description="How recent a saveable customer's last contact is.")
    outreach: OutreachRules = Field(default_factory=OutreachRules)

    @field_validator("model_dir", "data_root", "next_steps_file", "outcome_model_dir", mode="before")
    @classmethod
    def a_path(cls, value: object) -> object:
        """Refuse an empty path (read as the current folder) and a hub id (``hf://org/name`` read as a folder
        ``hf:/org/name``): the service reads local files."""
        if isinstance(value, str) and not value.strip():
            raise ValueError("empty: unset it, or name a path")
        refuse_hub_id(value)
        return value

    @model_validator(mode="before")
    @classmethod
    def no_misspelt_variable(cls, data: object) -> object:
        """Refuse an ``EMOTRACE_*`` variable named nearly as a setting (``EMOTRACE_DATABSE_URL``): it would be
        ignored, and the setting left at its default without a word. Other names (a test suite's own) are left."""
        known = [*MODEL_VARIABLES, *(f"EMOTRACE_{name.upper()}" for name in cls.model_fields)]
        for variable in map(str.upper, os.environ):
            if variable.startswith("EMOTRACE_") and variable.split("__")[0] not in known \
                    and (meant := difflib.get_close_matches(variable, known, n=1, cutoff=0.8)):
                raise ValueError(f"{variable} is not a setting ({meant[0]} is): rename it")
        return data

    @model_validator(mode="before")
    @classmethod
    def one_model_dir(cls, data: object) -> object:
        """Refuse ``EMOTRACE_MODEL_DIR`` and ``EMOTRACE_MODEL`` naming two folders (one would be ignored without a
        word); a ``model_dir`` given by keyword is neither."""
        named = {name: os.environ.get(name) for name in MODEL_VARIABLES}
        if isinstance(data, dict) and "model_dir" not in data and all(named.values()) \
                and len({Path(str(value)) for value in named.values()}) > 1:
            raise ValueError(f"{' and '.join(f'{name}={value}' for name, value in named.items())} name two model "
                             "folders: set one of them")
        return data

    @model_validator(mode="after")
    def segments_are_names(self) -> Self:
        """Every segment band is named as ``?segment=`` takes a segment, within what the store holds (on PostgreSQL
        a longer one failed every write of a customer in its band)."""
        for name in self.scoring.segment_bands:
            if len(name) > MAX_SEGMENT_CHARS or not SEGMENT_NAME.fullmatch(name):
                raise ValueError(f"EMOTRACE_SCORING__SEGMENT_BANDS: {name!r} is not a segment name (a lowercase "
                                 f"letter, then lowercase letters, digits, _ and -; at most {MAX_SEGMENT_CHARS} "
                                 "characters)")
        return self

    @model_validator(mode="after")
    def held_segments_exist(self) -> Self:
        """Every held segment is one the scoring rules give (a misspelt one would hold nobody)."""
        known = segments_of(self.scoring)
        for segment in self.outreach.hold_segments:
            if segment not in known:
                raise ValueError(f"EMOTRACE_OUTREACH__HOLD_SEGMENTS: {segment!r} is not one of {known}")
        return self

    @model_validator(mode="after")
    def next_steps_from_file(self) -> Self:
        """Replace the next-step rules with those of ``next_steps_file`` (E019 names what is wrong with it)."""
        if self.next_steps_file is not None:
            try:
                rules = TypeAdapter(list[NextStepRule]).validate_json(self.next_steps_file.read_bytes())
            except (OSError, ValidationError) as exc:
                problem = str(exc) if isinstance(exc, OSError) else "; ".join(
                    f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors()[:5])
                raise EmotraceError("E019", f"The next-steps file {self.next_steps_file} cannot be used: {problem}.",
                                    "Give a JSON list of rules, each with an 'action' (see docs/http-api.md, next steps)."
                                    ) from None
            self._refuse_unknown_conditions(rules)
            self.scoring = self.scoring.model_copy(update={"next_steps": rules})
        return self

    def _refuse_unknown_conditions(self, rules: list[NextStepRule]) -> None:
        """E019 for a condition value the scoring never gives ("at-risk", "down"): the rule would never hold."""
        known = {"segments": segments_of(self.scoring), "alerts": ALERT_KINDS, "emotions": EKMAN_EMOTIONS,
                 "trends": TRENDS}
        for number, rule in enumerate(rules):
            for condition, values in known.items():
                if unknown := [value for value in getattr(rule, condition) if value not in values]:
                    raise EmotraceError("E019", f"The next-steps file {self.next_steps_file} cannot be used: rule "
                                        f"{number}'s {condition} {unknown} are not among {list(values)}: it would "
                                        "never hold.", "Write the values as listed in docs/http-api.md (next steps).")


MIN_API_KEY_CHARS = 16
SENDABLE_KEY = re.compile(r"[!-~]+")  # printable ASCII without spaces: what an X-API-Key header carries unchanged
HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")  # labels, dot-separated


def check_serving(settings: Settings) -> None:
    """Refuse to serve with an id key (E017) or API keys (E016) too short to keep anyone out, webhooks without a
    signing secret (E022), on a host that is no address (E018: a port or a space in it), or on a non-loopback address
    without API keys (E015): every host on the network could then read and write customers' data."""
    make_one = 'Use long random keys, e.g. python -c "import secrets; print(secrets.token_urlsafe(32))".'
    if settings.id_key is not None and len(settings.id_key.get_secret_value().strip()) < MIN_API_KEY_CHARS:
        raise EmotraceError("E017", f"EMOTRACE_ID_KEY is shorter than {MIN_API_KEY_CHARS} characters: its "
                            "pseudonyms could be reversed by trying ids.", make_one)
    weak = [key for key in settings.api_keys if len(key.strip()) < MIN_API_KEY_CHARS]
    if weak:
        raise EmotraceError("E016", f"{len(weak)} of the API keys in EMOTRACE_API_KEYS are empty or shorter than "
                            f"{MIN_API_KEY_CHARS} characters.", make_one)
    if unsendable := [key for key in settings.api_keys if not SENDABLE_KEY.fullmatch(key)]:
        raise EmotraceError("E016", f"{len(unsendable)} of the API keys in EMOTRACE_API_KEYS hold a space or a character "
                            "outside printable ASCII: no X-API-Key header can carry it (HTTP strips the spaces around "
                            "a header and reads its bytes as Latin-1).", make_one)
    try:
        loopback = ipaddress.ip_address(settings.host).is_loopback
    except ValueError:
        if not HOST_NAME.fullmatch(settings.host):
            raise EmotraceError("E018", f"{settings.host!r} is not an address to listen on.", "Give --host "
                                "(EMOTRACE_HOST) an IP address or a host name alone, e.g. 127.0.0.1 or ::1; the port goes "
                                "in --port (EMOTRACE_PORT).") from None
        loopback = settings.host.lower() == "localhost"
    if settings.webhooks and (settings.webhook_secret is None
                              or len(settings.webhook_secret.get_secret_value().strip()) < MIN_API_KEY_CHARS):
        raise EmotraceError("E022", f"EMOTRACE_WEBHOOKS is set but EMOTRACE_WEBHOOK_SECRET is missing or shorter than "
                            f"{MIN_API_KEY_CHARS} characters: receivers could not tell emotrace's calls from forged "
                            "ones.", make_one)
    if not loopback and not settings.api_keys:
        raise EmotraceError("E015", f"Refusing to serve on {settings.host} without API keys: every host that can "
                            "reach it could read and write customer data.",
                            "Set EMOTRACE_API_KEYS='[\"<a long random key>\"]', or serve on 127.0.0.1.")


PSEUDONYM = re.compile(r"p-[0-9a-f]{32}")  # a keyed id as stored and answered


def pseudonym(value: str, settings: Settings) -> str:
    """``value`` (a customer or conversation id) as stored: itself, or its keyed pseudonym when ``id_key`` is set."""
    if settings.id_key is None:
        return value
    return _keyed(value, settings.id_key)


def stored_id(value: str, settings: Settings) -> str:
    """A customer id given by a caller, as stored: a pseudonym (``p-`` and 32 hex digits, as the service answers with
    them when ``id_key`` is set: the dashboard opens the customers it lists) is taken as it is; any other id is
    :func:`pseudonym`'s."""
    if settings.id_key is not None and PSEUDONYM.fullmatch(value):
        return value
    return pseudonym(value, settings)


def _keyed(value: str, key: SecretStr) -> str:
    digest = hmac.new(key.get_secret_value().encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"p-{digest[:32]}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once): E029 naming each ``EMOTRACE_*`` variable whose value cannot be read."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = [f"{_variable(error['loc'])}: {error['msg']}" if error["loc"]  # a rule across settings names its own
                    else str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()[:5]]
    except SettingsError as exc:  # a list or table setting whose value is not JSON
        field = re.search(r'field "(\w+)"', str(exc))
        name = _variable((field.group(1) if field else "?",))
        kind = Settings.model_fields[field.group(1)].annotation if field and field.group(1) in Settings.model_fields \
            else None
        parts = f" (or one of its {name}__* parts)" if isinstance(kind, type) and issubclass(kind, BaseModel) else ""
        problems = [f"{name}{parts}: not valid JSON (a list is written '[\"a\", \"b\"]', a table '{{\"key\": 1}}')"]
    raise EmotraceError("E029", f"A setting cannot be read ({'; '.join(problems)}).")


def _variable(location: tuple[int | str, ...]) -> str:
    """The environment variable of a settings field's error location (``("outreach", "x")``: EMOTRACE_OUTREACH__X;
    inside a list, the item and its field: ``("webhooks", 0, "url")``: EMOTRACE_WEBHOOKS (item 0, url); the model
    directory: whichever of its two names is set)."""
    names = [str(part) for part in itertools.takewhile(lambda part: isinstance(part, str), location)]
    inside = [f"item {part}" if isinstance(part, int) else str(part) for part in location[len(names):]]
    name = "__".join(names).upper()
    name = name if name.startswith("EMOTRACE_") else f"EMOTRACE_{name}"
    if name == "EMOTRACE_MODEL_DIR":  # the model's variable as set: either name
        name = next((variable for variable in MODEL_VARIABLES if variable in os.environ), name)
    return f"{name} ({', '.join(inside)})" if inside else name
