/* support.h - what custos supports of Custodian's filters (see support.c).
 *
 * Contract: filter_unsupported(name) gives, for a Custodian filter custos
 * does not implement, a sentence saying what to use instead (NULL for
 * names it does not know); support_markdown appends the README's table of
 * supported resource types and filters, generated from the registries.
 */
#ifndef CUSTOS_SUPPORT_H
#define CUSTOS_SUPPORT_H

#include "filters/filter.h"
#include "util/buf.h"

const char *filter_unsupported(const char *name);
void support_markdown(buf *out);

#endif
