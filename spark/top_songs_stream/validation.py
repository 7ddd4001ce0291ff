"""The play-event rules of src/domain/play-event.ts as Spark column expressions.

`classify(df, regions)` takes Kafka-shaped rows (topic, partition, offset, timestamp, value as a string)
and adds `errors` (array<struct<field, message>>, empty when valid) plus the normalised play columns.
The rules, their order and their messages are the TypeScript ones (zod's):

- the value must be JSON ("(record)"), and a JSON object ("(event)");
- event_id: an RFC 9562 UUID (zod's regex), stored lower-cased;
- user_id 1–128, song_id 1–64, device 1–64, session_id 1–128 characters after a JavaScript trim(),
  counted in code points as zod 4.6 counts them (not JavaScript's UTF-16 String.length); the trimmed value
  is stored; the trimmed value must hold no control character (Unicode category Cc: C0, DEL, C1);
- region: a non-empty string among the configured regions;
- played_at: zod's RFC 3339 regex with `Z` or ±hh:mm, then parsed like Date.parse (milliseconds) and stored
  in UTC; at most 5 minutes ahead of, and at most 30 days behind, the Kafka record timestamp;
- ms_played: a JSON number, an integer (a fraction stops there; beyond 2^53 is "not an integer" too),
  0 ≤ n ≤ 86 400 000;
- a field absent is "is required"; of the wrong JSON type, zod's "Invalid input: expected string,
  received <type>" (event_id and played_at have their own message for every wrong input);
- errors are listed per field in the schema's order, then the region list, then the time rules.

Known difference: a value that is not JSON gets "value is not valid JSON" without V8's parser message.
"""

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

MAX_FUTURE_SKEW_MS = 5 * 60 * 1000
MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000
MAX_MS_PLAYED = 24 * 60 * 60 * 1000
MAX_SAFE_INTEGER = 2**53 - 1

DEFAULT_REGIONS = ["us", "gb", "de", "fr", "br", "mx", "jp", "in"]

# zod 4's uuid() and iso.datetime({offset: true}) patterns (node_modules/zod/v4/core/regexes.js); both are
# valid Java regexes with the same meaning (\d is [0-9] in both without flags).
UUID_PATTERN = (
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$"
)
_DATE = (
    r"(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29"
    r"|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|(?:02)-(?:0[1-9]|1\d|2[0-8])))"
)
DATETIME_PATTERN = _DATE + r"T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|([+-](?:[01]\d|2[0-3]):[0-5]\d)))"
DATETIME_PATTERN = "^" + DATETIME_PATTERN + "$"

# What JavaScript's String.prototype.trim() removes (WhiteSpace and LineTerminator of ECMA-262).
_JS_SPACE = r"[\t\n\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]"

# Unicode's control characters, \p{Cc} in Java's regex as in JavaScript's: U+0000–U+001F and U+007F–U+009F.
_CONTROL = r"\p{Cc}"
CONTROL_MESSAGE = "must not contain control characters (U+0000–U+001F, U+007F–U+009F)"

UUID_MESSAGE = "must be a UUID"
DATETIME_MESSAGE = "must be an RFC 3339 timestamp with an offset, e.g. 2026-11-27T13:05:00Z"
REQUIRED = "is required"


def _error(field: str, message) -> Column:
    msg = message if isinstance(message, Column) else F.lit(message)
    return F.struct(F.lit(field).alias("field"), msg.alias("message"))


def _js_type(kind: Column) -> Column:
    """zod's name of a JSON value's type, from schema_of_variant()."""
    return (
        F.when(kind == "VOID", "null")
        .when(kind == "BOOLEAN", "boolean")
        .when(kind == "STRING", "string")
        .when(kind.startswith("OBJECT"), "object")
        .when(kind.startswith("ARRAY"), "array")
        .otherwise("number")
    )


# schema_of_variant()'s names of a JSON number's types.
_NUMBER_KIND = r"^(TINYINT|SMALLINT|INT|BIGINT|FLOAT|DOUBLE|DECIMAL)"

# The play event's fields in the TypeScript schema's order, which is also the order of the errors.
FIELDS = ["event_id", "user_id", "song_id", "region", "played_at", "ms_played", "device", "session_id"]


class _Field:
    """One top-level field of the parsed value: present?, its JSON type, and typed reads.

    Its kind, string and number are materialised as columns first (`_extract`), so that the many rules
    reading them refer to a column instead of repeating the VARIANT extraction.
    """

    def __init__(self, name: str):
        self.kind = F.col(f"_k_{name}")
        self.present = self.kind.isNotNull()
        self.is_string = self.kind == "STRING"
        self.is_number = self.kind.rlike(_NUMBER_KIND)
        self.string = F.col(f"_s_{name}")
        self.double = F.col(f"_d_{name}")

    @staticmethod
    def extract(df: DataFrame, parsed: Column, name: str) -> DataFrame:
        raw = F.try_variant_get(parsed, f"$.{name}", "variant")
        kind = F.when(raw.isNotNull(), F.schema_of_variant(raw))
        df = df.withColumn(f"_k_{name}", kind)
        return df.withColumns(
            {
                f"_s_{name}": F.when(F.col(f"_k_{name}") == "STRING", F.try_variant_get(raw, "$", "string")),
                f"_d_{name}": F.when(
                    F.col(f"_k_{name}").rlike(_NUMBER_KIND),
                    F.try_variant_get(raw, "$", "double"),
                ),
            }
        )

    def wrong_type(self) -> Column:
        return F.concat(F.lit("Invalid input: expected string, received "), _js_type(self.kind))


def _js_trim(text: Column) -> Column:
    return F.regexp_replace(text, f"^{_JS_SPACE}+|{_JS_SPACE}+$", "")


def _identifier(field: _Field, name: str, max_chars: int, optional: bool):
    """zod: z.string().trim().min(1, 'must not be empty').max(n, 'must be at most n characters'), then no
    control character in the trimmed value (a refine: reported after the length, as zod lists them)."""
    trimmed = _js_trim(field.string)
    errors = [] if optional else [F.when(~field.present, _error(name, REQUIRED))]
    errors += [
        F.when(field.present & ~field.is_string, _error(name, field.wrong_type())),
        # Spark's length() counts code points, as zod's min/max checks do.
        F.when(field.is_string & (F.length(trimmed) < 1), _error(name, "must not be empty")),
        F.when(
            field.is_string & (F.length(trimmed) > max_chars),
            _error(name, f"must be at most {max_chars} characters"),
        ),
        F.when(field.is_string & trimmed.rlike(_CONTROL), _error(name, CONTROL_MESSAGE)),
    ]
    return errors, trimmed


def classify(df: DataFrame, regions: list[str]) -> DataFrame:
    """Adds `errors` and the lake's play columns to Kafka-shaped rows (value already a string)."""
    parsed = F.col("_json")
    is_object = F.schema_of_variant(parsed).startswith("OBJECT")
    f = {name: _Field(name) for name in FIELDS}

    # event_id: z.uuid with one message for every wrong input but absence.
    ev = f["event_id"]
    event_errors = [
        F.when(~ev.present, _error("event_id", REQUIRED)).when(
            ~(ev.is_string & ev.string.rlike(UUID_PATTERN)), _error("event_id", UUID_MESSAGE)
        )
    ]
    user_errors, user_id = _identifier(f["user_id"], "user_id", 128, optional=False)
    song_errors, song_id = _identifier(f["song_id"], "song_id", 64, optional=False)

    rg = f["region"]
    region_shape = [
        F.when(~rg.present, _error("region", REQUIRED))
        .when(~rg.is_string, _error("region", rg.wrong_type()))
        .when(F.length(rg.string) < 1, _error("region", "must not be empty"))
    ]

    pa = f["played_at"]
    played_ok = pa.is_string & pa.string.rlike(DATETIME_PATTERN)
    played_shape = [
        F.when(~pa.present, _error("played_at", REQUIRED)).when(~played_ok, _error("played_at", DATETIME_MESSAGE))
    ]

    ms = f["ms_played"]
    # JSON.parse reads a literal beyond the double range (1e400) as ±Infinity, which zod's number() refuses
    # like a wrong type; the VARIANT holds it as an infinite DOUBLE.
    number = ms.is_number & (F.abs(ms.double) < F.lit(float("inf")))
    fractional = (ms.double % 1.0) != 0  # not floor(): it returns a BIGINT, which 1e20 overflows
    unsafe = F.abs(ms.double) > MAX_SAFE_INTEGER
    ms_errors = [
        F.when(~ms.present, _error("ms_played", REQUIRED)).when(~number, _error("ms_played", "must be a number")),
        # zod's int check stops at a fraction; an integer beyond 2^53 fails it and goes on to min/max.
        F.when(number & (fractional | unsafe), _error("ms_played", "must be an integer")),
        F.when(number & ~fractional & (ms.double < 0), _error("ms_played", "must be ≥ 0")),
        F.when(
            number & ~fractional & (ms.double > MAX_MS_PLAYED),
            _error("ms_played", f"must be ≤ {MAX_MS_PLAYED} (24 hours)"),
        ),
    ]
    device_errors, device = _identifier(f["device"], "device", 64, optional=True)
    session_errors, session_id = _identifier(f["session_id"], "session_id", 128, optional=True)

    # Configuration and clock rules, on fields whose shape passed (the TypeScript's `reported` set).
    region_list = F.array(*[F.lit(code) for code in regions])
    region_errors = [
        F.when(
            rg.is_string & (F.length(rg.string) >= 1) & ~F.array_contains(region_list, rg.string),
            _error(
                "region",
                F.concat(F.lit('unknown region "'), rg.string, F.lit(f'"; expected one of {", ".join(regions)}')),
            ),
        )
    ]
    # Date.parse: seconds precision from the text and its offset, plus the first three fraction digits.
    text = pa.string
    zone = F.regexp_extract(text, r"(Z|[+-]\d\d:\d\d)$", 1)
    whole = F.try_to_timestamp(F.concat(F.substring(text, 1, 19), zone), F.lit("yyyy-MM-dd'T'HH:mm:ssXXX"))
    fraction = F.rpad(F.substring(F.regexp_extract(text, r"\.(\d+)", 1), 1, 3), 3, "0")
    played_ms = F.when(played_ok, F.unix_millis(whole) + fraction.cast("bigint"))
    df = df.withColumn("_value", F.coalesce(F.col("value"), F.lit(""))).withColumn(
        "_json", F.try_parse_json(F.col("_value"))
    )
    for name in FIELDS:
        df = _Field.extract(df, parsed, name)
    df = df.withColumn("_played_ms", played_ms)
    played_ms = F.col("_played_ms")
    lateness = F.unix_millis(F.col("timestamp")) - played_ms
    time_errors = [
        F.when(played_ok & (lateness < -MAX_FUTURE_SKEW_MS), _error("played_at", "is more than 5 minutes in the future"))
        .when(played_ok & (lateness > MAX_AGE_MS), _error("played_at", "is older than 30 days"))
    ]
    field_errors = F.filter(
        F.array(
            *event_errors, *user_errors, *song_errors, *region_shape, *played_shape, *ms_errors,
            *device_errors, *session_errors, *region_errors, *time_errors,
        ),
        lambda e: e.isNotNull(),
    )
    errors = (
        F.when(parsed.isNull(), F.array(_error("(record)", "value is not valid JSON")))
        .when(~is_object, F.array(_error("(event)", "must be a JSON object")))
        .otherwise(field_errors)
    )
    temporary = [f"_{kind}_{name}" for name in FIELDS for kind in "ksd"] + ["_json", "_played_ms"]

    return (
        df.withColumn("errors", errors)
        .withColumn("valid", F.size("errors") == 0)
        .withColumn("event_id", F.lower(ev.string))
        .withColumn("user_id", user_id)
        .withColumn("song_id", song_id)
        .withColumn("region", rg.string)
        .withColumn("played_at", F.timestamp_millis(played_ms))
        .withColumn(
            "ms_played",
            F.when(number & ~fractional & (ms.double >= 0) & (ms.double <= MAX_MS_PLAYED), ms.double.cast("int")),
        )
        .withColumn("device", device)
        .withColumn("session_id", session_id)
        .withColumn("received_at", F.date_format(F.col("timestamp"), "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"))
        .drop(*temporary)
    )
