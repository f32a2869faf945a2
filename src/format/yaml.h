/* yaml.h - YAML documents as jv values, with source positions.
 *
 * Policies, accounts.yaml and suppression files are YAML.  yaml_load turns a
 * document into the same jv tree JSON produces, so one code path compiles a
 * policy whether it came from YAML or JSON, and records where each node came
 * from in a srcmap so errors can name file:line:column.
 *
 * Scalars resolve the way PyYAML's safe_load does (Cloud Custodian loads
 * policies with it, and users' files must mean the same thing here): YAML
 * 1.1 booleans (yes/no/on/off/true/false in their three casings), null
 * (~, null, empty), ints (decimal, 0b, 0x, leading-0 octal, underscores,
 * 1:30 sexagesimal; "0o17" and "1e3" stay strings as in PyYAML), floats
 * (1.5, 1., .5, 1.0e+3 with a signed exponent, .inf/.nan); quoted scalars
 * and !!str are strings; standard !!tags are honoured, other tags are an
 * error (safe_load has no constructor for them); timestamps stay strings.
 * Anchors and aliases are resolved; merge keys (<<) are applied (explicit
 * keys win, then earlier merged mappings); duplicate keys: the last wins.
 * A document may hold at most 2,000,000 nodes after alias expansion and
 * 200 levels of nesting.  Mapping keys are scalars, kept as their text.
 */
#ifndef CUSTOS_YAML_H
#define CUSTOS_YAML_H

#include "json/json.h"
#include "util/diag.h"

typedef struct srcmap srcmap;

srcmap *srcmap_new(arena *a, const char *file); /* file name stored for positions */
/* Position of a node: pass a const jv* (a value) or a const jv_member* (its
 * key).  Unknown nodes give {file, 0, 0}. */
srcpos srcmap_get(const srcmap *m, const void *node);
void srcmap_put(srcmap *m, const void *node, int line, int col);

/* Parses text (one YAML document; an empty document is null).  On a YAML
 * syntax error adds a diagnostic with the position and returns -1.  map may
 * be NULL. */
int yaml_load(arena *a, const char *file, const char *text, size_t len, jv *out, srcmap *map,
              diag_list *diags);

#endif
