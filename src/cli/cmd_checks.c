/* cmd_checks.c - `custos checks`: what the built-in pack (or any policy
 * set) looks for, as a table, Markdown (the README's table is this
 * output) or JSON; with --framework, the auditor's view: every requirement
 * of a compliance framework (policy/framework.h) and the checks covering
 * it, from the policies' metadata.compliance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "policy/framework.h"

static const char *meta(const policy *p, const char *key)
{
    const jv *v = jv_get(&p->metadata, key);
    return jv_is(v, JV_STRING) ? v->u.str : "";
}

/* The references of p to framework fw ("1.4, 1.5"), in a buf. */
static void refs(const policy *p, const char *fw, buf *out)
{
    const jv *c = jv_get(jv_get(&p->metadata, "compliance"), fw);
    for (uint32_t i = 0; jv_is(c, JV_ARRAY) && i < c->len; i++)
        if (jv_is(&c->u.items[i], JV_STRING))
            buf_printf(out, "%s%s", out->len ? ", " : "", c->u.items[i].u.str);
}

static int by_severity(const void *a, const void *b)
{
    const policy *x = *(const policy *const *)a, *y = *(const policy *const *)b;
    if (x->sev != y->sev) return (int)y->sev - (int)x->sev;
    return strcmp(x->name, y->name);
}

static void print_checks(const policy_set *ps, const char *fmt)
{
    const policy **v = malloc((ps->n ? ps->n : 1) * sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < ps->n; i++)
        v[i] = &ps->items[i];
    qsort(v, ps->n, sizeof *v, by_severity);
    if (!strcmp(fmt, "json")) {
        buf b = BUF_INIT;
        buf_puts(&b, "[");
        for (size_t i = 0; i < ps->n; i++) {
            buf_puts(&b, i ? ",\n{\"name\":" : "\n{\"name\":");
            json_write_string(&b, v[i]->name, strlen(v[i]->name));
            buf_printf(&b,
                       ",\"resource\":\"%s\",\"severity\":\"%s\",\"category\":", v[i]->rtype->name,
                       severity_name(v[i]->sev));
            json_write_string(&b, meta(v[i], "category"), strlen(meta(v[i], "category")));
            buf_puts(&b, ",\"description\":");
            const char *d = v[i]->description ? v[i]->description : "";
            json_write_string(&b, d, strlen(d));
            buf_printf(&b, ",\"runbook\":%s,\"compliance\":", v[i]->runbook ? "true" : "false");
            const jv *comp = jv_get(&v[i]->metadata, "compliance");
            if (jv_is(comp, JV_OBJECT))
                json_write(&b, comp);
            else
                buf_puts(&b, "{}");
            buf_putc(&b, '}');
        }
        buf_puts(&b, "\n]\n");
        fputs(b.data, stdout);
        buf_free(&b);
    } else if (!strcmp(fmt, "markdown")) {
        printf("| check | resource | severity | category | CIS AWS 3.0 | finds |\n"
               "|---|---|---|---|---|---|\n");
        buf r = BUF_INIT;
        for (size_t i = 0; i < ps->n; i++) {
            buf_reset(&r);
            refs(v[i], "cis-aws-3.0", &r);
            printf("| `%s` | %s | %s | %s | %s | %s |\n", v[i]->name, v[i]->rtype->name,
                   severity_name(v[i]->sev), meta(v[i], "category"), r.len ? r.data : "",
                   v[i]->description ? v[i]->description : "");
        }
        buf_free(&r);
    } else {
        for (size_t i = 0; i < ps->n; i++)
            printf("%-8s  %-34s  %-20s  %s\n", severity_name(v[i]->sev), v[i]->name,
                   v[i]->rtype->name, v[i]->description ? v[i]->description : "");
        printf("\n%zu checks.\n", ps->n);
    }
    free(v);
}

typedef enum { REQ_COVERED, REQ_OPEN, REQ_MANUAL } req_state;

/* `checks --framework FW`: each requirement with the checks covering it.
 * Returns 0, or 1 when a check refers to a requirement FW does not have
 * (a typo would otherwise claim coverage nobody has). */
static int print_framework(const policy_set *ps, const framework *fw, const char *fmt)
{
    int rc = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const jv *c = jv_get(jv_get(&ps->items[i].metadata, "compliance"), fw->name);
        for (uint32_t k = 0; jv_is(c, JV_ARRAY) && k < c->len; k++) {
            bool known = false;
            for (size_t j = 0; j < fw->n && !known; j++)
                known = jv_str_eq(&c->u.items[k], fw->reqs[j].id);
            if (!known) {
                fprintf(stderr,
                        "custos checks: %s refers to %s requirement '%s', which %s has not\n",
                        ps->items[i].name, fw->name,
                        jv_is(&c->u.items[k], JV_STRING) ? c->u.items[k].u.str : "?", fw->title);
                rc = 1;
            }
        }
    }
    size_t counts[3] = {0};
    buf b = BUF_INIT, who = BUF_INIT;
    bool json = !strcmp(fmt, "json"), md = !strcmp(fmt, "markdown");
    if (json) {
        buf_puts(&b, "{\"framework\":");
        json_write_string(&b, fw->name, strlen(fw->name));
        buf_puts(&b, ",\"title\":");
        json_write_string(&b, fw->title, strlen(fw->title));
        buf_puts(&b, ",\"requirements\":[");
    } else if (md) {
        buf_printf(&b, "| requirement | title | status | checks |\n|---|---|---|---|\n");
    } else {
        buf_printf(&b, "%s\n\n", fw->title);
    }
    for (size_t j = 0; j < fw->n; j++) {
        const framework_req *q = &fw->reqs[j];
        buf_reset(&who);
        for (size_t i = 0; i < ps->n; i++)
            if (framework_refers(&ps->items[i].metadata, fw->name, q->id))
                buf_printf(&who, "%s%s", who.len ? ", " : "", ps->items[i].name);
        req_state st = who.len ? REQ_COVERED : q->automatable ? REQ_OPEN : REQ_MANUAL;
        static const char *const word[] = {"covered", "not covered yet", "needs a person"};
        counts[st]++;
        if (json) {
            buf_puts(&b, j ? ",\n{\"id\":" : "\n{\"id\":");
            json_write_string(&b, q->id, strlen(q->id));
            buf_puts(&b, ",\"title\":");
            json_write_string(&b, q->title, strlen(q->title));
            buf_printf(&b, ",\"automatable\":%s,\"status\":\"%s\",\"checks\":[",
                       q->automatable ? "true" : "false",
                       st == REQ_COVERED ? "covered"
                       : st == REQ_OPEN  ? "not-covered"
                                         : "manual");
            for (size_t i = 0, n = 0; i < ps->n; i++)
                if (framework_refers(&ps->items[i].metadata, fw->name, q->id)) {
                    if (n++) buf_putc(&b, ',');
                    json_write_string(&b, ps->items[i].name, strlen(ps->items[i].name));
                }
            buf_puts(&b, "]}");
        } else if (md) {
            buf_printf(&b, "| %s | %s | %s | %s |\n", q->id, q->title, word[st],
                       who.len ? who.data : "");
        } else {
            buf_printf(&b, "%-6s %-16s %s%s%s\n", q->id, word[st], q->title, who.len ? ": " : "",
                       who.len ? who.data : "");
        }
    }
    if (json)
        buf_printf(&b, "\n],\"covered\":%zu,\"not_covered\":%zu,\"manual\":%zu}\n", counts[0],
                   counts[1], counts[2]);
    else
        buf_printf(&b,
                   "\n%zu of %zu requirements covered, %zu automatable ones not yet, %zu need a "
                   "person.\n",
                   counts[0], fw->n, counts[1], counts[2]);
    fputs(b.data, stdout);
    buf_free(&b);
    buf_free(&who);
    return rc;
}

int cmd_checks(int argc, char **argv)
{
    run_opts o = {0};
    const char *fmt = "table", *fw_name = NULL;
    const cli_opt opts[] = {
        {"policies", 'p', CLI_PATH, &o.policy_paths, "PATH",
         "policies to list (default: the built-in pack)"},
        {"framework", 0, CLI_STR, &fw_name, "FW",
         "instead, every requirement of FW (cis-aws-3.0) with the\nchecks that cover it, or "
         "'not covered yet', or 'needs a\nperson'; exit 1 if a check names a requirement FW "
         "lacks"},
        {"format", 'f', CLI_STR, &fmt, "FMT", "table (default), markdown, json"},
        {0},
    };
    const cli_command cmd = {
        "checks",
        "usage: custos checks [--policies PATH...] [--framework FW] [--format "
        "table|markdown|json]\n"
        "\n"
        "Lists the checks of the built-in pack (or of the given policies): name,\n"
        "resource type, severity, category, CIS references and what each one finds,\n"
        "most severe first.\n",
        opts,
        0,
        NULL,
        NULL};
    int rc = 1;
    if ((rc = cli_args(&cmd, argc, argv, NULL, NULL)) >= 0) goto out;
    rc = 1;
    static const char *const formats[] = {"table", "markdown", "json", NULL};
    if (cli_choice("checks", "format", fmt, formats, 0) < 0) goto out;
    const framework *fw = fw_name ? framework_find(fw_name) : NULL;
    if (fw_name && !fw) {
        fprintf(stderr, "custos checks: unknown framework '%s' (known:", fw_name);
        for (size_t i = 0; framework_at(i); i++)
            fprintf(stderr, " %s", framework_at(i)->name);
        fprintf(stderr, ")\n");
        goto out;
    }
    policy_set ps;
    policy_set_init(&ps);
    if (cli_load_policies("checks", &o.policy_paths, &ps) == 0) {
        if (fw)
            rc = print_framework(&ps, fw, fmt);
        else {
            print_checks(&ps, fmt);
            rc = 0;
        }
    }
    policy_set_free(&ps);
out:
    run_opts_free(&o);
    return rc;
}
