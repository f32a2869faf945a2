#!/usr/bin/python3
"""gen-aws-tables.py - C protocol tables from botocore's service models.

    gen-aws-tables.py OUT.c PLAN.c [DATA_DIR]

Reads the operations custos calls from PLAN.c (every `OP("client",
"Operation"` and `EXTRA("client", "Operation")` line of src/aws/plan.c, so
adding an operation is one line there), loads each service's newest
service-2.json and paginators-1.json under DATA_DIR (default: Debian
python3-botocore's /usr/lib/python3/dist-packages/botocore/data), and writes
OUT.c: for each service its metadata, its operations (HTTP method, request
URI, input/output shape, result wrapper, paginator) and only the shapes
reachable from them, as the tables of src/aws/model.h.  Uses nothing but the
standard library, so the build needs no botocore import.

The reference models are Debian 12's python3-botocore (1.29): the build is
the same on every Debian 12 machine, whatever else is installed.  An AWS CLI
with newer models prints members these do not have (SecurityGroupArn,
ListBuckets' Prefix, ...); tests/aws/test_collect_moto.py reads the CLI's
output through these models' shapes, so custos and the referee agree on
what the reference has, and the test lists what newer models would add.
Taking a newer model is passing its DATA_DIR (and updating that test).
"""
import glob
import json
import os
import re
import sys

TYPES = {
    "structure": "SH_STRUCT", "list": "SH_LIST", "map": "SH_MAP",
    "string": "SH_STRING", "character": "SH_STRING", "integer": "SH_INT",
    "long": "SH_INT", "short": "SH_INT", "byte": "SH_INT",
    "float": "SH_FLOAT", "double": "SH_FLOAT", "boolean": "SH_BOOL",
    "timestamp": "SH_TIMESTAMP", "blob": "SH_BLOB",
}
PROTOCOLS = {"ec2": "AWS_EC2", "query": "AWS_QUERY", "json": "AWS_JSON",
             "rest-json": "AWS_REST_JSON", "rest-xml": "AWS_REST_XML"}
LOCATIONS = {None: "LOC_BODY", "header": "LOC_HEADER", "uri": "LOC_URI",
             "querystring": "LOC_QUERY", "statusCode": "LOC_STATUS",
             "headers": "LOC_HEADERS"}


def cstr(s):
    if s is None:
        return "NULL"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ident(s):
    return re.sub(r"[^A-Za-z0-9_]", "_", s)


def newest(data, client, name):
    dirs = sorted(glob.glob(os.path.join(data, client, "*", name)))
    if not dirs:
        sys.exit("gen-aws-tables: no %s for %s under %s (install python3-botocore)"
                 % (name, client, data))
    with open(dirs[-1]) as f:
        return json.load(f)


def plan_ops(plan_path):
    text = open(plan_path).read()
    ops = {}
    found = [(m.group(1), m.group(2)) for m in re.finditer(
        r'\b(?:OP|EXTRA|WRITE)\(\s*"([a-z0-9-]+)"\s*,\s*"([A-Za-z0-9]+)"', text)]
    # S3B("Operation"): the per-bucket S3 rows of plan.c
    found += [("s3", m.group(1)) for m in re.finditer(r'\bS3B\(\s*"([A-Za-z0-9]+)"\s*\)', text)]
    for client, op in found:
        ops.setdefault(client, [])
        if op not in ops[client]:
            ops[client].append(op)
    return ops


def tokens(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


class Service:
    def __init__(self, client, model, pagers, ops):
        self.client = client
        self.model = model
        self.pagers = pagers.get("pagination", {})
        self.ops = ops
        self.index = {}   # shape name -> index
        self.order = []

    def visit(self, name):
        if name in self.index:
            return self.index[name]
        self.index[name] = len(self.order)
        self.order.append(name)
        sh = self.model["shapes"][name]
        for m in sh.get("members", {}).values():
            self.visit(m["shape"])
        for k in ("member", "key", "value"):
            if k in sh:
                self.visit(sh[k]["shape"])
        return self.index[name]

    def emit(self, out):
        meta = self.model["metadata"]
        p = ident(self.client)
        op_rows = []
        for name in self.ops:
            if name not in self.model["operations"]:
                sys.exit("gen-aws-tables: %s has no operation %s" % (self.client, name))
            op = self.model["operations"][name]
            inp = self.visit(op["input"]["shape"]) if "input" in op else -1
            outp = self.visit(op["output"]["shape"]) if "output" in op else -1
            wrapper = op.get("output", {}).get("resultWrapper")
            op_rows.append((name, op, inp, outp, wrapper))
        members, shapes = [], []
        for name in self.order:
            sh = self.model["shapes"][name]
            t = TYPES.get(sh["type"])
            if t is None:
                sys.exit("gen-aws-tables: %s: shape %s has type %s" % (self.client, name, sh["type"]))
            first = len(members)
            for mname, m in sh.get("members", {}).items():
                members.append("{%s, %s, %s, %d, %s, %d}" % (
                    cstr(mname), cstr(m.get("locationName", mname)), cstr(m.get("queryName")),
                    self.index[m["shape"]], LOCATIONS[m.get("location")],
                    (1 if m.get("xmlAttribute") else 0)))
            flags = []
            if sh.get("flattened"):
                flags.append("SHF_FLATTENED")
            if sh.get("document"):
                flags.append("SHF_DOCUMENT")
            if sh.get("exception"):
                flags.append("SHF_EXCEPTION")
            if self.client == "iam" and name == "policyDocumentType":
                # botocore's json_decode_policies (after-call.iam): URL-encoded
                # JSON policy documents are printed decoded.
                flags.append("SHF_POLICY_DOC")
            member = sh.get("member", sh.get("key", {}))
            value = sh.get("value", {})
            shapes.append("{%s, %s, %d, %d, %d, %d, %s, %s, %s, %s}" % (
                t, "|".join(flags) or "0", len(sh.get("members", {})), first,
                self.index[member["shape"]] if member else -1,
                self.index[value["shape"]] if value else -1,
                cstr(member.get("locationName")), cstr(value.get("locationName")),
                cstr(sh.get("payload")), cstr(sh.get("timestampFormat"))))
        out.append("static const aws_member %s_members[] = {\n    %s\n};" % (
            p, ",\n    ".join(members) or "{0}"))
        out.append("static const aws_shape %s_shapes[] = {\n    %s\n};" % (p, ",\n    ".join(shapes)))
        rows = []
        for name, op, inp, outp, wrapper in op_rows:
            pg = self.pagers.get(name)
            if pg:
                def arr(v, n):
                    v = tokens(v)
                    if len(v) > n:
                        sys.exit("gen-aws-tables: %s %s: too many paginator keys" % (self.client, name))
                    return "{" + ", ".join(cstr(x) for x in v + [None] * (n - len(v))) + "}"
                pager = "&(const aws_pager){%s, %s, %s, %s, %s, %s}" % (
                    arr(pg.get("input_token"), 2), arr(pg.get("output_token"), 2),
                    cstr(pg.get("more_results")), arr(pg.get("result_key"), 4),
                    arr(pg.get("non_aggregate_keys"), 4), cstr(pg.get("limit_key")))
            else:
                pager = "NULL"
            http = op.get("http", {})
            rows.append("{%s, %s, %s, %d, %d, %s, %s}" % (
                cstr(name), cstr(http.get("method", "POST")), cstr(http.get("requestUri", "/")),
                inp, outp, cstr(wrapper), pager))
        out.append("static const aws_operation %s_ops[] = {\n    %s\n};" % (p, ",\n    ".join(rows)))
        return ("{%s, %s, %s, %s, %s, %s, %s, %s, %s, %s_ops, %d, %s_shapes, %d, %s_members}" % (
            cstr(self.client), PROTOCOLS[meta["protocol"]], cstr(meta["apiVersion"]),
            cstr(meta["endpointPrefix"]), cstr(meta.get("signingName", meta["endpointPrefix"])),
            cstr(meta.get("targetPrefix")), cstr(meta.get("jsonVersion")), cstr(meta["serviceId"]),
            cstr(meta.get("globalEndpoint")), p, len(op_rows), p, len(shapes), p))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_path, plan = sys.argv[1], sys.argv[2]
    data = sys.argv[3] if len(sys.argv) > 3 else "/usr/lib/python3/dist-packages/botocore/data"
    ops = plan_ops(plan)
    if not ops:
        sys.exit("gen-aws-tables: no OP(...) lines in %s" % plan)
    out = ["/* Generated by scripts/gen-aws-tables.py from botocore's models; do not edit. */",
           '#include <stddef.h>', '#include "aws/model.h"']
    rows = []
    for client in sorted(ops):
        svc = Service(client, newest(data, client, "service-2.json"),
                      newest(data, client, "paginators-1.json"), ops[client])
        rows.append(svc.emit(out))
    out.append("const aws_service aws_services[] = {\n    %s\n};" % ",\n    ".join(rows))
    out.append("const size_t aws_nservices = %d;" % len(rows))
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, out_path)


main()
