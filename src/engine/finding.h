/* finding.h - a finding's canonical JSON, its evidence and its content hash.
 *
 * One serialisation serves every consumer: the JSON report, the store
 * (which keeps the JSON and compares its hash to know what changed) and
 * `custos explain`.  It lives with the engine because the engine renders
 * and hashes each finding on the worker that found it (render_json, hash),
 * while the resource is at hand; the outputs above only concatenate.
 */
#ifndef CUSTOS_FINDING_H
#define CUSTOS_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "util/buf.h"

/* Appends one finding as a JSON object (the json format's element).
 * Returns where its evidence (the last member's value) starts in b. */
size_t finding_write_json(buf *b, const finding *f);
/* A 64-bit hash of a finding's JSON: equal JSON, equal hash; any change
 * of a byte or of the length changes it (each step is a bijection). */
uint64_t finding_json_hash(const char *json, size_t len);
/* Appends a finding's evidence as JSON (its identity when no filter
 * described the match; never empty). */
void finding_write_evidence(buf *b, const finding *f);

#endif
