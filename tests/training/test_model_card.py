"""MODEL_CARD.md is generated from ``emotrace.json``: a Hugging Face metadata header, then prose."""

from __future__ import annotations

import shutil
from itertools import pairwise
from pathlib import Path

import yaml

from emotrace.model.classifier import DEFAULT_MODEL_DIR
from emotrace.model.config import read_config
from emotrace.training.model_card import CARD_FILE, DATA_LICENSES, write_model_card


def card_header(directory: Path) -> dict:
    """The YAML metadata block between the card's first two ``---`` lines."""
    text = (directory / CARD_FILE).read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))


def metric(header: dict, dataset: str, name: str, config: str | None = None) -> float:
    """One metric's value from the header's model-index results."""
    (result,) = [r for r in header["model-index"][0]["results"]
                 if r["dataset"]["type"] == dataset and r["dataset"].get("config") == config]
    (value,) = [m["value"] for m in result["metrics"] if m["name"] == name]
    return value


def test_the_shipped_card_header_matches_its_config() -> None:
    header, config = card_header(DEFAULT_MODEL_DIR), read_config(DEFAULT_MODEL_DIR)
    provenance, metrics = config["provenance"], config["metrics"]
    assert (header["language"], header["license"], header["library_name"]) == ("en", "apache-2.0", "emotrace")
    assert header["datasets"] == provenance["training_data"] and set(header["datasets"]) <= set(DATA_LICENSES)
    assert header["base_model"] == provenance["base_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert header["model-index"][0]["name"] == DEFAULT_MODEL_DIR.name
    emotions = metrics["emotions_dev"]
    assert metric(header, "go_emotions", "macro-F1") == round(emotions["macro_f1"], 4)
    assert metric(header, "go_emotions", "ekman macro-F1") == round(emotions["groups"]["ekman"]["macro_f1"], 4)
    assert metric(header, "emobank", "valence Pearson r") == round(metrics["affect_emobank_dev"]["valence_pearson_r"], 4)
    tweets = metrics["satisfaction_dev"]["tweets"]["dissatisfied_vs_rest_macro_f1"]
    assert metric(header, "emotrace-satisfaction-dev", "dissatisfied-vs-rest macro-F1", "tweets") == round(tweets, 4)
    intents = metrics["written_corpus_dev"]["intents"]["macro_f1"]
    assert metric(header, "written_corpus", "macro-F1", "intents") == round(intents, 4)


def test_the_shipped_card_is_what_its_config_generates(tmp_path) -> None:
    """No hand edits: regenerating the card from emotrace.json gives the committed text (recipe steps each once)."""
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / DEFAULT_MODEL_DIR.name)
    write_model_card(copy)
    card = (copy / CARD_FILE).read_text(encoding="utf-8")
    assert card == (DEFAULT_MODEL_DIR / CARD_FILE).read_text(encoding="utf-8")
    for step in read_config(copy)["provenance"]["recipe"]:
        assert card.count(step) == 1
    commands = card.split("Reproduce with:\n```\n")[1].split("```")[0].splitlines()
    assert all(a != b for a, b in pairwise(commands)), commands  # a refit repeated in place is given once


def test_the_card_says_the_intent_head_reads_the_early_layer_only_where_it_does(tmp_path) -> None:
    """Found by a review: the card read the intent head's width against the graph's vectors summed, so the head of
    the release before (the pooled vector and words alone, on a graph without the early layer's output) was said to
    read the second encoder layer too. The card now says what the runtime reads."""
    import numpy as np
    import onnx

    from emotrace.model.group_heads import EARLY_POOLED_OUTPUT, hidden_layer_of, load_group_heads, save_group_heads
    from emotrace.model.labels import INTENT_VIEW, LabelSchema

    said = "pooled vector and its second encoder layer's"  # the architecture line (the recipe names it too)
    assert said in (DEFAULT_MODEL_DIR / CARD_FILE).read_text(encoding="utf-8")
    before = Path(shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "before"))
    graph = onnx.load(str(before / "model.onnx"))
    (early,) = [o for o in graph.graph.output if o.name == EARLY_POOLED_OUTPUT]
    graph.graph.output.remove(early)
    onnx.save(graph, str(before / "model.onnx"))
    heads = load_group_heads(before, LabelSchema.load(before))
    (hidden, bias), (output, output_bias) = heads[hidden_layer_of(INTENT_VIEW)], heads[INTENT_VIEW]
    heads[hidden_layer_of(INTENT_VIEW)] = (np.hstack([hidden[:192, :384], hidden[:192, 768:]]), bias[:192])
    heads[INTENT_VIEW] = (output[:, :192], output_bias)  # one head over the pooled vector and words
    save_group_heads(heads, before)
    write_model_card(before)
    card = (before / CARD_FILE).read_text(encoding="utf-8")
    assert "a head with one hidden layer over the int8 network's pooled vector" in card and said not in card
