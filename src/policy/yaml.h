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
 * (~, null, empty), ints (decimal, 0x, 0o/0 octal, underscores), floats
 * (incl. .inf/.nan); quoted scalars are always strings; timestamps stay
 * strings.  Anchors and aliases are resolved; merge keys (<<) are applied.
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
