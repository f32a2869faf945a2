#!/usr/bin/python3
"""Builds the OCSF Detection Finding JSON schema from the schema extract.

    gen_schema.py [EXTRACT] [OUTPUT]      (defaults: the files next to this)
    gen_schema.py --check                 exit 1 if OUTPUT is not current

The encoding follows the OCSF server's JSON-schema export
(ocsf/ocsf-server lib/schema/json_schema.ex, the code behind
schema.ocsf.io/export/json_schema/classes/<name>), applied with
profiles=cloud:
- the class: draft-07 "$schema", "$id" https://schema.ocsf.io/schema/classes/<name>,
  "additionalProperties": false, "required" = the required attributes
  (sorted), objects under "$defs" referenced as "#/$defs/<name>";
- an attribute whose profile is not selected is dropped (the server's
  profile filter); "at_least_one" constraints become "anyOf" of
  {"required": [x]} and those attributes are not also "required";
- integer_t/string_t with an enum get "enum" (or "const" for one value),
  other scalar types map to their JSON type (timestamp_t and long_t are
  integers, datetime_t and url_t strings; long_t keeps no enum, as the
  server does), json_t is unconstrained, arrays carry "items";
- an object with no attributes is open ("additionalProperties": true).
Objects that custos never emits are not in the extract: they are open
stand-ins here ({"type": "object"}), so the schema checks everything custos
writes and nothing it does not.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXTRACT = os.path.join(HERE, "ocsf-1.3.0-detection_finding.extract.json")
OUTPUT = os.path.join(HERE, "..", "ocsf-1.3.0-detection_finding.schema.json")
PROFILES = {"cloud"}
BASE_URI = "https://schema.ocsf.io/schema/classes"
DRAFT = "http://json-schema.org/draft-07/schema#"

SCALARS = {
    "string_t": "string", "datetime_t": "string", "url_t": "string", "email_t": "string",
    "file_hash_t": "string", "file_name_t": "string", "hostname_t": "string", "ip_t": "string",
    "mac_t": "string", "process_name_t": "string", "resource_uid_t": "string",
    "subnet_t": "string", "username_t": "string", "uuid_t": "string", "bytestring_t": "string",
    "file_path_t": "string", "integer_t": "integer", "long_t": "integer",
    "timestamp_t": "integer", "port_t": "integer", "float_t": "number", "boolean_t": "boolean",
}


def def_key(name):
    return name.replace("/", "_")


def encode_attribute(attr):
    schema = {"title": attr["caption"]}
    t = attr["type"]
    if t == "object_t":
        schema["$ref"] = "#/$defs/" + def_key(attr["object_type"])
    elif t == "json_t":
        pass
    elif t in ("integer_t", "string_t"):
        schema["type"] = SCALARS[t]
        if "enum" in attr:
            values = [int(v) for v in attr["enum"]] if t == "integer_t" else list(attr["enum"])
            if len(values) == 1:
                schema["const"] = values[0]
            else:
                schema["enum"] = values
    else:
        schema["type"] = SCALARS[t]
    if attr.get("is_array"):
        if "type" not in schema:
            item = {"$ref": schema.pop("$ref")} if "$ref" in schema else {}
        else:
            item = {"type": schema["type"]}
            if "enum" in schema:
                item["enum"] = schema.pop("enum")
        schema["type"] = "array"
        schema["items"] = item
    return schema


def selected(attrs):
    return {k: a for k, a in attrs.items() if a.get("profile") in (None, *PROFILES)}


def encode_type(entry):
    attrs = selected(entry["attributes"])
    at_least_one = entry.get("constraints", {}).get("at_least_one", [])
    props, required, any_of = {}, [], []
    for name, attr in attrs.items():
        props[name] = encode_attribute(attr)
        if name in at_least_one:
            any_of.append({"required": [name]})
        elif attr["requirement"] == "required":
            required.append(name)
    schema = {"title": entry["caption"], "type": "object", "properties": props}
    schema["additionalProperties"] = not props
    if required:
        schema["required"] = sorted(required)
    if any_of:
        schema["anyOf"] = any_of
    return schema


def referenced(attrs):
    return {a["object_type"] for a in attrs.values() if a["type"] == "object_t"}


def build(extract):
    cls = extract["class"]
    objects = extract["objects"]
    seen, todo = set(), set(referenced(selected(cls["attributes"])))
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in objects:
            todo |= referenced(selected(objects[name]["attributes"]))
    defs = {}
    for name in sorted(seen):
        if name in objects:
            defs[def_key(name)] = encode_type(objects[name])
        else:
            defs[def_key(name)] = {
                "title": name,
                "type": "object",
                "description": "Stand-in: an OCSF object custos never emits; not constrained here.",
            }
    schema = {"$schema": DRAFT, "$id": f"{BASE_URI}/{cls['name']}"}
    schema.update(encode_type(cls))
    schema["$defs"] = defs
    return schema


def render(schema):
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    extract_path = args[0] if args else EXTRACT
    output_path = args[1] if len(args) > 1 else OUTPUT
    with open(extract_path, encoding="utf-8") as f:
        text = render(build(json.load(f)))
    if check:
        with open(output_path, encoding="utf-8") as f:
            return 0 if f.read() == text else 1
    with open(output_path, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
