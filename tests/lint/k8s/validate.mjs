// validate.mjs - validates Kubernetes objects against the Kubernetes
// OpenAPI schemas (kubernetes-models' compiled validators), for
// tests/lint/test_deploy.py.  Reads a JSON array of objects on stdin and
// prints one JSON array: for each object {kind, name, ok, error}.  An
// apiVersion or kind the package does not know is an error, never a pass.
import { readFileSync } from "node:fs";

const docs = JSON.parse(readFileSync(0, "utf8"));
const out = [];
for (const d of docs) {
  const r = { kind: d.kind, name: d.metadata && d.metadata.name, ok: false, error: null };
  try {
    const group = d.apiVersion.includes("/") ? d.apiVersion : "v1";
    const mod = await import("kubernetes-models/" + (d.apiVersion === "v1" ? "v1" : group));
    const Model = mod[d.kind];
    if (!Model) throw new Error(`no model for ${d.apiVersion} ${d.kind}`);
    new Model(d).validate();
    r.ok = true;
  } catch (e) {
    r.error = String((e && e.message) || e);
  }
  out.push(r);
}
process.stdout.write(JSON.stringify(out) + "\n");
