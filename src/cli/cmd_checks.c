/* cmd_checks.c - `custos checks`: what the built-in pack (or any policy
 * set) looks for, as a table, Markdown (the README's table is this
 * output) or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"

static const char usage_text[] =
    "usage: custos checks [--policies PATH...] [--format table|markdown|json]\n"
    "\n"
    "Lists the checks of the built-in pack (or of the given policies): name,\n"
    "resource type, severity, category and what each one finds, most severe first.\n"
    "\n"
    "  -p, --policies PATH    policies to list (default: the built-in pack)\n"
    "  -f, --format FMT       table (default), markdown, json\n"
    "  -h, --help             this text\n";

static const char *meta(const policy *p, const char *key)
{
    const jv *v = jv_get(&p->metadata, key);
    return jv_is(v, JV_STRING) ? v->u.str : "";
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
            buf_printf(&b, ",\"runbook\":%s}", v[i]->runbook ? "true" : "false");
        }
        buf_puts(&b, "\n]\n");
        fputs(b.data, stdout);
        buf_free(&b);
    } else if (!strcmp(fmt, "markdown")) {
        printf("| check | resource | severity | category | finds |\n|---|---|---|---|---|\n");
        for (size_t i = 0; i < ps->n; i++)
            printf("| `%s` | %s | %s | %s | %s |\n", v[i]->name, v[i]->rtype->name,
                   severity_name(v[i]->sev), meta(v[i], "category"),
                   v[i]->description ? v[i]->description : "");
    } else {
        for (size_t i = 0; i < ps->n; i++)
            printf("%-8s  %-34s  %-20s  %s\n", severity_name(v[i]->sev), v[i]->name,
                   v[i]->rtype->name, v[i]->description ? v[i]->description : "");
        printf("\n%zu checks.\n", ps->n);
    }
    free(v);
}

int cmd_checks(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"policies", required_argument, 0, 'p'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    run_opts o = {0};
    const char *fmt = "table";
    int c, rc = 1;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "p:f:h", longopts)) != -1) {
        if (c == 'p')
            strlist_add(&o.policy_paths, optarg);
        else if (c == 'f')
            fmt = optarg;
        else if (c == 'h') {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        } else {
            fputs(usage_text, stderr);
            goto out;
        }
    }
    if (strcmp(fmt, "table") && strcmp(fmt, "markdown") && strcmp(fmt, "json")) {
        fprintf(stderr, "custos checks: unknown --format '%s' (expected table, markdown, json)\n",
                fmt);
        goto out;
    }
    if (optind != argc) {
        fprintf(stderr, "custos checks: unexpected argument '%s'\n%s", argv[optind], usage_text);
        goto out;
    }
    policy_set ps;
    policy_set_init(&ps);
    if (cli_load_policies("checks", &o.policy_paths, &ps) == 0) {
        print_checks(&ps, fmt);
        rc = 0;
    }
    policy_set_free(&ps);
out:
    run_opts_free(&o);
    return rc;
}
