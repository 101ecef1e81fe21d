"""Satisfaction and affect figures: dissatisfied-vs-rest F1/AUC, calibration, valence/arousal correlation."""

from __future__ import annotations

import numpy as np
from scipy.stats import pearsonr
from sklearn.metrics import f1_score

from evaluation.metrics import binary_auc, expected_calibration_error

DISSATISFIED = 0


def satisfaction_report(probabilities: np.ndarray, gold: np.ndarray) -> dict[str, object]:
    """3-class macro-F1, dissatisfied-vs-rest macro-F1 / AUC / recall, and calibration error."""
    predicted = probabilities.argmax(axis=1)
    gold_dis = gold == DISSATISFIED
    pred_dis = predicted == DISSATISFIED
    return {
        "n": len(gold),
        "macro_f1": float(f1_score(gold, predicted, labels=sorted(set(gold.tolist())), average="macro",
                                   zero_division=0)),
        "dissatisfied_vs_rest_macro_f1": float(f1_score(gold_dis, pred_dis, average="macro", zero_division=0)),
        "dissatisfied_auc": binary_auc(gold_dis, probabilities[:, DISSATISFIED]),
        "dissatisfied_recall": float(pred_dis[gold_dis].mean()) if gold_dis.any() else None,
        "calibration_error": expected_calibration_error(probabilities, gold),
    }


def fit_temperature(probabilities: np.ndarray, gold: np.ndarray) -> float:
    """The softmax temperature (grid 0.5..3) that minimises the negative log-likelihood on these rows."""
    logits = np.log(np.clip(probabilities, 1e-9, 1.0))
    best_t, best_nll = 1.0, np.inf
    for t in np.round(np.arange(0.5, 3.01, 0.05), 2):
        scaled = logits / t
        scaled -= scaled.max(axis=1, keepdims=True)
        log_p = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        nll = -log_p[np.arange(len(gold)), gold].mean()
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def affect_report(predicted: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Pearson r and mean absolute error of valence and arousal."""
    out = {}
    for j, name in enumerate(("valence", "arousal")):
        out[f"{name}_pearson_r"] = float(pearsonr(predicted[:, j], gold[:, j])[0])
        out[f"{name}_mae"] = float(np.abs(predicted[:, j] - gold[:, j]).mean())
    return out
