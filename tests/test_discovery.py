"""Discovered topics on messages of three plainly different subjects: the clusters keep the subjects apart, their
keywords name them, messages the clustering leaves out join a topic only when near it, the emerging flag follows the
times, and the command line writes the report or refuses bad input with its code. Real encoder, real clustering (no
mocks)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from emotrace.cli import app
from emotrace.discovery import (
    Discovery,
    assign_outliers,
    cluster_keywords,
    default_min_cluster_size,
    discover_topics,
    emerging_clusters,
)
from emotrace.errors import EmotraceError
from emotrace.evaluation.discovery import is_acknowledgement

PASSWORD = [
    "I can't log in, the password reset link never arrives",
    "password reset email expired before I could use it",
    "locked out of my account after the password reset failed",
    "how do I reset my password? the reset page errors",
    "forgot my password and the reset code is not accepted",
    "the password reset form says my email is unknown",
    "reset my password three times, still cannot log in",
    "why does the password reset keep sending me in a loop",
    "new password not accepted after the reset",
    "cannot sign in, password reset link is broken",
    "password reset text never came through to my phone",
    "your password reset page just spins forever",
    "need help resetting my password, locked out",
    "the password reset link says it is invalid",
    "changed my password via reset and now the app logs me out",
    "password reset code arrives after it has expired",
    "stuck on the password reset screen again",
    "reset password button does nothing on the website",
    "my password reset request was ignored",
    "please reset my password manually, the link fails",
]
REFUND = [
    "still waiting for my refund, it has been three weeks",
    "you charged me twice, I want a refund for the second charge",
    "where is my refund? the money never came back to my card",
    "refund promised in 5 days, nothing on my card yet",
    "I was charged for a cancelled order, please refund me",
    "the refund went to an old card, how do I get my money",
    "requesting a full refund for the double charge",
    "my refund was approved but the money is missing",
    "charged the wrong amount, I need the difference refunded",
    "when will the refund reach my bank account",
    "you took my money and refused the refund",
    "refund of 40 pounds still not in my account",
    "I returned the item weeks ago and got no refund",
    "card charged after I cancelled, refund it now",
    "refund status says processed but my bank shows nothing",
    "give me my money back, the refund is overdue",
    "the refund amount was less than I paid",
    "a month later and still no refund for my return",
    "how long does a refund take to show on my card",
    "you owe me a refund for the overcharge",
]
DELIVERY = [
    "my parcel is late, the courier never showed up",
    "delivery was due yesterday and the package is still not here",
    "tracking says delivered but there is no parcel at my door",
    "the courier left my package in the rain",
    "parcel stuck at the depot for a week",
    "where is my delivery? tracking has not moved in days",
    "driver marked the parcel delivered to the wrong address",
    "my package arrived crushed by the courier",
    "delivery slot missed again, nobody came",
    "the courier says my address does not exist",
    "package lost in transit, tracking shows nothing",
    "parcel delivered to a neighbour I don't know",
    "delivery delayed for the third time this week",
    "my order left the warehouse ten days ago and never arrived",
    "courier tried to deliver while I was home and left a card",
    "the tracking number for my parcel does not work",
    "package returned to sender without any delivery attempt",
    "next day delivery took six days",
    "the delivery van drove past my house",
    "my parcel has been out for delivery since Monday",
]
OFF_TOPIC = [  # near none of the three subjects
    "my cat knocked the vase off the shelf this morning",
    "the football match went to penalties last night",
    "what a lovely sunny day for a picnic in the park",
    "I'm learning to play the violin at fifty",
]
SUBJECTS = {"password": PASSWORD, "refund": REFUND, "delivery": DELIVERY}
TEXTS = [text for group in zip(PASSWORD, REFUND, DELIVERY, strict=True) for text in group]  # interleaved
SUBJECT_OF = {text: name for name, texts in SUBJECTS.items() for text in texts}
START = datetime(2026, 1, 1, tzinfo=UTC)


def _run(texts: list[str], times: list[datetime] | None = None, outlier_similarity: float | None = 0.3) -> Discovery:
    return discover_topics(texts, times, min_cluster_size=5, outlier_similarity=outlier_similarity)


@pytest.fixture(scope="module")
def found() -> Discovery:
    return _run(TEXTS)


def _subject(found: Discovery, topic_id: int) -> Counter[str]:
    return Counter(SUBJECT_OF[text] for text, label in zip(TEXTS, found.labels, strict=True) if label == topic_id)


def test_clusters_keep_the_subjects_apart(found: Discovery) -> None:
    assert len(found.topics) >= 3
    assert found.noise - found.assigned == int((found.labels == -1).sum()) <= len(TEXTS) // 10
    covered = set()
    for topic in found.topics:
        subjects = _subject(found, topic.id)
        (subject, count), *_ = subjects.most_common()
        assert count == topic.size, f"topic {topic.id} mixes subjects: {subjects}"
        covered.add(subject)
        assert len(topic.examples) == 3 and all(SUBJECT_OF[e] == subject for e in topic.examples)
        assert topic.share == pytest.approx(topic.size / len(TEXTS))
    assert covered == set(SUBJECTS)
    assert [t.size for t in found.topics] == sorted((t.size for t in found.topics), reverse=True)


def test_noise_near_a_cluster_joins_it_and_far_noise_does_not() -> None:
    centres = np.eye(3, 8, dtype=np.float32)
    rng = np.random.default_rng(0)
    members = np.repeat(centres, 5, axis=0) + 0.05 * rng.standard_normal((15, 8)).astype(np.float32)
    near_1 = np.array([0.3, 0.9, 0.3, 0, 0, 0, 0, 0], dtype=np.float32)  # cosine 0.9 to centre 1, 0.3 to 0 and 2
    half_way = np.array([0.6, 0.6, 0, 0.53, 0, 0, 0, 0], dtype=np.float32)  # cosine 0.6 to centres 0 and 1
    far = np.array([0, 0, 0.25, 0.97, 0, 0, 0, 0], dtype=np.float32)  # cosine 0.25 to centre 2, the nearest
    vectors = np.vstack([members, near_1, half_way, far])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.array([0] * 5 + [1] * 5 + [2] * 5 + [-1, -1, -1])
    joined = assign_outliers(vectors, labels, 0.3)
    assert joined[:15].tolist() == labels[:15].tolist()  # members stay
    assert joined[15] == 1 and joined[16] in (0, 1) and joined[17] == -1
    assert assign_outliers(vectors, labels, 0.2)[17] == 2  # a lower threshold takes the far one too
    assert assign_outliers(vectors, labels, 0.95)[15:].tolist() == [-1, -1, -1]
    assert labels[15:].tolist() == [-1, -1, -1]  # the input is left as it was
    assert assign_outliers(vectors, np.full(18, -1), 0.0).tolist() == [-1] * 18  # no cluster: nothing to join


def test_off_topic_messages_stay_unassigned_and_the_counts_add_up() -> None:
    texts = TEXTS + OFF_TOPIC
    joined, kept = _run(texts), _run(texts, outlier_similarity=None)
    assert kept.assigned == 0 and kept.noise == int((kept.labels == -1).sum()) == joined.noise
    assert joined.labels[-len(OFF_TOPIC):].tolist() == [-1] * len(OFF_TOPIC)
    assert 0 < joined.assigned == sum(t.assigned for t in joined.topics) <= joined.noise - len(OFF_TOPIC)
    moved = (kept.labels == -1) & (joined.labels != -1)
    assert int(moved.sum()) == joined.assigned
    assert np.array_equal(joined.labels[~moved], kept.labels[~moved])  # the clusters' own members stay put
    for topic in joined.topics:
        assert topic.size == int((joined.labels == topic.id).sum()) == int((kept.labels == topic.id).sum()) + topic.assigned
    report = joined.to_dict()
    assert report["unassigned"] == len(OFF_TOPIC) and report["outlier_similarity"] == 0.3
    assert report["noise"] == report["assigned"] + report["unassigned"]
    assert sum(t["size"] for t in report["topics"]) + report["unassigned"] == len(texts)


@pytest.mark.parametrize(("n", "size"), [(20, 5), (500, 5), (1000, 7), (1303, 8), (2000, 10), (4614, 15), (50000, 50)])
def test_the_default_minimum_cluster_size_grows_as_the_square_root(n: int, size: int) -> None:
    assert default_min_cluster_size(n) == size


@pytest.mark.parametrize(("text", "ack"), [
    ("@SpotifyCares thanks!! that worked", True), ("@SpotifyCares https://t.co/abc", True),
    ("@SpotifyCares \U0001f64f\U0001f64f", True), ("@SpotifyCares ok will do", True),
    ("@SpotifyCares the app crashes on iOS 11 every time I open a playlist", False),
    ("@SpotifyCares thanks but my playlist still shuffles with shuffle off on my iPhone", False),
])
def test_short_acknowledgements_are_told_from_problems(text: str, ack: bool) -> None:
    assert is_acknowledgement(text) is ack


def test_keywords_name_the_subject(found: Discovery) -> None:
    words = {"password": {"password", "reset"}, "refund": {"refund", "charged", "money"},
             "delivery": {"parcel", "delivery", "courier", "package", "delivered", "tracking"}}
    for topic in found.topics:
        (subject, _), = _subject(found, topic.id).most_common(1)
        assert words[subject] & set(topic.keywords[:3]), (subject, topic.keywords)
        assert not {"the", "my", "user", "link"} & set(topic.keywords)


def test_the_same_texts_give_the_same_topics(found: Discovery) -> None:
    again = _run(TEXTS)
    assert np.array_equal(again.labels, found.labels)
    assert [t.keywords for t in again.topics] == [t.keywords for t in found.topics]


def test_a_subject_all_in_the_last_week_is_emerging() -> None:
    earlier = [t for t in TEXTS if SUBJECT_OF[t] != "delivery"]
    recent = DELIVERY
    times = [START + timedelta(days=i * 30 / len(earlier)) for i in range(len(earlier))]
    times += [START + timedelta(days=31 + i * 5 / len(recent)) for i in range(len(recent))]
    found = _run(earlier + recent, times)
    assert found.window is not None and found.window[1] == max(times)
    flagged = {SUBJECT_OF[(earlier + recent)[int(np.flatnonzero(found.labels == t.id)[0])]]
               for t in found.topics if t.emerging}
    assert flagged == {"delivery"}
    assert all(t.earlier_share == 0.0 for t in found.topics if t.emerging)


def test_nothing_is_emerging_when_every_subject_is_spread_evenly() -> None:
    times = [START + timedelta(hours=12 * i) for i in range(len(TEXTS))]  # interleaved subjects over 30 days
    found = _run(TEXTS, times)
    assert found.topics and not any(t.emerging for t in found.topics)
    assert all(t.recent_share is not None for t in found.topics)


def test_the_emerging_rule() -> None:
    labels = np.array([0] * 10 + [1] * 10 + [-1] * 4)
    recent = np.zeros(24, dtype=bool)
    recent[[0, 1, 2, 3, 4, 10, 20]] = True  # cluster 0: 5 of 7 recent messages; cluster 1: 1
    flags = emerging_clusters(labels, recent, min_recent=5)
    assert flags[0] == pytest.approx((5 / 7, 5 / 17, True))
    assert flags[1][2] is False
    assert emerging_clusters(labels, recent, min_recent=6)[0][2] is False  # too few recent messages
    assert not any(f[2] for f in emerging_clusters(labels, np.ones(24, dtype=bool)).values())  # nothing before


def test_too_few_texts_is_a_coded_error() -> None:
    with pytest.raises(EmotraceError) as raised:
        discover_topics(TEXTS[:19])
    assert raised.value.code == "E023"
    with pytest.raises(EmotraceError, match="E023"):
        discover_topics(TEXTS[:30], min_cluster_size=16)


def _csv(path: Path, texts: list[str], times: list[datetime] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "timestamp"])
        for i, text in enumerate(texts):
            writer.writerow([text, (times[i] if times else START + timedelta(hours=i)).isoformat()])
    return path


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["topics", "discover", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_prints_the_topics_and_writes_the_report(tmp_path: Path) -> None:
    source = _csv(tmp_path / "messages.csv", TEXTS)
    report_path = tmp_path / "report.json"
    code, out, _ = _cli(str(source), "--time-column", "timestamp", "--min-cluster-size", "5",
                        "--output", str(report_path))
    assert code == 0
    report = json.loads(report_path.read_text())
    assert report["texts"] == len(TEXTS) and report["clusters"] == len(report["topics"]) >= 3
    assert report["unassigned"] + sum(t["size"] for t in report["topics"]) == len(TEXTS)
    assert report["noise"] == report["assigned"] + report["unassigned"] and report["outlier_similarity"] == 0.3
    assert "messages in none" in out and "joined the nearest topic" in out
    assert report["recent_window"]["end"].startswith((START + timedelta(hours=len(TEXTS) - 1)).isoformat()[:16])
    assert report["command"].startswith("emotrace topics discover")
    first = report["topics"][0]
    assert ", ".join(first["keywords"][:3]) in out and f"{first['size']:>6}" in out


def test_cli_keep_outliers_leaves_the_noise_unassigned(tmp_path: Path) -> None:
    source = _csv(tmp_path / "messages.csv", TEXTS + OFF_TOPIC)
    reports = []
    for extra in ([], ["--keep-outliers"]):
        code, _, _ = _cli(str(source), "--min-cluster-size", "5", "--output", str(tmp_path / "r.json"), *extra)
        assert code == 0
        reports.append(json.loads((tmp_path / "r.json").read_text()))
    joined, kept = reports
    assert kept["assigned"] == 0 and kept["unassigned"] == kept["noise"] == joined["noise"]
    assert kept["outlier_similarity"] is None and all(t["assigned"] == 0 for t in kept["topics"])
    assert joined["assigned"] > 0 and joined["unassigned"] == len(OFF_TOPIC)


@pytest.mark.parametrize(("args", "code", "text"), [
    (["--text-column", "body"], "E503", "Column 'body' is not in"),
    (["--time-column", "when"], "E503", "Column 'when' is not in"),
    (["--min-cluster-size", "40"], "E023", "too few to find topics"),
])
def test_cli_refuses_bad_input_with_its_code(tmp_path: Path, args: list[str], code: str, text: str) -> None:
    exit_code, out, err = _cli(str(_csv(tmp_path / "messages.csv", TEXTS)), *args)
    assert exit_code == 2 and f"[{code}]" in err and text in err
    assert out == ""


def test_cli_refuses_recent_days_without_a_time_column(tmp_path: Path) -> None:
    """Found by a review: --recent-days without --time-column was silently ignored."""
    exit_code, out, err = _cli(str(_csv(tmp_path / "messages.csv", TEXTS)), "--recent-days", "3")
    assert exit_code == 2 and "[E027]" in err and "--recent-days needs --time-column" in err
    assert out == ""


def test_cli_refuses_too_few_rows_and_an_empty_file(tmp_path: Path) -> None:
    exit_code, _, err = _cli(str(_csv(tmp_path / "few.csv", TEXTS[:10])))
    assert exit_code == 2 and "[E023] 10 texts are too few" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("text,timestamp\n")
    exit_code, _, err = _cli(str(empty))
    assert exit_code == 2 and "[E513]" in err


def test_keywords_are_words_not_numbers_or_pieces_of_contractions() -> None:
    """Found by a new-user trial: keywords "12, 75, 19, 99" (prices) and "isn", "hasn" (of "isn't", "hasn't")."""
    texts = ["Charged £12.75 twice, refund isn't here", "refund of 19.99 hasn't arrived, charged twice",
             "my refund still isn't here after 12 days", "the charge of 75 pounds hasn't been refunded"]
    keywords = cluster_keywords(texts, np.zeros(4, dtype=int))[0]
    assert "refund" in keywords
    assert not [k for k in keywords if any(ch.isdigit() for ch in k) or k in ("isn", "hasn", "t")], keywords


def test_clusters_of_only_stop_words_and_ids_have_no_keywords_not_a_traceback() -> None:
    """Found by a review: texts of only stop words, order numbers and handles left no vocabulary; the CountVectorizer's
    ValueError ended `topics discover` in a traceback after the slow encoding."""
    texts = ["no", "not now", "#12345", "@bob"] * 5
    assert cluster_keywords(texts, np.array([0, 1] * 10)) == {0: [], 1: []}
