#!/usr/bin/env python3
"""Writes sim/world/model/constraints.json from the AWS service models botocore ships.

Reads the operations the simulated World answers from tools/aws-models/operations.json
(regenerate that with `npx tsx tools/aws-models/operations.ts > tools/aws-models/operations.json`),
walks each operation's input shape in botocore's service-2.json model and keeps only what input
validation needs: types, required members, min/max, enum, pattern, sensitive, member locations.

Patterns in the models are Java regular expressions (AWS validates them with java.util.regex). Each one is
translated to a JavaScript `u`-flag source that matches the same strings, anchored at both ends (AWS
requires the whole value to match); a pattern using a construct without an exact JavaScript equivalent is
left untranslated and listed under `skippedPatterns` instead of being guessed.

Usage: python3 tools/aws-models/generate.py  (no arguments; deterministic output)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import botocore
import botocore.session

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "tools" / "aws-models" / "operations.json"
OUTPUT = ROOT / "sim" / "world" / "model" / "constraints.json"

# ServiceName in sim/world/errors.ts -> botocore's service name
BOTOCORE_NAMES = {
    "cloudfront": "cloudfront",
    "s3": "s3",
    "s3control": "s3control",
    "kms": "kms",
    "wafv2": "wafv2",
    "sns": "sns",
    "sfn": "stepfunctions",
    "dynamodb": "dynamodb",
    "ssm": "ssm",
    "lambda": "lambda",
    "cloudwatch": "cloudwatch",
    "logs": "logs",
    "sts": "sts",
}

SCALAR_TYPES = {"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob", "biginteger", "bigdecimal"}
# java.util.regex's \s is [ \t\n\x0B\f\r] (no UNICODE_CHARACTER_CLASS); JavaScript's \s also matches Unicode spaces
JAVA_SPACE = "\\t\\n\\x0B\\f\\r "
# java.util.regex's `.` excludes these line terminators (no DOTALL); JavaScript's `.` does not exclude \u0085
JAVA_DOT = "[^\\n\\r\\u0085\\u2028\\u2029]"
# characters that must be escaped to stand for themselves in a JavaScript `u` regex
JS_SYNTAX = set("^$\\.*+?()[]{}|/")
# Unicode general categories: the same names in java.util.regex and JavaScript `\p{...}`
GENERAL_CATEGORIES = {
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
    "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
    "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn",
}


class Untranslatable(Exception):
    """A Java regex construct with no exact JavaScript equivalent."""


def translate_pattern(java: str) -> str:
    """Java regex -> JavaScript `u`-flag source with the same full-match language, or Untranslatable."""
    out: list[str] = []
    i = 0
    in_class = False
    n = len(java)
    while i < n:
        c = java[i]
        if c == "\\":
            if i + 1 >= n:
                raise Untranslatable("trailing backslash")
            e = java[i + 1]
            i += 2
            if e in "dDwW":
                out.append("\\" + e)  # ASCII classes in both dialects
            elif e == "s":
                out.append(JAVA_SPACE if in_class else f"[{JAVA_SPACE}]")
            elif e == "S":
                if in_class:
                    raise Untranslatable("\\S inside a character class")
                out.append(f"[^{JAVA_SPACE}]")
            elif e in "pP":
                if i < n and java[i] == "{":
                    end = java.find("}", i)
                    if end < 0:
                        raise Untranslatable("unterminated \\p{")
                    name = java[i + 1 : end]
                    i = end + 1
                else:
                    if i >= n:
                        raise Untranslatable("dangling \\p")
                    name = java[i]
                    i += 1
                if name not in GENERAL_CATEGORIES:
                    raise Untranslatable(f"\\{e}{{{name}}} is not a general category")
                out.append(f"\\{e}{{{name}}}")
            elif e == "u":
                hexdigits = java[i : i + 4]
                if len(hexdigits) != 4 or any(h not in "0123456789abcdefABCDEF" for h in hexdigits):
                    raise Untranslatable("bad \\u escape")
                out.append("\\u" + hexdigits)
                i += 4
            elif e == "x":
                hexdigits = java[i : i + 2]
                if len(hexdigits) != 2 or any(h not in "0123456789abcdefABCDEF" for h in hexdigits):
                    raise Untranslatable("unsupported \\x escape")
                out.append("\\x" + hexdigits)
                i += 2
            elif e in "tnrf":
                out.append("\\" + e)
            elif e in "bB" and not in_class:
                out.append("\\" + e)  # ASCII word boundary in both
            elif e.isdigit() and e != "0" and not in_class:
                out.append("\\" + e)  # back reference
            elif e.isalnum():
                raise Untranslatable(f"escape \\{e}")
            else:
                # Java: a backslash before a non-alphanumeric character quotes it
                out.append(("\\" + e) if (e in JS_SYNTAX or (in_class and e == "-")) else e)
            continue
        if in_class:
            if c == "[":
                raise Untranslatable("nested character class")
            if c == "&" and java[i : i + 2] == "&&":
                raise Untranslatable("character class intersection")
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and java[i] == "^":
                out.append("^")
                i += 1
            if i < n and java[i] == "]":
                raise Untranslatable("leading ] in a character class")
            continue
        if c == ".":
            out.append(JAVA_DOT)
            i += 1
            continue
        if c == "(" and java[i : i + 2] == "(?":
            rest = java[i + 2 : i + 4]
            if not (rest.startswith(":") or rest.startswith("=") or rest.startswith("!") or rest in ("<=", "<!")):
                raise Untranslatable("inline flag, atomic or named group")
            out.append(c)
            i += 1
            continue
        if c in "*+?}" and i + 1 < n and java[i + 1] == "+":
            raise Untranslatable("possessive quantifier")
        out.append(c)
        i += 1
    if in_class:
        raise Untranslatable("unterminated character class")
    return f"^(?:{''.join(out)})$"


def shape_entry(raw_shapes: dict, name: str, streaming: bool, skipped: list, service: str) -> dict:
    """The compact entry for one shape: only what input validation and redaction read."""
    sh = raw_shapes[name]
    t = sh["type"]
    entry: dict = {"type": t}
    for key in ("min", "max"):
        if key in sh:
            entry[key] = sh[key]
    if "enum" in sh:
        entry["enum"] = list(sh["enum"])
    if "pattern" in sh:
        entry["pattern"] = sh["pattern"]
        try:
            entry["regex"] = translate_pattern(sh["pattern"])
        except Untranslatable as reason:
            skipped.append({"service": service, "shape": name, "pattern": sh["pattern"], "reason": str(reason)})
    if sh.get("sensitive"):
        entry["sensitive"] = True
    if streaming:
        entry["streaming"] = True
    if t == "structure":
        members = sh.get("members", {})
        entry["members"] = {m: ref["shape"] for m, ref in members.items()}
        if sh.get("required"):
            entry["required"] = list(sh["required"])
        locations = {m: ref["location"] for m, ref in members.items() if "location" in ref}
        if locations:
            entry["locations"] = locations
        if "payload" in sh:
            entry["payload"] = sh["payload"]
    elif t == "list":
        entry["member"] = sh["member"]["shape"]
    elif t == "map":
        entry["key"] = sh["key"]["shape"]
        entry["value"] = sh["value"]["shape"]
    elif t not in SCALAR_TYPES:
        raise SystemExit(f"{service}: shape {name} has unsupported type {t}")
    return entry


def service_table(session, service: str, operations: list[str], skipped: list) -> dict:
    botocore_name = BOTOCORE_NAMES[service]
    loader = session.get_component("data_loader")
    raw = loader.load_service_model(botocore_name, "service-2")
    metadata = raw["metadata"]
    raw_shapes = raw["shapes"]
    # shapes a streaming member points at accept streams as well as bytes
    streaming: set[str] = set()
    used: list[str] = []
    seen: set[str] = set()

    def walk(name: str) -> None:
        if name in seen:
            return  # recursive shapes are referenced by name: one entry each
        seen.add(name)
        used.append(name)
        sh = raw_shapes[name]
        if sh["type"] == "structure":
            for ref in sh.get("members", {}).values():
                if ref.get("streaming"):
                    streaming.add(ref["shape"])
                walk(ref["shape"])
        elif sh["type"] == "list":
            walk(sh["member"]["shape"])
        elif sh["type"] == "map":
            walk(sh["key"]["shape"])
            walk(sh["value"]["shape"])

    ops: dict[str, str | None] = {}
    for op in sorted(operations):
        if op not in raw["operations"]:
            raise SystemExit(f"{service}: botocore {botocore.__version__} has no operation {op}")
        shape_ref = raw["operations"][op].get("input")
        ops[op] = shape_ref["shape"] if shape_ref else None
        if shape_ref:
            walk(shape_ref["shape"])
    shapes = {n: shape_entry(raw_shapes, n, n in streaming, skipped, service) for n in sorted(used)}
    return {
        "botocoreName": botocore_name,
        "apiVersion": metadata["apiVersion"],
        "protocol": metadata["protocol"],
        "botocoreVersion": botocore.__version__,
        "operations": ops,
        "shapes": shapes,
    }


def dump(table: dict) -> str:
    """Pretty at the top, one line per operation and per shape: small, and diffs stay readable."""
    lines = ["{"]
    lines.append(f'  "generator": {json.dumps(table["generator"])},')
    lines.append(f'  "botocoreVersion": {json.dumps(table["botocoreVersion"])},')
    lines.append('  "services": {')
    services = list(table["services"].items())
    for si, (name, svc) in enumerate(services):
        lines.append(f"    {json.dumps(name)}: {{")
        for key in ("botocoreName", "apiVersion", "protocol", "botocoreVersion"):
            lines.append(f"      {json.dumps(key)}: {json.dumps(svc[key])},")
        lines.append('      "operations": {')
        ops = list(svc["operations"].items())
        for oi, (op, shape) in enumerate(ops):
            lines.append(f"        {json.dumps(op)}: {json.dumps(shape)}{',' if oi < len(ops) - 1 else ''}")
        lines.append("      },")
        lines.append('      "shapes": {')
        shapes = list(svc["shapes"].items())
        for hi, (shape_name, entry) in enumerate(shapes):
            body = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
            lines.append(f"        {json.dumps(shape_name)}: {body}{',' if hi < len(shapes) - 1 else ''}")
        lines.append("      }")
        lines.append(f"    }}{',' if si < len(services) - 1 else ''}")
    lines.append("  },")
    skipped = table["skippedPatterns"]
    if not skipped:
        lines.append('  "skippedPatterns": []')
    else:
        lines.append('  "skippedPatterns": [')
        for ki, row in enumerate(skipped):
            lines.append(f"    {json.dumps(row, ensure_ascii=False)}{',' if ki < len(skipped) - 1 else ''}")
        lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    operations = json.loads(OPERATIONS.read_text())
    unknown = sorted(set(operations) - set(BOTOCORE_NAMES))
    if unknown:
        raise SystemExit(f"operations.json names services with no botocore mapping: {unknown}")
    session = botocore.session.get_session()
    skipped: list[dict] = []
    services = {s: service_table(session, s, operations[s], skipped) for s in BOTOCORE_NAMES if s in operations}
    table = {
        "generator": "tools/aws-models/generate.py",
        "botocoreVersion": botocore.__version__,
        "services": services,
        "skippedPatterns": skipped,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(dump(table))
    shape_count = sum(len(s["shapes"]) for s in services.values())
    op_count = sum(len(s["operations"]) for s in services.values())
    print(
        f"wrote {OUTPUT.relative_to(ROOT)}: {op_count} operations, {shape_count} shapes, "
        f"{len(skipped)} skipped patterns (botocore {botocore.__version__})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
