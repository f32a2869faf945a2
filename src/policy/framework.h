/* framework.h - compliance frameworks: the requirements checks map to.
 *
 * A policy names the requirements it answers in its metadata, as
 * `compliance: {cis-aws-3.0: ["1.4", ...]}` (any framework name; custos
 * knows the catalogue of the ones below).  The catalogue lists every
 * requirement with its title and whether configuration can answer it at
 * all, so `custos checks --framework` can say, for each one, which checks
 * cover it, that none does yet, or that it needs a person (a process, not a
 * setting).  Titles are short paraphrases; the benchmark's own document is
 * the reference.
 */
#ifndef CUSTOS_FRAMEWORK_H
#define CUSTOS_FRAMEWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "json/json.h"

typedef struct framework_req {
    const char *id;    /* "1.4", "2.1.1" */
    const char *title; /* what it asks for */
    bool automatable;  /* configuration can answer it */
} framework_req;

typedef struct framework {
    const char *name;  /* as in metadata.compliance: "cis-aws-3.0" */
    const char *title; /* "CIS Amazon Web Services Foundations Benchmark v3.0.0" */
    const framework_req *reqs;
    size_t n;
} framework;

/* The framework called name, or NULL. */
const framework *framework_find(const char *name);
/* Whether a policy's metadata names requirement id of framework fw
 * (metadata.compliance.<fw> is a list holding id). */
bool framework_refers(const jv *metadata, const char *fw, const char *id);
/* Every known framework, for messages ("known: cis-aws-3.0"). */
const framework *framework_at(size_t i); /* NULL past the end */

#endif
