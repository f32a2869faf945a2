#!/usr/bin/python3
"""`custos accounts --from-organizations` against a real AWS peer: moto_server's
Organizations, built with the AWS CLI (the referee of the collector's tests).

The organisation: the management account; Production/Payments (an account
tagged team=payments), Production (an account with no tag: its team comes
from the OU rule), Sandbox (an account whose name is hostile: quotes, a
newline and a YAML key), and one closed account (SUSPENDED in moto).  The
written accounts.yaml must list exactly the ACTIVE accounts with the team
and environment the rules give, the suspended one under skipped: with its
reason (and said on stderr), the organisation id and collect.role; it must
be YAML whose values are exactly the names (no injected key), and custos
itself must read it (custos shards).  Bad rules and an organisation that
does not exist are clear errors, exit 1, nothing written."""
import os
import shutil
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from aws_peer import Cli, Report, cli_python, moto_server, start_moto  # noqa: E402

CUSTOS = os.environ.get("CUSTOS", os.path.join(HERE, "../../build/asan/custos"))
OUT = os.path.join(os.environ.get("OUT", "/tmp/custos-test-out"), "accounts-orgs")
report = Report()
HOSTILE = 'evil "quoted"\nname: injected\n- id: "999"'


def build_org(cli):
    org = cli("organizations", "create-organization", "--feature-set", "ALL")["Organization"]
    root = cli("organizations", "list-roots")["Roots"][0]["Id"]

    def ou(parent, name):
        return cli("organizations", "create-organizational-unit", "--parent-id", parent,
                   "--name", name)["OrganizationalUnit"]["Id"]

    def account(name, parent, tags=()):
        st = cli("organizations", "create-account", "--email", "%d@example.com" % abs(hash(name)),
                 "--account-name", name)["CreateAccountStatus"]
        acc = st["AccountId"]
        cli("organizations", "move-account", "--account-id", acc, "--source-parent-id", root,
            "--destination-parent-id", parent)
        if tags:
            cli("organizations", "tag-resource", "--resource-id", acc, "--tags",
                *["Key=%s,Value=%s" % kv for kv in tags])
        return acc

    prod = ou(root, "Production")
    pay = ou(prod, "Payments")
    sandbox = ou(root, "Sandbox")
    ids = {
        "payments-prod": account("payments-prod", pay, [("team", "payments")]),
        "shared-prod": account("shared-prod", prod),
        "hostile": account(HOSTILE, sandbox, [("team", "web")]),
        "closed": account("old-closed", sandbox, [("team", "legacy")]),
    }
    cli("organizations", "close-account", "--account-id", ids["closed"])
    return org, ids


def accounts(env, *args):
    return subprocess.run([CUSTOS, "accounts", "--from-organizations", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    try:
        moto, py = moto_server(), cli_python()
    except (OSError, subprocess.CalledProcessError) as e:
        report("moto_server_and_aws_cli", False, "neither on PATH nor installable into build/aws-venv: %s" % e)
        return
    server, endpoint, log = start_moto(moto, os.path.join(OUT, "moto.log"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="AKIAORGSADMIN000000", AWS_SECRET_ACCESS_KEY="orgs-secret-never-printed",
                   AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
        # Before the organisation exists: a clear error, nothing written.
        cenv = dict(env, AWS_ENDPOINT_URL=endpoint)
        path = os.path.join(OUT, "accounts.yaml")
        p = accounts(cenv, "-o", path)
        report("no_organization_is_an_error", p.returncode == 1 and "DescribeOrganization" in p.stderr
               and not os.path.exists(path), "exit %d: %s" % (p.returncode, p.stderr[-300:]))
        cli = Cli(py, endpoint, env)
        org, ids = build_org(cli)
        cli.close()
        run(cenv, org, ids, path)
    finally:
        server.terminate()
        server.wait()


def run(env, org, ids, path):
    rules = ["--team", "tag:team", "--team", "ou", "--environment", "ou:Prod*=prod",
             "--environment", "ou:Sandbox=dev", "--role", "custos-read", "-o", path]
    p = accounts(env, *rules)
    report("written_exit_0", p.returncode == 0 and os.path.exists(path), "exit %d: %s" % (p.returncode, p.stderr))
    if not os.path.exists(path):
        return
    text = open(path).read()
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        report("valid_yaml", False, "%s\n%s" % (e, text[:800]))
        return
    report("valid_yaml", isinstance(doc, dict), text[:300])
    got = {a["id"]: a for a in doc.get("accounts") or []}
    mgmt = org["MasterAccountId"]
    report("active_accounts_only", set(got) == {mgmt, ids["payments-prod"], ids["shared-prod"], ids["hostile"]},
           "%s vs %s" % (sorted(got), ids))
    pay = got.get(ids["payments-prod"], {})
    report("team_from_tag_env_from_ancestor_ou",
           pay.get("name") == "payments-prod" and pay.get("team") == "payments" and pay.get("environment") == "prod"
           and pay.get("ou") == "Production/Payments", str(pay))
    shared = got.get(ids["shared-prod"], {})
    report("team_from_ou_when_no_tag", shared.get("team") == "Production" and shared.get("environment") == "prod",
           str(shared))
    bad = got.get(ids["hostile"], {})
    report("hostile_name_is_one_value", bad.get("name") == HOSTILE and bad.get("team") == "web"
           and bad.get("environment") == "dev" and set(bad) == {"id", "name", "team", "environment", "ou"}
           and "999" not in got, str(bad))
    m = got.get(mgmt, {})
    report("management_account_no_rule_match", "team" not in m and "environment" not in m, str(m))
    skipped = doc.get("skipped") or []
    report("suspended_skipped_with_reason",
           len(skipped) == 1 and skipped[0].get("id") == ids["closed"] and "SUSPENDED" in skipped[0].get("reason", "")
           and ("skipped %s" % ids["closed"]) in p.stderr and "SUSPENDED" in p.stderr,
           "%s; %s" % (skipped, p.stderr[-300:]))
    report("organization_and_role", doc.get("organization", {}).get("id") == org["Id"]
           and doc.get("collect") == {"role": "custos-read"}, "%s %s" % (doc.get("organization"), doc.get("collect")))
    report("secret_never_printed", "orgs-secret-never-printed" not in text + p.stdout + p.stderr)
    # custos reads what it wrote.
    inv = os.path.join(OUT, "inv")
    os.makedirs(inv, exist_ok=True)
    shutil.copy(path, os.path.join(inv, "accounts.yaml"))
    s = subprocess.run([CUSTOS, "shards", "--inventory", inv, "--shards", "2", "--format", "json"],
                       capture_output=True, text=True)
    report("custos_reads_it", s.returncode == 0 and all(i in s.stdout for i in got), s.stdout[-300:] + s.stderr[-300:])
    # stdout by default; a bad rule is an error before any call.
    p = accounts(env, "--team", "tag:team")
    report("stdout_by_default", p.returncode == 0 and yaml.safe_load(p.stdout).get("accounts"), p.stderr[-300:])
    p = accounts(env, "--team", "ou:=x")
    report("bad_rule_is_an_error", p.returncode == 1 and "--team 'ou:=x'" in p.stderr, p.stderr)
    p = subprocess.run([CUSTOS, "accounts"], env=env, capture_output=True, text=True)
    report("source_required", p.returncode == 1 and "--from-organizations" in p.stderr, p.stderr)


main()
sys.exit(1 if report.failures else 0)
