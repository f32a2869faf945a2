/* support.c - what custos supports of Custodian's filters, for users.
 *
 * Two things live here so they cannot drift from the registries:
 *  - the Custodian filters custos knows it does NOT implement, each with
 *    why and what to use instead; `custos validate` names them in its
 *    error rather than only listing the known types (filter_unsupported);
 *  - the Markdown table of supported resource types and their filters,
 *    generated from the resource and filter registries
 *    (`custos validate --supported`), which README.md embeds between
 *    <!-- support:begin --> and <!-- support:end --> (a test compares).
 * The advice strings are ours; the filter names are Custodian's.
 */
#include "filters/support.h"

#include <string.h>

#include "resources/resource.h"

static const struct {
    const char *name, *advice;
} UNSUPPORTED[] = {
    {"check-permissions", "IAM policy simulation is not available offline; use has-allow-all "
                          "or has-statement on the role's policies"},
    {"service-limit", "Trusted Advisor limits are not collected; use Service Quotas"},
};

const char *filter_unsupported(const char *name)
{
    for (size_t i = 0; name && i < sizeof UNSUPPORTED / sizeof *UNSUPPORTED; i++)
        if (strcmp(UNSUPPORTED[i].name, name) == 0) return UNSUPPORTED[i].advice;
    return NULL;
}

static bool applies(const filter_type *f, const char *type)
{
    if (!f->applies) return true;
    for (const char *const *a = f->applies; *a; a++)
        if (strcmp(*a, type) == 0) return true;
    return false;
}

void support_markdown(buf *out)
{
    buf_puts(out, "| resource type | filters (besides value, and, or, not, list-item, "
                  "marked-for-op) |\n|---|---|\n");
    for (int i = 0; resource_type_at(i); i++) {
        const resource_type *t = resource_type_at(i);
        buf_printf(out, "| `%s` |", t->name);
        int n = 0;
        for (int k = 0; filter_type_at(k); k++) {
            const filter_type *f = filter_type_at(k);
            if (!f->applies || !applies(f, t->name)) continue;
            buf_printf(out, "%s `%s`", n++ ? "," : "", f->name);
        }
        buf_puts(out, n ? " |\n" : " - |\n");
    }
    buf_puts(out, "\nNot supported (`custos validate` rejects them, naming what to use "
                  "instead):");
    int n = 0;
    for (size_t i = 0; i < sizeof UNSUPPORTED / sizeof *UNSUPPORTED; i++) {
        if (filter_type_find(UNSUPPORTED[i].name)) continue;
        buf_printf(out, "%s `%s`", n++ ? "," : "", UNSUPPORTED[i].name);
    }
    buf_puts(out, ".\n");
}
