#!/usr/bin/python3
"""deploy/: the Kubernetes manifests and the container image, checked.

- Schemas: every object of deploy/k8s (as written, and as the kustomization
  builds it) validates against the Kubernetes OpenAPI schemas with
  kubernetes-models' validators (npm, pinned in tests/lint/k8s/package-lock.json,
  installed with `npm ci` on first use), and has no field those schemas do not
  know (a typo such as `completionMod` is not caught by the schemas alone:
  the field names come from the package's type definitions, like
  kubeconform --strict);
- the kustomization is built here by a small emulation of the kustomize
  fields it uses (resources, namespace, configMapGenerator, images and
  inline JSON 6902 patches); a field outside those fails the test, so the
  emulation cannot silently drift from what kustomize would do (kustomize
  itself is not in Debian 12 or npm: not run here);
- semantics: the CronJob's Job is Indexed with completions == parallelism ==
  the --shards value, runs `scan --collect`, restartPolicy Never (for
  backoffLimitPerIndex), CUSTOS_RUN is the Job's name (the run of
  `custos scan --run`); every pod runs as non-root with a read-only root
  file system and an emptyDir on /tmp; the scan's ServiceAccount carries an
  eks.amazonaws.com/role-arn; CUSTOS_DB comes from the Secret; the
  Deployment's readiness probe is on /healthz of the port `custos serve
  --listen 0.0.0.0:PORT` listens on; the Service and selectors match;
- the containers' command lines run: the Deployment's with this tree's
  custos (listening on 0.0.0.0 as in the pod, on a free port) answers its
  readiness probe's path with 200; the CronJob's (with $(CUSTOS_SHARDS)
  expanded as Kubernetes does, and JOB_COMPLETION_INDEX) is accepted by
  `custos scan` and stops at the credentials (no AWS here); the
  ConfigMap's accounts.yaml is read by custos;
- deploy/Dockerfile: multi-stage on debian:12-slim, the runtime stage
  installs the package of every library the release binary links (dpkg -S
  of its NEEDED entries) and no -dev package, runs as the non-root uid the
  manifests name, and points HOME/TMPDIR/CUSTOS_DB at /tmp.
Building the image needs a Docker daemon: `bash deploy/smoke.sh`, not here.
"""
import glob
import hashlib
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request

import jsonpatch
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
K8S = os.path.join(ROOT, "deploy/k8s")
NPM = os.path.join(HERE, "k8s")
CUSTOS = os.environ.get("CUSTOS_RELEASE") or os.path.join(ROOT, "build/release/custos")
OUT = os.path.join(os.environ.get("OUT", "/tmp/custos-test-out"), "deploy")
failures = 0


def check(name, ok, why=""):
    global failures
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, str(why)[:1500])))
    sys.stdout.flush()
    failures += 0 if ok else 1
    return ok


def npm_ci():
    """tests/lint/k8s/node_modules from the lock file (once per lock)."""
    stamp = os.path.join(NPM, "node_modules/.custos-installed")
    want = hashlib.sha256(open(os.path.join(NPM, "package-lock.json"), "rb").read()).hexdigest()
    if os.path.exists(stamp) and open(stamp).read() == want:
        return True
    p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NPM, capture_output=True,
                       text=True, env=dict(os.environ, CI="true"), stdin=subprocess.DEVNULL)
    if not check("npm_ci_kubernetes_models", p.returncode == 0, p.stderr[-800:]):
        return False
    open(stamp, "w").write(want)
    return True


def validate(docs):
    p = subprocess.run(["node", os.path.join(NPM, "validate.mjs")], input=json.dumps(docs), capture_output=True,
                       text=True, cwd=NPM)
    if p.returncode != 0:
        return [{"kind": "?", "name": "?", "ok": False, "error": p.stderr[-500:]}]
    return json.loads(p.stdout)


# ---- strict fields: the schemas' field names, from the type definitions ----

def load_types():
    """{long interface name: {field: type text}} from the .d.ts files, and
    {(apiVersion, kind): long name} for the top-level objects."""
    types, top = {}, {}
    dirs = [os.path.join(NPM, "node_modules/kubernetes-models"),
            os.path.join(NPM, "node_modules/@kubernetes-models/apimachinery")]
    for d in dirs:
        for path in glob.glob(os.path.join(d, "**/*.d.ts"), recursive=True):
            text = open(path).read()
            local = {}
            for m in re.finditer(r"^export interface (\w+)(?: extends [^{]+)? \{\n(.*?)^\}", text, re.S | re.M):
                fields = {}
                for f in re.finditer(r'^    "([^"]+)"\??: (.*?);?$', m.group(2), re.M):
                    fields[f.group(1)] = f.group(2)
                local[m.group(1)] = fields
            for m in re.finditer(r"export type \{ (\w+) as (\w+)", text):
                if m.group(1) in local:
                    types[m.group(2)] = local[m.group(1)]
            for name, fields in local.items():
                av, kind = fields.get("apiVersion", ""), fields.get("kind", "")
                if av.startswith('"') and kind.startswith('"'):
                    long = "top:" + av.strip('"') + "/" + kind.strip('"')
                    types[long] = fields
                    top[(av.strip('"'), kind.strip('"'))] = long
    return types, top


def unknown_fields(doc, tname, types, path=""):
    """Paths of doc's fields that its schema type does not have."""
    fields = types.get(tname)
    if fields is None or not isinstance(doc, dict):
        return []
    bad = []
    for k, v in doc.items():
        if k not in fields:
            bad.append(path + "." + k)
            continue
        t = fields[k].strip()
        if t.startswith("{"):  # a map of free keys
            continue
        m = re.match(r"Array<(\w+)>$", t)
        if m and isinstance(v, list):
            for i, x in enumerate(v):
                bad += unknown_fields(x, m.group(1), types, "%s.%s[%d]" % (path, k, i))
        elif re.match(r"\w+$", t):
            bad += unknown_fields(v, t, types, path + "." + k)
    return bad


# ---- the kustomization, built ----

KNOWN = {"apiVersion", "kind", "namespace", "resources", "configMapGenerator", "generatorOptions", "images", "patches"}


def load_yaml_docs(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]


def build(kdir):
    k = yaml.safe_load(open(os.path.join(kdir, "kustomization.yaml")))
    extra = set(k) - KNOWN
    if extra:
        raise ValueError("kustomization.yaml uses %s, which this test's emulation does not do" % sorted(extra))
    if k.get("generatorOptions", {}) != {"disableNameSuffixHash": True}:
        raise ValueError("generatorOptions must be exactly disableNameSuffixHash: true (names are not rewritten here)")
    objs = []
    for r in k["resources"]:
        objs += load_yaml_docs(os.path.join(kdir, r))
    for g in k.get("configMapGenerator", []):
        if set(g) - {"name", "files"}:
            raise ValueError("configMapGenerator: only name and files")
        data = {os.path.basename(f): open(os.path.join(kdir, f)).read() for f in g["files"]}
        objs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": g["name"]}, "data": data})
    for p in k.get("patches", []):
        if set(p) != {"target", "patch"} or set(p["target"]) - {"kind", "name"}:
            raise ValueError("patches: only target (kind, name) and an inline JSON 6902 patch")
        hits = [o for o in objs if o["kind"] == p["target"]["kind"] and o["metadata"]["name"] == p["target"]["name"]]
        if len(hits) != 1:
            raise ValueError("patch target %s matches %d objects" % (p["target"], len(hits)))
        patched = jsonpatch.JsonPatch(yaml.safe_load(p["patch"])).apply(hits[0])
        objs[objs.index(hits[0])] = patched
    for o in objs:
        if o["kind"] != "Namespace" and "namespace" in k:
            o["metadata"]["namespace"] = k["namespace"]
        for c in pod_containers(o):
            for im in k.get("images", []):
                name, _, tag = c["image"].partition(":")
                if name == im["name"]:
                    c["image"] = "%s:%s" % (im.get("newName", name), im.get("newTag", tag or "latest"))
    return k, objs


def pod_spec(o):
    if o["kind"] == "CronJob":
        return o["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if o["kind"] in ("Deployment", "Job"):
        return o["spec"]["template"]["spec"]
    return None


def pod_containers(o):
    ps = pod_spec(o)
    return (ps or {}).get("containers", [])


def expand(args, env):
    """Kubernetes' $(VAR) expansion of a container's args."""
    values = {e["name"]: e["value"] for e in env if "value" in e}
    return [re.sub(r"\$\((\w+)\)", lambda m: values.get(m.group(1), m.group(0)), a) for a in args]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def semantics(objs):
    by = {(o["kind"], o["metadata"]["name"]): o for o in objs}
    cron = [o for o in objs if o["kind"] == "CronJob"]
    deps = [o for o in objs if o["kind"] == "Deployment"]
    if not check("one_cronjob_one_deployment", len(cron) == 1 and len(deps) == 1,
                 [o["kind"] for o in objs]):
        return None
    cj, dep = cron[0], deps[0]
    job = cj["spec"]["jobTemplate"]["spec"]
    c = pod_containers(cj)[0]
    args = expand(c["args"], c.get("env", []))
    shards = args[args.index("--shards") + 1] if "--shards" in args else None
    check("job_indexed", job.get("completionMode") == "Indexed", job.get("completionMode"))
    check("parallelism_completions_shards_equal", shards is not None and shards.isdigit() and
          job.get("completions") == job.get("parallelism") == int(shards),
          "completions %s, parallelism %s, --shards %s" % (job.get("completions"), job.get("parallelism"), shards))
    check("cronjob_scans_with_collect", args[:2] == ["scan", "--collect"] and "--accounts" in args, args)
    run = [e for e in c.get("env", []) if e["name"] == "CUSTOS_RUN"]
    check("run_id_is_the_jobs_name", run and run[0].get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") ==
          "metadata.labels['batch.kubernetes.io/job-name']", run)
    ps = pod_spec(cj)
    check("restart_never_for_backoff_per_index", ps.get("restartPolicy") == "Never" and
          "backoffLimitPerIndex" in job, (ps.get("restartPolicy"), job.get("backoffLimitPerIndex")))
    for o in (cj, dep):
        ps = pod_spec(o)
        name = o["metadata"]["name"]
        check("%s_run_as_non_root" % name, ps.get("securityContext", {}).get("runAsNonRoot") is True and
              ps["securityContext"].get("runAsUser", 0) > 0, ps.get("securityContext"))
        for ct in ps["containers"]:
            sc = ct.get("securityContext", {})
            check("%s_%s_read_only_root" % (name, ct["name"]), sc.get("readOnlyRootFilesystem") is True and
                  sc.get("allowPrivilegeEscalation") is False and sc.get("capabilities", {}).get("drop") == ["ALL"], sc)
            vols = {v["name"]: v for v in ps.get("volumes", [])}
            tmp = [m for m in ct.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            check("%s_%s_tmp_is_emptydir" % (name, ct["name"]), tmp and "emptyDir" in vols.get(tmp[0]["name"], {}),
                  ct.get("volumeMounts"))
            db = [e for e in ct.get("env", []) if e["name"] == "CUSTOS_DB"]
            ref = db[0].get("valueFrom", {}).get("secretKeyRef", {}) if db else {}
            sec = by.get(("Secret", ref.get("name")))
            check("%s_%s_db_from_secret" % (name, ct["name"]), sec is not None and
                  ref.get("key") in sec.get("stringData", sec.get("data", {})), db)
    sa = by.get(("ServiceAccount", pod_spec(cj).get("serviceAccountName")))
    arn = (sa or {}).get("metadata", {}).get("annotations", {}).get("eks.amazonaws.com/role-arn", "")
    check("scan_service_account_irsa", re.match(r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]+$", arn), sa)
    cm = [v for v in pod_spec(cj)["volumes"] if "configMap" in v]
    check("accounts_configmap_exists", cm and ("ConfigMap", cm[0]["configMap"]["name"]) in by, cm)
    # The dashboard: listens on 0.0.0.0, probe on /healthz of that port.
    w = pod_containers(dep)[0]
    wargs = w["args"]
    listen = wargs[wargs.index("--listen") + 1] if "--listen" in wargs else ""
    port = {p["name"]: p["containerPort"] for p in w.get("ports", [])}
    probe = w.get("readinessProbe", {}).get("httpGet", {})
    pport = port.get(probe.get("port"), probe.get("port"))
    check("serve_listens_on_all_addresses", wargs[0] == "serve" and listen.startswith("0.0.0.0:") and
          "--allow-remote" in wargs, wargs)
    check("readiness_probe_healthz_on_listen_port", probe.get("path") == "/healthz" and
          listen == "0.0.0.0:%s" % pport, (probe, listen, port))
    sel = dep["spec"]["selector"]["matchLabels"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    svc = [o for o in objs if o["kind"] == "Service"]
    check("selectors_match", all(labels.get(k) == v for k, v in sel.items()) and svc and
          all(labels.get(k) == v for k, v in svc[0]["spec"]["selector"].items()) and
          svc[0]["spec"]["ports"][0]["targetPort"] in port, (sel, labels, svc and svc[0]["spec"]))
    return cj, dep, by


def run_commands(cj, dep, by):
    os.makedirs(OUT, exist_ok=True)
    # The ConfigMap's accounts.yaml, read by custos.
    cm_name = [v for v in pod_spec(cj)["volumes"] if "configMap" in v][0]["configMap"]["name"]
    accounts_dir = os.path.join(OUT, "etc-custos")
    os.makedirs(accounts_dir, exist_ok=True)
    for f, text in by[("ConfigMap", cm_name)]["data"].items():
        open(os.path.join(accounts_dir, f), "w").write(text)
    r = subprocess.run([CUSTOS, "shards", "--inventory", accounts_dir, "--shards", "2"], capture_output=True, text=True)
    check("accounts_yaml_read_by_custos", r.returncode == 0, r.stderr)
    # The CronJob's command line: accepted, stops at the credentials.
    c = pod_containers(cj)[0]
    args = [accounts_dir + a[len("/etc/custos"):] if a.startswith("/etc/custos/") else
            OUT + a[len("/tmp"):] if a.startswith("/tmp/") else a for a in expand(c["args"], c.get("env", []))]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(JOB_COMPLETION_INDEX="1", CUSTOS_DB="sqlite:" + os.path.join(OUT, "scan.db"),
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    r = subprocess.run([CUSTOS] + args, capture_output=True, text=True, env=env, timeout=60)
    check("cronjob_command_line_accepted", r.returncode == 1 and "credentials" in r.stderr and
          "unknown option" not in r.stderr and "usage" not in r.stderr, "%s: exit %d: %s" % (
              shlex.join(args), r.returncode, r.stderr[-400:]))
    # The Deployment's: serves /healthz with 200 on 0.0.0.0.
    org = os.path.join(OUT, "org")
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "examples/gen_org.py"), "--out", org, "--quiet"],
                   check=True)
    db = "sqlite:" + os.path.join(OUT, "web.db")
    subprocess.run([CUSTOS, "scan", "--inventory", org, "--db", db, "-o", os.devnull], capture_output=True)
    w = pod_containers(dep)[0]
    port = free_port()
    wargs = [a.replace("0.0.0.0:8080", "0.0.0.0:%d" % port) for a in w["args"]]
    log = open(os.path.join(OUT, "serve.log"), "w")
    srv = subprocess.Popen([CUSTOS] + wargs, stdout=log, stderr=log, env=dict(os.environ, CUSTOS_DB=db))
    path = w["readinessProbe"]["httpGet"]["path"]
    status, body = None, b""
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=2) as resp:
                    status, body = resp.status, resp.read()
                break
            except OSError:
                if srv.poll() is not None:
                    break
                time.sleep(0.1)
    finally:
        srv.terminate()
        srv.wait()
    check("serve_answers_readiness_probe", status == 200 and body == b"ok\n",
          "%s %r: %s" % (status, body, open(os.path.join(OUT, "serve.log")).read()[-400:]))
    routes = open(os.path.join(ROOT, "src/web/app.c")).read()
    check("healthz_in_route_table", '{"GET", "/healthz", R_HEALTHZ}' in routes, "src/web/app.c")


def dockerfile(uids):
    text = open(os.path.join(ROOT, "deploy/Dockerfile")).read()
    lines = re.sub(r"\\\n", " ", text).splitlines()
    stages, cur = [], None
    for line in lines:
        m = re.match(r"FROM\s+(\S+)", line)
        if m:
            cur = {"from": m.group(1), "lines": []}
            stages.append(cur)
        elif cur is not None:
            cur["lines"].append(line)
    check("dockerfile_multistage_debian12_slim", len(stages) >= 2 and all(s["from"] == "debian:12-slim" for s in stages),
          [s["from"] for s in stages])
    final = stages[-1]["lines"]
    pkgs = set()
    for line in final:
        m = re.search(r"apt-get install (.*?)(&&|$)", line)
        if m:
            pkgs |= {w for w in m.group(1).split() if not w.startswith("-")}
    needed = []
    r = subprocess.run(["objdump", "-p", CUSTOS], capture_output=True, text=True)
    for m in re.finditer(r"NEEDED\s+(\S+)", r.stdout):
        d = subprocess.run(["dpkg", "-S", "*/" + m.group(1)], capture_output=True, text=True).stdout
        owners = {x.split(":")[0] for x in d.splitlines() if x}
        owners = {o for o in owners if "i386" not in o and not o.startswith("lib32")}
        needed.append((m.group(1), owners))
    # libc6 and libgcc-s1 are in every Debian image (essential / required).
    missing = [(lib, sorted(o)) for lib, o in needed if not (o & pkgs) and not (o <= {"libc6", "libgcc-s1"})]
    check("runtime_stage_has_every_linked_library", needed and not missing,
          "libraries whose package is not installed: %s (installed: %s)" % (missing, sorted(pkgs)))
    check("runtime_stage_no_dev_packages", pkgs and not [p for p in pkgs if p.endswith("-dev")], sorted(pkgs))
    user = [line.split()[1] for line in final if line.startswith("USER ")]
    uid = user[-1].split(":")[0] if user else "0"
    check("dockerfile_non_root_user_matches_manifests", uid.isdigit() and int(uid) > 0 and uids == {int(uid)},
          "USER %s, manifests %s" % (user, uids))
    env = " ".join(line for line in final if line.startswith("ENV "))
    check("dockerfile_writes_only_tmp", "HOME=/tmp" in env and "TMPDIR=/tmp" in env and
          "CUSTOS_DB=sqlite:/tmp/" in env and not [line for line in final if line.startswith("VOLUME")], env)
    copies = [line for line in final if line.startswith("COPY")]
    check("runtime_stage_copies_only_the_binary", len(copies) == 1 and "--from=build" in copies[0] and
          copies[0].split()[-1] == "/usr/local/bin/custos", copies)
    check("dockerfile_entrypoint_custos", 'ENTRYPOINT ["/usr/local/bin/custos"]' in final, "")


def main():
    if not npm_ci():
        return
    types, top = load_types()
    check("schema_types_loaded", len(types) > 500 and ("batch/v1", "CronJob") in top, len(types))
    files = sorted(glob.glob(os.path.join(K8S, "*.yaml")))
    raw = []
    for f in files:
        if os.path.basename(f) in ("kustomization.yaml", "accounts.yaml"):
            continue
        raw += load_yaml_docs(f)
    try:
        k, objs = build(K8S)
        check("kustomization_builds", True)
    except (ValueError, KeyError, jsonpatch.JsonPatchException) as e:
        check("kustomization_builds", False, e)
        return
    listed = {os.path.basename(f) for f in files} - {"kustomization.yaml", "accounts.yaml"}
    check("kustomization_lists_every_manifest", set(k["resources"]) == listed, (k["resources"], listed))
    for label, docs in (("as_written", raw), ("built", objs)):
        for r in validate(docs):
            check("schema_%s_%s_%s" % (label, r["kind"], r["name"]), r["ok"], r["error"])
        for o in docs:
            t = top.get((o.get("apiVersion"), o.get("kind")))
            bad = unknown_fields(o, t, types) if t else ["no schema type"]
            check("strict_fields_%s_%s_%s" % (label, o["kind"], o["metadata"]["name"]), not bad,
                  "fields the schema does not have: %s" % bad)
    # The strict check itself catches a typo (and the validator a bad type).
    typo = json.loads(json.dumps([o for o in objs if o["kind"] == "CronJob"][0]))
    typo["spec"]["jobTemplate"]["spec"]["completionMod"] = "Indexed"
    bad = unknown_fields(typo, top[("batch/v1", "CronJob")], types)
    typo["spec"]["jobTemplate"]["spec"]["parallelism"] = "4"
    check("strict_check_catches_typo_and_type", bad == [".spec.jobTemplate.spec.completionMod"] and
          not validate([typo])[0]["ok"], bad)
    got = semantics(objs)
    if got:
        run_commands(*got)
        uids = {pod_spec(o)["securityContext"]["runAsUser"] for o in got[:2]}
        dockerfile(uids)


main()
sys.exit(1 if failures else 0)
