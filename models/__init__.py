"""The shipped model's files, installed with the package as ``emotrace.models`` (package data).

``emotrace-minilm-v1/`` holds what the runtime reads (``model.onnx``, the tokenizer, labels, heads, thresholds,
the card). The trainable weights (``model.safetensors``) stay in the source repository for retraining and are left
out of the wheel.
"""
