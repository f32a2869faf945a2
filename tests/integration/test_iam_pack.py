#!/usr/bin/python3
"""test_iam_pack.py - the pack's IAM policies end to end on a small inventory.

Writes a two-account custos-layout inventory (dates relative to now, since
`custos scan` ages against the clock) with one resource per planted problem
and one per trap, scans it with policies/aws/iam.yml and checks that the
findings are exactly the planted ones, with the evidence the runbooks use.
Prints one PASS/FAIL line per case.
"""
import base64
import datetime
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CUSTOS = os.environ.get("CUSTOS") or os.path.join(ROOT, "build/asan/custos")
OUT = os.environ.get("OUT") or os.path.join(ROOT, "build/test-out")
INV = os.path.join(OUT, "iam-pack-inventory")
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

failed = 0


def check(name, ok, why=""):
    global failed
    if ok:
        print("PASS %s" % name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, why))


def ago(days):
    if days is None:
        return "N/A"
    return (NOW - datetime.timedelta(days=days)).isoformat()


def write(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f)


# name: (password, mfa device, [(active, created days ago, last used days ago or None)])
USERS = {
    "alice": (True, True, []),
    "bob-no-mfa": (True, False, []),
    "carol-old-key": (True, True, [(True, 100, 1)]),
    "dave-60-days": (True, True, [(True, 60, 1)]),            # trap: human < 90
    "ci-old": (False, False, [(True, 400, 0)]),
    "ci-200-days": (False, False, [(True, 200, 0)]),           # trap: machine < 365
    "ci-never-used": (False, False, [(True, 120, None)]),
    "ci-new-unused": (False, False, [(True, 10, None)]),       # trap: created 10 days ago
    "ci-stale": (False, False, [(True, 300, 100)]),
    "ci-rotated": (False, False, [(False, 800, 700), (True, 20, 0)]),  # trap: old key inactive
}

EXPECTED = {
    ("iam-user-console-without-mfa", "bob-no-mfa"),
    ("iam-access-key-old-human", "carol-old-key"),
    ("iam-access-key-old-machine", "ci-old"),
    ("iam-access-key-unused", "ci-never-used"),
    ("iam-access-key-unused", "ci-stale"),
    ("iam-root-access-keys", "222222222222"),
    ("iam-root-without-mfa", "222222222222"),
    ("iam-password-policy-weak", "222222222222"),
    ("iam-password-policy-weak", "333333333333"),
    ("iam-policy-allows-admin", "ANPAADMIN"),
    ("iam-role-trusts-any-principal", "partner-any"),
    ("iam-role-trusts-any-principal", "partner-star-string"),
    ("iam-role-cross-account-unknown", "partner-any"),
    ("iam-role-cross-account-unknown", "partner-star-string"),
    ("iam-role-cross-account-unknown", "unknown-vendor"),
}


def report_row(name, arn, password, keys):
    row = {"user": name, "arn": arn, "user_creation_time": ago(900),
           "password_enabled": "true" if password else "false",
           "password_last_used": ago(1) if password else "N/A",
           "password_last_changed": ago(30) if password else "N/A",
           "password_next_rotation": "N/A", "mfa_active": "false"}
    for i in (1, 2):
        k = keys[i - 1] if len(keys) >= i else None
        p = "access_key_%d_" % i
        row[p + "active"] = "true" if k and k[0] else "false"
        row[p + "last_rotated"] = ago(k[1]) if k else "N/A"
        row[p + "last_used_date"] = ago(k[2]) if k and k[2] is not None else "N/A"
        row[p + "last_used_region"] = "us-east-1" if k and k[2] is not None else "N/A"
        row[p + "last_used_service"] = "s3" if k and k[2] is not None else "N/A"
    for i in (1, 2):
        row["cert_%d_active" % i] = "false"
        row["cert_%d_last_rotated" % i] = "N/A"
    return row


def credential_report(acct, rows):
    root = report_row("<root_account>", "arn:aws:iam::%s:root" % acct, False, [])
    rows = [root] + rows
    cols = list(root.keys())
    csv = ",".join(cols) + "\n" + "\n".join(",".join(r[c] for c in cols) for r in rows) + "\n"
    return {"Content": base64.b64encode(csv.encode()).decode(), "ReportFormat": "text/csv",
            "GeneratedTime": NOW.isoformat()}


STRONG = {"MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
          "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
          "AllowUsersToChangePassword": True, "PasswordReusePrevention": 24}


def build():
    if os.path.isdir(INV):
        shutil.rmtree(INV)
    os.makedirs(INV)
    with open(os.path.join(INV, "accounts.yaml"), "w") as f:
        f.write("organization: {id: o-exampleorg1, trusted_accounts: [\"444455556666\"]}\n"
                "accounts:\n"
                "  - {id: \"111111111111\", name: prod, environment: prod}\n"
                "  - {id: \"222222222222\", name: dev, environment: dev}\n"
                "  - {id: \"333333333333\", name: sandbox, environment: dev}\n")
    g = os.path.join(INV, "111111111111", "global")
    users, rows = [], []
    for name, (password, mfa, keys) in USERS.items():
        arn = "arn:aws:iam::111111111111:user/%s" % name
        users.append({"UserName": name, "UserId": "AID" + name.upper(), "Arn": arn, "Path": "/",
                      "CreateDate": ago(900)})
        rows.append(report_row(name, arn, password, keys))
        meta = [{"UserName": name, "AccessKeyId": "AKIA%s%d" % (name.upper().replace("-", ""), i),
                 "Status": "Active" if k[0] else "Inactive", "CreateDate": ago(k[1])}
                for i, k in enumerate(keys)]
        write(os.path.join(g, "iam.ListAccessKeys.%s.json" % name),
              {"AccessKeyMetadata": meta, "IsTruncated": False})
        if mfa:
            write(os.path.join(g, "iam.ListMFADevices.%s.json" % name),
                  {"MFADevices": [{"UserName": name, "EnableDate": ago(800),
                                   "SerialNumber": "arn:aws:iam::111111111111:mfa/%s" % name}]})
    write(os.path.join(g, "iam.ListUsers.json"), {"Users": users, "IsTruncated": False})
    write(os.path.join(g, "iam.GetCredentialReport.json"), credential_report("111111111111", rows))
    write(os.path.join(g, "iam.GetAccountSummary.json"),
          {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "Users": len(users)}})
    write(os.path.join(g, "iam.GetAccountPasswordPolicy.json"), {"PasswordPolicy": STRONG})
    statements = {
        "ANPAADMIN": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        "ANPAS3STAR": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        "ANPAONEBUCKET": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::logs/*"}],
        "ANPAMFAONLY": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}],
        "ANPANOTIAM": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
    }
    pols = []
    for pid, st in statements.items():
        name = pid.lower()
        pols.append({"PolicyName": name, "PolicyId": pid, "DefaultVersionId": "v1",
                     "Arn": "arn:aws:iam::111111111111:policy/%s" % name, "AttachmentCount": 1})
        write(os.path.join(g, "iam.GetPolicyVersion.%s.json" % name),
              {"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": st},
                                 "VersionId": "v1", "IsDefaultVersion": True}})
    write(os.path.join(g, "iam.ListPolicies.json"), {"Policies": pols, "IsTruncated": False})
    trusts = {
        "partner-any": {"AWS": "*"},
        "partner-star-string": "*",
        "lambda-exec": {"Service": "lambda.amazonaws.com"},
        "security-audit": {"AWS": "arn:aws:iam::222222222222:root"},   # trap: our org
        "trusted-vendor": {"AWS": "arn:aws:iam::444455556666:root"},   # trap: trusted_accounts
        "unknown-vendor": {"AWS": "arn:aws:iam::999988887777:root"},
    }
    roles = [{"RoleName": n, "RoleId": "AROA" + n.upper(), "Path": "/",
              "Arn": "arn:aws:iam::111111111111:role/%s" % n,
              "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"}]}}
             for n, p in trusts.items()]
    write(os.path.join(g, "iam.ListRoles.json"), {"Roles": roles, "IsTruncated": False})
    # dev: root keys, no root MFA, no password policy (NoSuchEntity).
    g = os.path.join(INV, "222222222222", "global")
    write(os.path.join(g, "iam.ListUsers.json"), {"Users": [], "IsTruncated": False})
    write(os.path.join(g, "iam.GetAccountSummary.json"),
          {"SummaryMap": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "Users": 0}})
    write(os.path.join(g, "iam.GetAccountPasswordPolicy.json"),
          {"Error": {"Code": "NoSuchEntity", "Message": "The Password Policy cannot be found."}})
    # sandbox: IAM collected, no password policy file at all.
    g = os.path.join(INV, "333333333333", "global")
    write(os.path.join(g, "iam.ListUsers.json"), {"Users": [], "IsTruncated": False})
    write(os.path.join(g, "iam.GetAccountSummary.json"),
          {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "Users": 0}})


def main():
    build()
    p = subprocess.run([CUSTOS, "scan", "-i", INV, "-p", os.path.join(ROOT, "policies/aws/iam.yml"),
                        "-f", "json"], capture_output=True, text=True)
    check("scan-runs", p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[:500]))
    try:
        findings = json.loads(p.stdout)["findings"]
    except (ValueError, KeyError) as e:
        check("scan-json", False, str(e))
        return
    got = {(f["policy"], f["id"]) for f in findings}
    check("finds-every-planted", EXPECTED <= got, "missing %s" % sorted(EXPECTED - got))
    check("no-trap-reported", got <= EXPECTED, "unexpected %s" % sorted(got - EXPECTED))
    by = {(f["policy"], f["id"]): f for f in findings}
    for pol in ("iam-access-key-old-human", "iam-access-key-old-machine"):
        f = next((f for (p_, _), f in by.items() if p_ == pol), None)
        keys = (f or {}).get("evidence", {}).get("c7n:matched-keys", [])
        check("%s-evidence-names-the-key" % pol,
              len(keys) == 1 and keys[0].get("AccessKeyId", "").startswith("AKIA"),
              json.dumps(f and f.get("evidence")))
    f = by.get(("iam-access-key-unused", "ci-stale"), {})
    ev = f.get("evidence", {})
    check("unused-evidence-is-the-stale-key",
          len(ev.get("c7n:matched-keys", [])) == 1 and ev.get("access_keys.last_used_date") == ago(100),
          json.dumps(ev))
    f = by.get(("iam-password-policy-weak", "333333333333"), {})
    # Every `or` branch that matched is in the evidence (all of them, as
    # Custodian evaluates them): first the missing policy itself.
    ev = f.get("evidence") or {}
    check("missing-password-policy-evidence",
          list(ev.items())[:1] == [("PasswordPolicyConfigured", False)], json.dumps(ev))
    check("no-secrets-in-output", "Secret" not in p.stdout, "a Secret* field reached the report")


main()
sys.exit(1 if failed else 0)
