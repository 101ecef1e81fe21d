"""Settings read from the environment under the names the docs and issues give."""

import re
from pathlib import Path

import pytest

from emotrace.settings import Settings


@pytest.mark.parametrize("name", ["EMOTRACE_MODEL_DIR", "EMOTRACE_MODEL"])
def test_the_model_directory_is_read_from_either_name(name: str, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.delenv("EMOTRACE_MODEL_DIR", raising=False)
    monkeypatch.delenv("EMOTRACE_MODEL", raising=False)
    monkeypatch.setenv(name, str(tmp_path))
    assert Settings().model_dir == tmp_path


def test_the_model_directory_is_still_set_by_keyword(tmp_path: Path) -> None:
    assert Settings(model_dir=tmp_path).model_dir == tmp_path


def _refusal(monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]) -> str:
    """The E029 refusal of the settings read with ``variables`` set."""
    from emotrace.errors import EmotraceError
    from emotrace.settings import get_settings

    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(EmotraceError, match="E029") as refused:
            get_settings()
    finally:
        get_settings.cache_clear()
    return str(refused.value)


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("EMOTRACE_SCORING__ROUTE_RECENT_HOURS", "inf", "EMOTRACE_SCORING__ROUTE_RECENT_HOURS: Input should be a finite"),
    ("EMOTRACE_OUTREACH__SEGMENT_RECHECK_DAYS", "1e9", "EMOTRACE_OUTREACH__SEGMENT_RECHECK_DAYS: Value error, "
                                                      "more than 3650 days"),
    ("EMOTRACE_SCORING__HALF_LIFE_HOURS", "1e12", "EMOTRACE_SCORING__HALF_LIFE_HOURS: Value error, more than 87600"),
    # found by a re-trial: a misspelt held segment cleared at-risk customers for marketing without a word
    ("EMOTRACE_OUTREACH__HOLD_SEGMENTS", '["at-risk"]', "EMOTRACE_OUTREACH__HOLD_SEGMENTS: 'at-risk' is not one of"),
    # the variable named as set, with what it holds: not its parent, not "a list" for a table
    ("EMOTRACE_OUTREACH__HOLD_SEGMENTS", "at_risk", "EMOTRACE_OUTREACH (or one of its EMOTRACE_OUTREACH__* parts): "
                                                    "not valid JSON"),
    ("EMOTRACE_WEBHOOKS", '[{"url": "notaurl"}]', "EMOTRACE_WEBHOOKS (item 0, url): Input should be a valid URL"),
    # found by a review: hosts no resolver takes (an empty label, one over 63 characters) were accepted, and every
    # attempt to them raised UnicodeError, which stopped all deliveries
    ("EMOTRACE_WEBHOOKS", '[{"url": "http://hooks..example.com/hook"}]',
     "EMOTRACE_WEBHOOKS (item 0, url): Value error, 'hooks..example.com' is not a host name"),
    ("EMOTRACE_WEBHOOKS", '[{"url": "https://127.0.0.1:9/h"}, {"url": "http://%s.example.com/hook"}]' % ("a" * 64),
     "EMOTRACE_WEBHOOKS (item 1, url): Value error, 'aaaa"),
    # found by a re-trial: a misspelt key was dropped (every event sent; a window left at its default)
    ("EMOTRACE_WEBHOOKS", '[{"url": "http://127.0.0.1:9/hook", "event": ["alert.new"]}]',
     "EMOTRACE_WEBHOOKS (item 0, event): Extra inputs are not permitted"),
    ("EMOTRACE_SCORING__HALF_LIFE_HOUR", "10", "EMOTRACE_SCORING__HALF_LIFE_HOUR: Extra inputs are not permitted"),
    ("EMOTRACE_OUTREACH__QUIET_DAY", "3", "EMOTRACE_OUTREACH__QUIET_DAY: Extra inputs are not permitted"),
])
def test_a_window_too_long_to_compute_with_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, variable: str,
                                                               value: str, said: str) -> None:
    """Found by a re-trial: `inf` or 1e9 days were accepted, then every write answered 500 and `outreach` ended in an
    OverflowError traceback."""
    refused = _refusal(monkeypatch, {variable: value})
    assert said in refused, refused


def test_webhook_hosts_a_resolver_takes_are_accepted() -> None:
    """The host check refuses only what no resolver takes: IP addresses, names with a trailing dot and
    international names (sent as punycode) stay accepted."""
    urls = ["http://127.0.0.1:9/h", "http://[::1]:9/h", "https://helpdesk.example./hook", "https://münchen.example/h",
            f"https://{'a' * 63}.example/h", "http://localhost:8080/h?token=abc"]
    assert len(Settings(webhooks=[{"url": url} for url in urls]).webhooks) == len(urls)


def test_one_segment_band_moves_that_band_and_keeps_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by a re-trial: EMOTRACE_SCORING__SEGMENT_BANDS__DELIGHTED=90 replaced the whole table, and every customer
    under 90 became at_risk."""
    from emotrace.scoring.timeline import segment
    from emotrace.settings import Settings

    monkeypatch.setenv("EMOTRACE_SCORING__SEGMENT_BANDS__DELIGHTED", "90")
    rules = Settings().scoring
    assert rules.segment_bands == {"delighted": 90.0, "satisfied": 60.0, "neutral": 42.0, "frustrated": 28.0}
    assert [segment(x, rules) for x in (95, 70, 50, 30, 10)] == ["delighted", "satisfied", "neutral", "frustrated",
                                                                 "at_risk"]


LONGEST_URL = "https://hooks.example.com/" + "x" * (2_048 - len("https://hooks.example.com/"))


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("EMOTRACE_WEBHOOKS", f'[{{"url": "{LONGEST_URL}"}}, {{"url": "{LONGEST_URL}y"}}]',
     "EMOTRACE_WEBHOOKS (item 1, url): Value error, 2049 characters long: at most 2048"),
    ("EMOTRACE_SCORING__SEGMENT_BANDS__DELIGHTED_AND_LIKELY_TO_RECOMMEND_US", "85",
     "EMOTRACE_SCORING__SEGMENT_BANDS: 'delighted_and_likely_to_recommend_us' is not a segment name"),
    ("EMOTRACE_SCORING", '{"segment_bands": {"Very Happy": 85}}',
     "EMOTRACE_SCORING__SEGMENT_BANDS: 'Very Happy' is not a segment name"),
    ("EMOTRACE_SCORING", '{"segment_bands": {"1st": 85}}', "EMOTRACE_SCORING__SEGMENT_BANDS: '1st' is not a segment"),
], ids=["url", "long band", "band with a space", "band starting with a digit"])
def test_a_value_longer_than_its_column_or_a_segment_the_api_cannot_filter_on_is_refused_at_start(
        monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str) -> None:
    """Found by a review: a webhook URL longer than the delivery log's column (2,048) and a segment band named longer
    than the customers' column (32), or not as ``?segment=`` takes one, were accepted; on PostgreSQL every write of
    a customer in that band then failed, and every webhook round."""
    refused = _refusal(monkeypatch, {variable: value})
    assert said in refused, refused


def test_the_longest_webhook_url_and_segment_name_the_store_holds_are_accepted() -> None:
    from emotrace.api.schemas import SEGMENT_PATTERN

    band = "a" + "b_-9" * 7 + "xyz"
    assert len(band) == 32 and re.fullmatch(SEGMENT_PATTERN, band)
    settings = Settings(webhooks=[{"url": LONGEST_URL}], scoring={"segment_bands": {band: 95}})
    assert len(str(settings.webhooks[0].url)) == 2_048 and band in settings.scoring.segment_bands


@pytest.mark.parametrize(("variable", "value"), [
    ("EMOTRACE_BATCH_SIZE", "0"), ("EMOTRACE_QUEUE_SIZE", "0"), ("EMOTRACE_THREADS", "-5"),
    ("EMOTRACE_MAX_BATCH_ITEMS", "0"), ("EMOTRACE_BATCH_MAX_SIZE", "0"), ("EMOTRACE_MAX_BODY_BYTES", "0"),
    ("EMOTRACE_BATCH_MAX_WAIT_MS", "-1"), ("EMOTRACE_MAX_UPLOAD_BYTES", "0")])
def test_a_size_or_count_below_its_least_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, variable: str,
                                                             value: str) -> None:
    """Found by a review: EMOTRACE_BATCH_SIZE=0 was accepted, then every POST /v1/analyze answered 500 (E922);
    EMOTRACE_QUEUE_SIZE=0 made the queue unbounded; EMOTRACE_THREADS=-5 and EMOTRACE_MAX_BATCH_ITEMS=0 were taken."""
    assert f"{variable}: Input should be greater than" in _refusal(monkeypatch, {variable: value})


def test_both_model_variables_naming_two_models_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Found by a review: with EMOTRACE_MODEL and EMOTRACE_MODEL_DIR both set, one was ignored without a word."""
    said = _refusal(monkeypatch, {"EMOTRACE_MODEL_DIR": str(tmp_path / "a"), "EMOTRACE_MODEL": str(tmp_path / "b")})
    assert f"EMOTRACE_MODEL_DIR={tmp_path / 'a'}" in said and f"EMOTRACE_MODEL={tmp_path / 'b'}" in said, said
    monkeypatch.setenv("EMOTRACE_MODEL", f"{tmp_path / 'a'}/")  # the same folder: nothing to choose between
    assert Settings().model_dir == tmp_path / "a"
    assert Settings(model_dir=tmp_path).model_dir == tmp_path  # a keyword is neither variable


@pytest.mark.parametrize(("variable", "meant"), [("EMOTRACE_DATABSE_URL", "EMOTRACE_DATABASE_URL"),
                                                 ("EMOTRACE_API_KEY", "EMOTRACE_API_KEYS"),
                                                 ("EMOTRACE_STORETEXT", "EMOTRACE_STORE_TEXT")])
def test_a_misspelt_variable_is_refused_naming_the_one_meant(monkeypatch: pytest.MonkeyPatch, variable: str,
                                                             meant: str) -> None:
    """Found by a review: EMOTRACE_DATABSE_URL (a typo) was ignored without a word and the service stored into the
    default emotrace.db; a misspelt EMOTRACE_API_KEY left the service without keys."""
    refused = _refusal(monkeypatch, {variable: "sqlite:////srv/x.db"})
    assert f"{variable} is not a setting" in refused and meant in refused, refused


def test_variables_of_other_tools_sharing_the_prefix_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from emotrace.settings import get_settings

    monkeypatch.setenv("EMOTRACE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:1/postgres")
    monkeypatch.setenv("EMOTRACE_REQUIRE_POSTGRES", "1")
    get_settings.cache_clear()
    try:
        assert get_settings().database_url == "sqlite:///emotrace.db"
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("variable", ["EMOTRACE_MODEL", "EMOTRACE_OUTCOME_MODEL_DIR", "EMOTRACE_NEXT_STEPS_FILE",
                                      "EMOTRACE_DATA_ROOT"])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_path_is_refused_naming_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str,
                                                      value: str) -> None:
    """Found by a review: EMOTRACE_MODEL= (empty) was read as the current folder ("E111 . is not a model directory",
    naming no variable; a refusal named EMOTRACE_MODEL_DIR where EMOTRACE_MODEL was set) and
    EMOTRACE_OUTCOME_MODEL_DIR= loaded outcome models from wherever the service started."""
    refused = _refusal(monkeypatch, {variable: value})
    assert f"{variable}: Value error, empty" in refused, refused


def test_a_hub_model_is_refused_naming_it_not_read_as_a_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by a review: EMOTRACE_MODEL=hf://org/name was read as the folder hf:/org/name and refused as "Model
    directory hf:/org/name does not exist", naming neither the hub id nor what to do."""
    refused = _refusal(monkeypatch, {"EMOTRACE_MODEL": "hf://org/name"})
    assert "EMOTRACE_MODEL: Value error, 'hf://org/name' is a Hugging Face hub id" in refused, refused
    assert "local model directory" in refused, refused


@pytest.mark.parametrize(("variable", "value"), [("EMOTRACE_BATCH_MAX_WAIT_MS", "inf"),
                                                 ("EMOTRACE_BATCH_MAX_WAIT_MS", "1e9"),
                                                 ("EMOTRACE_ADMISSION_WAIT_MS", "inf"),
                                                 ("EMOTRACE_MAX_QUEUE_WAIT_MS", "inf"),
                                                 ("EMOTRACE_MAX_AUDIO_SECONDS", "inf")])
def test_an_endless_wait_or_limit_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, variable: str,
                                                      value: str) -> None:
    """Found by a review: EMOTRACE_BATCH_MAX_WAIT_MS=inf (or 1e9) was accepted, then a lone POST /v1/analyze waited
    for 63 more texts that never came: the request hung; `inf` was taken by every other wait and limit too."""
    assert variable in _refusal(monkeypatch, {variable: value})


@pytest.mark.parametrize("host", ["127.0.0.1:8000", " 127.0.0.1", "", "http://localhost", "local host"])
def test_a_host_that_is_no_address_is_refused_as_such(host: str) -> None:
    """Found by a review: `serve --host 127.0.0.1:8000` (the port written into the host), a host with a space or an
    empty one was refused as "serving on 127.0.0.1:8000 without API keys" (E015): set API keys, it said, or serve on
    127.0.0.1, which it was given."""
    from emotrace.errors import EmotraceError
    from emotrace.settings import check_serving

    with pytest.raises(EmotraceError) as refused:
        check_serving(Settings(host=host))
    assert refused.value.code == "E018" and f"{host!r} is not an address to listen on" in refused.value.problem
    assert "--port" in refused.value.fix


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "LOCALHOST"])
def test_loopback_hosts_are_served_without_keys(host: str) -> None:
    from emotrace.settings import check_serving

    check_serving(Settings(host=host))
