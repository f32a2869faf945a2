/* cmd_suppress.c - `custos suppress` and `custos unsuppress`: rules that
 * silence findings, each with a reason, an author and an expiry. */
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "output/stored_report.h"
#include "store/suppress_file.h"
#include "util/date.h"

static void list_rules(buf *b, const suppression *r, size_t n, int64_t now)
{
    if (!n) {
        buf_puts(b, "No suppression rules.\n");
        return;
    }
    buf_printf(b, "%4s  %-10s  %-20s  %-24s  %s\n", "ID", "EXPIRES", "AUTHOR", "MATCHES", "REASON");
    for (size_t i = 0; i < n; i++) {
        char exp[21];
        iso_time(r[i].expires_at, exp);
        buf sel = BUF_INIT;
        if (r[i].fingerprint) buf_printf(&sel, "finding %s ", r[i].fingerprint);
        if (r[i].policy) buf_printf(&sel, "policy=%s ", r[i].policy);
        if (r[i].account) buf_printf(&sel, "account=%s ", r[i].account);
        if (r[i].region) buf_printf(&sel, "region=%s ", r[i].region);
        if (r[i].resource) buf_printf(&sel, "resource=%s ", r[i].resource);
        buf_printf(b, "%4lld  %.10s%s  %-20s  %-24s  %s%s%s\n", (long long)r[i].id, exp,
                   r[i].expires_at <= now ? "*" : " ", r[i].author, sel.data, r[i].reason,
                   strcmp(r[i].source, "cli") ? "  [from " : "",
                   strcmp(r[i].source, "cli") ? r[i].source : "");
        if (strcmp(r[i].source, "cli")) buf_putc(b, ']');
        buf_free(&sel);
    }
}

/* A fingerprint prefix names exactly one stored finding. */
static const char *resolve_fingerprint(store *st, const char *prefix, arena *a)
{
    static const char *const all[] = {"new", "open", "regressed", "resolved", "suppressed"};
    finding_query q = {
        .fingerprint = prefix, .statuses = all, .n_statuses = 5, .min_severity = -1, .limit = 2};
    stored_finding *f;
    size_t n;
    if (strlen(prefix) < 4 || strspn(prefix, "0123456789abcdef") != strlen(prefix)) {
        fprintf(stderr, "custos suppress: '%s' is not a fingerprint (4-16 hex digits)\n", prefix);
        return NULL;
    }
    if (store_findings(st, &q, a, &f, &n) < 0) {
        fprintf(stderr, "custos suppress: %s\n", store_error(st));
        return NULL;
    }
    if (n != 1) {
        fprintf(stderr, "custos suppress: %s finding has fingerprint %s%s\n",
                n ? "more than one" : "no", prefix, n ? "...: give more digits" : "");
        return NULL;
    }
    return arena_strdup(a, f[0].fingerprint);
}

/* Who suppresses when --author is not given: $USER, else the account's
 * login name (cron jobs and containers often run without $USER). */
static const char *default_author(arena *a)
{
    const char *u = getenv("USER");
    if (u && *u) return u;
    const struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_name && *pw->pw_name ? arena_strdup(a, pw->pw_name) : NULL;
}

int cmd_suppress(int argc, char **argv)
{
    const char *db_url = NULL, *expires = NULL, *dur = NULL, *file = NULL, *as_of = NULL;
    suppression r = {0};
    bool list = false, all = false;
    const cli_opt opts[] = {
        CLI_OPT_DB(&db_url),
        {"policy", 0, CLI_STR, &r.policy, "GLOB", "policy name (globs: * ? [...])"},
        {"account", 0, CLI_STR, &r.account, "GLOB", "account id or name"},
        {"region", 0, CLI_STR, &r.region, "GLOB", "region"},
        {"resource", 0, CLI_STR, &r.resource, "GLOB", "resource id or name"},
        {"reason", 0, CLI_STR, &r.reason, "TEXT", "why (required)"},
        {"author", 0, CLI_STR, &r.author, "NAME", "who (default: $USER, else the login name)"},
        {"expires", 0, CLI_STR, &expires, "DATE", "when the rule ends (e.g. 2027-01-31), or"},
        {"for", 0, CLI_STR, &dur, "DURATION", "how long from now (e.g. 30d, 2w)"},
        {"file", 0, CLI_STR, &file, "FILE",
         "a YAML file of rules kept in git (see README); its\nprevious rules are replaced"},
        {"list", 0, CLI_FLAG, &list, NULL, "list the active rules (--all: expired ones too)"},
        {"all", 0, CLI_FLAG, &all, NULL, "with --list: expired rules too"},
        {"as-of", 0, CLI_STR, &as_of, "DATE", "the clock (default: now)"},
        {0},
    };
    const cli_command cmd = {
        "suppress",
        "usage: custos suppress FINGERPRINT --reason TEXT --expires DATE [options]\n"
        "       custos suppress --policy GLOB [--account GLOB] [--region GLOB] [--resource "
        "GLOB]\n"
        "                       --reason TEXT --expires DATE|--for DURATION [options]\n"
        "       custos suppress --file FILE      (replace the rules that came from FILE)\n"
        "       custos suppress --list [--all]\n"
        "\n"
        "Suppresses findings: they stop counting as open and stop notifying until the\n"
        "rule expires or is removed (custos unsuppress), when they reopen.\n",
        opts,
        1,
        "FINGERPRINT",
        NULL};
    int rc = 1, nargs = 0;
    store *st = NULL;
    arena *a = arena_new(0);
    buf out = BUF_INIT;
    diag_list d = DIAG_LIST_INIT;
    const char *fingerprint = NULL;
    if ((rc = cli_args(&cmd, argc, argv, &fingerprint, &nargs)) >= 0) goto done;
    rc = 1;
    int64_t now;
    if (cli_clock("suppress", as_of, &now) < 0) goto done;
    if (list || file) {
        if (!(st = cli_store_open("suppress", db_url))) goto done;
        if (file) {
            suppression *rules;
            size_t n, matched = 0;
            if (suppress_file_load(a, file, &rules, &n, &d) < 0) {
                diag_print(&d, stderr);
                goto done;
            }
            if (store_sync_suppressions(st, file, rules, n, now, &matched) < 0) {
                fprintf(stderr, "custos suppress: %s\n", store_error(st));
                goto done;
            }
            fprintf(stderr, "custos suppress: %zu rules from %s; %zu findings newly suppressed\n",
                    n, file, matched);
            rc = 0;
            goto done;
        }
        suppression *rules;
        size_t n;
        if (store_suppressions(st, all, now, a, &rules, &n) < 0) {
            fprintf(stderr, "custos suppress: %s\n", store_error(st));
            goto done;
        }
        list_rules(&out, rules, n, now);
        rc = cli_write_buf("suppress", NULL, &out);
        goto done;
    }
    r.fingerprint = fingerprint;
    if (!r.author) r.author = default_author(a);
    if (expires && dur) {
        fprintf(stderr, "custos suppress: give --expires or --for, not both\n");
        goto done;
    }
    if (expires) {
        double t;
        if (!date_parse(expires, strlen(expires), &t)) {
            fprintf(stderr, "custos suppress: --expires '%s' is not a date (e.g. 2027-01-31)\n",
                    expires);
            goto done;
        }
        r.expires_at = (int64_t)t;
    } else if (dur) {
        int64_t secs;
        if (cli_parse_duration(dur, &secs) < 0) {
            fprintf(stderr, "custos suppress: --for '%s' is not a duration (e.g. 30d, 2w)\n", dur);
            goto done;
        }
        r.expires_at = now + secs;
    }
    if (!(st = cli_store_open("suppress", db_url))) goto done;
    if (r.fingerprint && !(r.fingerprint = resolve_fingerprint(st, r.fingerprint, a))) goto done;
    const char *why = suppression_check(&r);
    if (why) {
        fprintf(stderr, "custos suppress: %s\nRun 'custos suppress --help' to see every option.\n",
                why);
        goto done;
    }
    if (r.expires_at <= now) {
        fprintf(stderr, "custos suppress: the expiry is in the past\n");
        goto done;
    }
    int64_t id;
    size_t matched;
    r.source = "cli";
    if (store_suppress(st, &r, now, &id, &matched) < 0) {
        fprintf(stderr, "custos suppress: %s\n", store_error(st));
        goto done;
    }
    char exp[21];
    iso_time(r.expires_at, exp);
    printf("suppression %lld added (until %s): %zu findings suppressed\n", (long long)id, exp,
           matched);
    rc = 0;
done:
    diag_free(&d);
    store_close(st);
    buf_free(&out);
    arena_free(a);
    return rc;
}

int cmd_unsuppress(int argc, char **argv)
{
    const char *db_url = NULL;
    const cli_opt opts[] = {
        CLI_OPT_DB(&db_url),
        {0},
    };
    const cli_command cmd = {
        "unsuppress",
        "usage: custos unsuppress [--db URL] RULE-ID|FINGERPRINT...\n"
        "\n"
        "Removes suppression rules by id (custos suppress --list) or every rule for a\n"
        "finding's fingerprint; the findings they covered reopen.\n",
        opts,
        64,
        "RULE-ID|FINGERPRINT",
        NULL};
    const char *ids[64];
    int nids = 0;
    cli_parse_rc pr = cli_parse(&cmd, argc, argv, ids, &nids);
    if (pr != CLI_OK) return pr == CLI_EXIT_OK ? 0 : 1;
    if (nids == 0) {
        fprintf(stderr, "custos unsuppress: name a rule id or a fingerprint\n"
                        "Run 'custos unsuppress --help' to see every option.\n");
        return 1;
    }
    store *st = cli_store_open("unsuppress", db_url);
    if (!st) return 1;
    int rc = 0;
    for (int i = 0; i < nids; i++) {
        const char *arg = ids[i];
        size_t removed = 0;
        bool numeric = strspn(arg, "0123456789") == strlen(arg) && strlen(arg) < 10;
        bool hex = strlen(arg) >= 4 && strspn(arg, "0123456789abcdef") == strlen(arg);
        if (!numeric && !hex) {
            fprintf(stderr, "custos unsuppress: '%s' is neither a rule id nor a fingerprint\n",
                    arg);
            rc = 1;
            continue;
        }
        int r = numeric ? store_unsuppress(st, atoll(arg), NULL, (int64_t)time(NULL), &removed)
                        : store_unsuppress(st, 0, arg, (int64_t)time(NULL), &removed);
        if (r < 0) {
            fprintf(stderr, "custos unsuppress: %s\n", store_error(st));
            rc = 1;
        } else if (!removed) {
            fprintf(stderr, "custos unsuppress: no rule matches '%s'\n", arg);
            rc = 1;
        } else {
            printf("removed %zu rule%s for %s\n", removed, removed == 1 ? "" : "s", arg);
        }
    }
    store_close(st);
    return rc;
}
