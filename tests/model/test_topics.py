"""The topic view: its word features equal scikit-learn's, and the shipped model reads what messages are about."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from emotrace.errors import EmotraceError
from emotrace.model.classifier import sigmoid, softmax
from emotrace.model.group_heads import SATISFACTION_HEAD
from emotrace.model.labels import INTENT_VIEW, TOPIC_LABELS, TOPIC_VIEW
from emotrace.model.topic_terms import NGRAM_RANGE, TOPIC_TERMS_FILE, TopicTerms
from emotrace.training.topics import fit_topic_terms

TEXTS = ["my parcel never arrived and the parcel tracking says delivered", "charged twice, charged twice again!!",
         "the app crashes when I log in", "Café crème: the refund came through", "no words in vocabulary here xyz",
         "a", "parcel parcel parcel app app refund"]


def test_word_features_are_scikit_learns_tf_idf_without_importing_it() -> None:
    terms = fit_topic_terms(TEXTS, max_terms=50, scale=3.0)
    reference = TfidfVectorizer(ngram_range=NGRAM_RANGE, min_df=2, sublinear_tf=True, max_features=50).fit(TEXTS)
    columns = [terms.vocabulary[t] for t in reference.get_feature_names_out()]
    expected = reference.transform([*TEXTS, "PARCEL, app!", ""]).toarray() * 3.0
    assert np.allclose(terms.features([*TEXTS, "PARCEL, app!", ""])[:, columns], expected, atol=1e-6)


def test_the_views_over_words_read_the_sparse_features_as_the_dense_ones_they_were_fitted_on(classifier) -> None:
    terms = fit_topic_terms(TEXTS, max_terms=50, scale=3.0)
    sparse = terms.sparse_features([*TEXTS, "", "xyz"])
    weight = np.random.default_rng(0).normal(size=(5, terms.width)).astype(np.float32)
    assert np.allclose(sparse.times(weight), terms.features([*TEXTS, "", "xyz"]) @ weight.T, atol=1e-5)
    normalized = [classifier.normalizer(t) for t in [*TEXTS, "I want my money back or I'm leaving", "🙂"]]
    raw = classifier.raw_outputs(normalized)
    pooled, early = raw.pooled, raw.early_pooled
    views = classifier.word_views(normalized, pooled, early)
    assert set(views) == {INTENT_VIEW, TOPIC_VIEW, SATISFACTION_HEAD}
    for view, probabilities in views.items():
        weight, bias = classifier.group_heads[view]
        logits = classifier.head_inputs(normalized, pooled, early, view) @ weight.T + bias
        dense = softmax(logits) if view == SATISFACTION_HEAD else sigmoid(logits)
        assert np.allclose(probabilities, dense, atol=1e-5)


def test_topic_terms_round_trip_and_a_damaged_file_is_named(tmp_path) -> None:
    terms = fit_topic_terms(TEXTS, max_terms=50, scale=2.0)
    terms.save(tmp_path)
    loaded = TopicTerms.load(tmp_path)
    assert loaded is not None and np.allclose(loaded.features(TEXTS), terms.features(TEXTS), atol=1e-5)
    (tmp_path / TOPIC_TERMS_FILE).write_text(json.dumps({"terms": ["a", "a"], "idf": [1.0, 1.0], "scale": 1}))
    with pytest.raises(EmotraceError, match="E116"):
        TopicTerms.load(tmp_path)
    assert TopicTerms.load(tmp_path / "elsewhere") is None


@pytest.mark.parametrize(("text", "topic"), [
    ("I was charged twice for the same order this month.", "billing_charges"),
    ("Been on hold for 50 minutes and still nobody picks up.", "reaching_support"),
    ("My flight was delayed six hours with no explanation.", "delay_waiting"),
    ("The courier left my parcel at the wrong address.", "delivery"),
    ("Can't log in, it keeps saying my password is wrong.", "account_access"),
    ("I want my money back for the broken blender.", "refund_compensation"),
    ("No internet since yesterday morning, the whole street is down.", "network_outage"),
    ("Sarah at the front desk was absolutely wonderful, thank her from me!", "praise_person"),
    ("Your prices went up 30% again, that's outrageous.", "price"),
    ("The app crashes every time I open the basket.", "app_website"),
])
def test_the_shipped_model_reads_what_a_message_is_about(classifier, text: str, topic: str) -> None:
    view = classifier.predict([text], aspects=False)[0].views[TOPIC_VIEW]
    assert list(view.probabilities) == list(TOPIC_LABELS)
    assert topic in view.labels


@pytest.mark.parametrize("text", ["Happy new year everyone!", "Good morning!", "Season's greetings, everybody 🎄",
                                  "ok thanks", "Bye!", "Cheers mate", "Sorry, typo above 🙈", "Evening folks",
                                  "Shubh Diwali, folks!"])
def test_a_message_about_nothing_in_the_taxonomy_has_no_topic(classifier, text: str) -> None:
    [reading] = classifier.predict([text], aspects=True)
    assert reading.views[TOPIC_VIEW].labels == [] and reading.aspects == ()


def test_mixed_feelings_are_read_per_aspect_and_one_clause_gives_its_topics_the_message_feeling(classifier) -> None:
    mixed, plain = classifier.predict(["The room was lovely, but the receptionist was rude to us.",
                                       "Been waiting three weeks for my refund."], aspects=True)
    feeling = {a.topic: a.satisfaction_class for a in mixed.aspects}
    assert feeling.get("staff_behaviour") == "dissatisfied"
    assert "satisfied" in feeling.values()
    assert {a.topic for a in plain.aspects} == set(plain.views[TOPIC_VIEW].labels)
    assert {a.satisfaction_class for a in plain.aspects} == {plain.satisfaction_class}


def test_aspects_are_asked_for_and_other_views_do_not_change(classifier) -> None:
    text = "Great coffee, but the card machine charged me twice."
    [full], [without] = classifier.predict([text], aspects=True), classifier.predict([text])
    assert full.aspects and without.aspects == ()
    assert full.views == without.views and full.satisfaction == without.satisfaction
