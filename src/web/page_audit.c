/* page_audit.c - /audit: what custos fix changed (the remediation audit log).
 *
 * Read-only, like the log itself (store/audit.h): every step custos fix
 * ran, newest first, before and after its call, with who made it, the
 * plan's hash, the call, AWS's request id, the result and the resource's
 * state before and after.  /api/audit gives the same entries as JSON
 * (oldest first, as `custos audit --format json`).  Everything in it
 * (resource ids, messages, states) may come from the resources, so it is
 * escaped like any other text.
 */
#include <string.h>

#include "store/audit.h"
#include "web/page.h"

enum { AUDIT_SHOWN = 500 };

static void audit_json(page_ctx *c, const audit_entry *e, size_t n)
{
    jw w;
    page_json_begin(c, &w);
    jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w);
        jw_kint(&w, "id", e[i].id);
        jw_key(&w, "at");
        jw_time(&w, e[i].at);
        jw_kstr(&w, "phase", e[i].phase);
        jw_kstr(&w, "plan_hash", e[i].plan_hash);
        jw_kint(&w, "step", e[i].step);
        const char *k[] = {"who",        "fingerprint",   "policy",      "action",  "account_id",
                           "region",     "resource_type", "resource_id", "service", "operation",
                           "request_id", "result",        "message"};
        const char *v[] = {e[i].who,        e[i].fingerprint, e[i].policy,        e[i].action,
                           e[i].account_id, e[i].region,      e[i].resource_type, e[i].resource_id,
                           e[i].service,    e[i].operation,   e[i].request_id,    e[i].result,
                           e[i].message};
        for (size_t j = 0; j < sizeof k / sizeof k[0]; j++)
            jw_kstr(&w, k[j], v[j]);
        jw_key(&w, "params");
        jw_json(&w, e[i].params);
        jw_key(&w, "state_before");
        jw_json(&w, e[i].state_before);
        jw_key(&w, "state_after");
        jw_json(&w, e[i].state_after);
        jw_end(&w);
    }
    jw_end(&w);
}

static void audit_row(page_ctx *c, const audit_entry *e)
{
    buf *b = c->out;
    html_printf(b,
                "<tr data-testid=\"audit-row\"><td>%s</td><td>%s</td><td><code>%s</code> #%l</td>"
                "<td>%s</td><td>%s %s</td><td>",
                web_when(c->a, e->at, c->now), e->phase,
                e->plan_hash ? arena_strndup(c->a, e->plan_hash, 12) : "", (int64_t)e->step,
                e->result, e->service, e->operation);
    if (e->fingerprint)
        html_printf(b, "<a href=\"/finding/%u\">%s</a>", e->fingerprint, e->resource_id);
    else
        html_printf(b, "%s", e->resource_id);
    html_printf(b, " <small>%s %s</small></td><td>%s</td><td><code>%s</code></td><td>%s",
                e->account_id, e->region, e->who ? e->who : "-", e->request_id ? e->request_id : "",
                e->message ? e->message : "");
    if (e->state_before || e->state_after)
        html_printf(b,
                    "<details><summary>State</summary><p>Before: <code>%s</code></p>"
                    "<p>After: <code>%s</code></p></details>",
                    e->state_before ? e->state_before : "-", e->state_after ? e->state_after : "-");
    buf_puts(b, "</td></tr>\n");
}

void page_audit(page_ctx *c)
{
    audit_entry *e;
    size_t n;
    if (store_audit_list(c->st, AUDIT_SHOWN, c->a, &e, &n) < 0) {
        page_store_error(c);
        return;
    }
    if (c->json) {
        audit_json(c, e, n);
        return;
    }
    page_begin(c, "Remediation audit log", NAV_NONE);
    buf *b = c->out;
    buf_puts(b, "<h1>Remediation audit log</h1>\n<p>Every change <code>custos fix</code> made or "
                "skipped, written before and after its call. The log is append-only: nothing here "
                "can be edited or removed, from this page or the command line.</p>\n");
    if (!n) {
        buf_puts(b, "<p data-testid=\"audit-empty\">Nothing yet: custos fix has changed "
                    "nothing.</p>\n");
        page_end(c);
        return;
    }
    if (n == AUDIT_SHOWN)
        html_printf(b, "<p>The newest %d entries; <code>custos audit</code> lists them all.</p>\n",
                    AUDIT_SHOWN);
    buf_puts(b, "<table class=\"audit\"><caption>Steps, newest first</caption><thead><tr>"
                "<th scope=\"col\">When</th><th scope=\"col\">Phase</th><th scope=\"col\">Plan</th>"
                "<th scope=\"col\">Result</th><th scope=\"col\">Call</th>"
                "<th scope=\"col\">Resource</th><th scope=\"col\">Who</th>"
                "<th scope=\"col\">Request id</th><th scope=\"col\">Details</th></tr></thead>"
                "<tbody>\n");
    for (size_t i = n; i-- > 0;)
        audit_row(c, &e[i]);
    buf_puts(b, "</tbody></table>\n");
    page_end(c);
}
