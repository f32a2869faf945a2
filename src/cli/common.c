/* common.c - shared option handling for scan and eval; see common.h. */
#include "cli/common.h"

#include "policy/pack.h"
#include "util/date.h"
#include "util/strmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool strlist_has(const strlist *l, const char *s)
{
    return str_in((const char *const *)l->items, l->n, s);
}

void strlist_add(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **items = realloc(l->items, cap * sizeof *items);
        if (!items) abort();
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n] = strdup(s);
    if (!l->items[l->n]) abort();
    l->n++;
}

void strlist_add_csv(strlist *l, const char *arg)
{
    const char *p = arg;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n) {
            char *s = strndup(p, n);
            if (!s) abort();
            strlist_add(l, s);
            free(s);
        }
        p += n + (c ? 1 : 0);
    }
}

void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

bool cli_common_option(int c, const char *arg, run_opts *o)
{
    switch (c) {
    case 'p':
        strlist_add(&o->policy_paths, arg);
        return true;
    case 'f':
        o->format = arg;
        return true;
    case 'o':
        o->output = arg;
        return true;
    case 'j':
        o->threads = atoi(arg);
        return true;
    case OPT_FAIL_ON:
        o->fail_on = arg;
        return true;
    case OPT_POLICY:
        strlist_add_csv(&o->policies, arg);
        return true;
    case OPT_AS_OF:
        o->as_of = arg;
        return true;
    case OPT_SHARD:
        o->shard = arg;
        return true;
    case OPT_SHARDS:
        o->shards = atoi(arg) > 0 ? atoi(arg) : -1;
        return true;
    default:
        return false;
    }
}

void run_opts_free(run_opts *o)
{
    strlist_free(&o->policy_paths);
    strlist_free(&o->accounts);
    strlist_free(&o->regions);
    strlist_free(&o->policies);
}

void cli_diag_print(const char *cmd, const diag_list *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const diag *g = &d->items[i];
        if (g->pos.line)
            fprintf(stderr, "%s%s%d:%d: error: %s\n", g->pos.file ? g->pos.file : "",
                    g->pos.file ? ":" : "", g->pos.line, g->pos.col, g->msg);
        else
            fprintf(stderr, "custos %s: %s%s%s\n", cmd, g->pos.file ? g->pos.file : "",
                    g->pos.file ? ": " : "", g->msg);
    }
}

int cli_load_policies(const char *cmd, const strlist *paths, policy_set *ps)
{
    diag_list d = DIAG_LIST_INIT;
    int rc = 0;
    if (paths->n == 0) /* the built-in pack */
        rc = pack_load(ps, &d);
    for (size_t i = 0; i < paths->n; i++)
        if (policy_load_path(ps, paths->items[i], &d) < 0) rc = -1;
    if (d.n) cli_diag_print(cmd, &d);
    if (rc < 0 && d.n == 0) fprintf(stderr, "custos %s: policies failed to load\n", cmd);
    diag_free(&d);
    return rc;
}

int cli_shard_of(const char *account_id, int n)
{
    int best = 0;
    uint64_t top = 0;
    for (int s = 0; s < n; s++) {
        uint64_t h = 1469598103934665603ULL;
        for (const unsigned char *p = (const unsigned char *)account_id; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        h = (h ^ '/') * 1099511628211ULL;
        for (int v = s;; v /= 10) { /* the shard number's digits */
            h = (h ^ (uint64_t)('0' + v % 10)) * 1099511628211ULL;
            if (v < 10) break;
        }
        h ^= h >> 33; /* finalise (fmix64): FNV's low bits alone are weak */
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33;
        if (s == 0 || h > top) top = h, best = s;
    }
    return best;
}

bool cli_shard_keeps(const char *account_id, void *run_opts)
{
    const struct run_opts *o = run_opts;
    return !o->shard_n || cli_shard_of(account_id, o->shard_n) == o->shard_i;
}

static int env_int(const char *name, int *out)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v) return -1;
    long x = strtol(v, &end, 10);
    if (*end || x < 0 || x > 100000) return -2;
    *out = (int)x;
    return 0;
}

int cli_shard_resolve(const char *cmd, run_opts *o)
{
    o->shard_n = 0;
    if (!o->shard && !o->shards) return 0;
    if (o->shards < 0) {
        fprintf(stderr, "custos %s: --shards must be a positive number\n", cmd);
        return -1;
    }
    int i = -1, n = o->shards;
    if (o->shard && !strcmp(o->shard, "auto")) {
        if (env_int("AWS_BATCH_JOB_ARRAY_INDEX", &i) < 0 ||
            env_int("AWS_BATCH_JOB_ARRAY_SIZE", &n) < 0) {
            fprintf(stderr,
                    "custos %s: --shard auto needs $AWS_BATCH_JOB_ARRAY_INDEX and "
                    "$AWS_BATCH_JOB_ARRAY_SIZE (an AWS Batch array job); elsewhere use "
                    "--shard I/N, or --shards N in a Kubernetes Indexed Job\n",
                    cmd);
            return -1;
        }
    } else if (o->shard) {
        char tail;
        if (sscanf(o->shard, "%d/%d%c", &i, &n, &tail) != 2) {
            fprintf(stderr, "custos %s: --shard '%s' is not I/N (e.g. 0/4) or auto\n", cmd,
                    o->shard);
            return -1;
        }
    } else if (env_int("JOB_COMPLETION_INDEX", &i) < 0 &&
               env_int("AWS_BATCH_JOB_ARRAY_INDEX", &i) < 0) {
        fprintf(stderr,
                "custos %s: --shards %d needs this shard's index: "
                "$JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or "
                "$AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch), or use --shard I/N\n",
                cmd, n);
        return -1;
    }
    if (n < 1 || n > 10000 || i < 0 || i >= n) {
        fprintf(stderr, "custos %s: shard %d of %d: the index must be 0 to N-1, N 1 to 10000\n",
                cmd, i, n);
        return -1;
    }
    o->shard_i = i;
    o->shard_n = n;
    return 0;
}

/* Narrows o->accounts to the shard's (within any --account given), so the
 * scan, its filter and the store's resolution scope all see one list.  An
 * empty shard gets a list naming no account (not "all"). */
static void shard_accounts(const inventory *inv, run_opts *o)
{
    strlist mine = {0};
    for (size_t k = 0; k < inventory_account_count(inv); k++) {
        const account_info *ai = inventory_account(inv, k);
        bool asked = o->accounts.n == 0;
        for (size_t j = 0; j < o->accounts.n && !asked; j++)
            asked = !strcmp(o->accounts.items[j], ai->id) ||
                    (ai->name && !strcmp(o->accounts.items[j], ai->name));
        if (asked && cli_shard_of(ai->id, o->shard_n) == o->shard_i) strlist_add(&mine, ai->id);
    }
    if (mine.n == 0) strlist_add(&mine, "-"); /* no account id is "-" */
    strlist_free(&o->accounts);
    o->accounts = mine;
}

int cli_scan_run(const char *cmd, const char *inv_spec, const char *account_id, run_opts *o,
                 engine_options *eo, scan_session *s)
{
    memset(s, 0, sizeof *s);
    policy_set_init(&s->ps);
    scan_result_init(&s->r);
    if (cli_load_policies(cmd, &o->policy_paths, &s->ps) < 0) return -1;
    inventory_options io = {
        .account_id = account_id,
        .region = o->regions.n == 1 ? o->regions.items[0] : NULL,
        .threads = o->threads,
    };
    diag_list d = DIAG_LIST_INIT;
    int rc = inventory_open(inv_spec, &io, &s->inv, &d);
    if (rc == 0 && o->shard_n) shard_accounts(s->inv, o);
    if (rc == 0) {
        eo->threads = o->threads;
        cli_fill_filter(o, &eo->filter);
        /* An empty shard (more shards than accounts) scans nothing. */
        bool empty = o->shard_n && o->accounts.n == 1 && !strcmp(o->accounts.items[0], "-");
        if (!empty) rc = engine_scan(s->inv, &s->ps, eo, &s->r, &d);
    }
    cli_diag_print(cmd, &d);
    diag_free(&d);
    return rc < 0 ? -1 : 0;
}

void cli_scan_done(scan_session *s)
{
    scan_result_free(&s->r);
    if (s->inv) inventory_close(s->inv);
    policy_set_free(&s->ps);
}

int cli_check_output_opts(const char *cmd, const run_opts *o, time_t *now)
{
    double secs = 0;
    if (o->as_of && !date_parse(o->as_of, strlen(o->as_of), &secs)) {
        fprintf(stderr,
                "custos %s: --as-of '%s' is not a date (e.g. 2026-11-01 or "
                "2026-11-01T12:00:00Z)\n",
                cmd, o->as_of);
        return -1;
    }
    if (now) *now = (time_t)secs;
    report_format fmt;
    if (o->format && report_format_parse(o->format, &fmt) < 0) {
        fprintf(stderr, "custos %s: unknown --format '%s' (expected table, json or csv)\n", cmd,
                o->format);
        return -1;
    }
    severity sev;
    if (o->fail_on && severity_parse(o->fail_on, &sev) < 0) {
        fprintf(stderr,
                "custos %s: unknown --fail-on severity '%s' (expected info, low, medium, high "
                "or critical)\n",
                cmd, o->fail_on);
        return -1;
    }
    return 0;
}

void cli_fill_filter(const run_opts *o, scan_filter *f)
{
    f->accounts = o->accounts.n ? (const char *const *)o->accounts.items : NULL;
    f->n_accounts = o->accounts.n;
    f->regions = o->regions.n ? (const char *const *)o->regions.items : NULL;
    f->n_regions = o->regions.n;
    f->policies = o->policies.n ? (const char *const *)o->policies.items : NULL;
    f->n_policies = o->policies.n;
}

report_format cli_format(const run_opts *o)
{
    report_format fmt = isatty(STDOUT_FILENO) && !o->output ? REPORT_TABLE : REPORT_JSON;
    if (o->format) report_format_parse(o->format, &fmt);
    return fmt;
}

int cli_finish(const char *cmd, const run_opts *o, const scan_result *r)
{
    report_format fmt = cli_format(o);
    FILE *out = stdout;
    if (o->output && !(out = fopen(o->output, "w"))) {
        fprintf(stderr, "custos %s: cannot write %s: %m\n", cmd, o->output);
        return 1;
    }
    report_write(out, fmt, r);
    if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
        fprintf(stderr, "custos %s: error writing output: %m\n", cmd);
        return 1;
    }
    if (o->verbose)
        fprintf(stderr,
                "custos %s: %zu findings, %zu resources in %zu sets; load %.3fs, eval %.3fs\n", cmd,
                r->n, r->stats.resources, r->stats.sets, r->stats.load_secs, r->stats.eval_secs);
    if (o->fail_on) {
        severity min;
        severity_parse(o->fail_on, &min);
        for (size_t i = 0; i < r->n; i++)
            if (r->items[i].pol->sev >= min) return 3;
    }
    return 0;
}

/* Edit distance, capped: option names are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The long option closest to name (at most 2 edits, or name is a prefix
 * of exactly one), or NULL. */
static const char *closest_option(const char *name, const struct option *longopts)
{
    const char *best = NULL, *prefixed = NULL;
    size_t bestd = 3, nprefix = 0, n = strlen(name);
    for (const struct option *o = longopts; o && o->name; o++) {
        size_t d = edit_distance(name, o->name);
        if (d < bestd) bestd = d, best = o->name;
        if (n >= 2 && !strncmp(o->name, name, n)) prefixed = o->name, nprefix++;
    }
    return best ? best : nprefix == 1 ? prefixed : NULL;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    opterr = 0;
    int c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c != '?') return c;
    const char *cmd = argv[0], *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    if (!strncmp(arg, "--", 2)) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
        const struct option *o = longopts;
        while (o && o->name && strcmp(o->name, name))
            o++;
        const char *near = closest_option(name, longopts);
        if (o && o->name && o->has_arg == required_argument)
            fprintf(stderr, "custos %s: option '--%s' needs a value\n", cmd, name);
        else if (o && o->name)
            fprintf(stderr, "custos %s: option '--%s' takes no value\n", cmd, name);
        else if (near)
            fprintf(stderr, "custos %s: unknown option '--%s'; did you mean '--%s'?\n", cmd, name,
                    near);
        else
            fprintf(stderr, "custos %s: unknown option '--%s'\n", cmd, name);
    } else if (optopt && strchr(shortopts, optopt)) {
        fprintf(stderr, "custos %s: option '-%c' needs a value\n", cmd, optopt);
    } else {
        fprintf(stderr, "custos %s: unknown option '-%c'\n", cmd, optopt ? optopt : '?');
    }
    fprintf(stderr, "Run 'custos %s --help' to see every option.\n", cmd);
    return '?';
}

const char *cli_db_url(const char *given)
{
    if (given && *given) return given;
    const char *env = getenv("CUSTOS_DB");
    return env && *env ? env : STORE_DEFAULT_URL;
}

store *cli_store_open(const char *cmd, const char *given_url)
{
    store *s = NULL;
    char *err = NULL;
    if (store_open(cli_db_url(given_url), &s, &err) < 0) {
        fprintf(stderr, "custos %s: %s\n", cmd, err ? err : "cannot open the findings store");
        free(err);
        return NULL;
    }
    return s;
}

int cli_store_must_exist(const char *cmd, const char *url)
{
    if (strncmp(url, "sqlite:", 7) != 0) return 0;
    struct stat st;
    const char *path = url + 7;
    if (*path && stat(path, &st) == 0) return 0;
    fprintf(stderr,
            "custos %s: no findings store at %s (%s): nothing has been recorded there yet.\n"
            "  Record a scan first:  custos scan --inventory DIR --db %s\n"
            "  or name the store that has your scans with --db URL or $CUSTOS_DB.\n",
            cmd, *path ? path : "(empty path)", *path ? strerror(errno) : "no file", url);
    return -1;
}

store *cli_store_open_existing(const char *cmd, const char *given_url)
{
    const char *url = cli_db_url(given_url);
    return cli_store_must_exist(cmd, url) == 0 ? cli_store_open(cmd, url) : NULL;
}

int cli_parse_duration(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0 || end[0] == 0 || end[1] != 0) return -1;
    static const struct {
        char unit;
        int64_t secs;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (*end == units[i].unit) {
            *out = (int64_t)v * units[i].secs;
            return 0;
        }
    return -1;
}

int cli_clock(const char *cmd, const char *as_of, int64_t *now)
{
    *now = (int64_t)time(NULL);
    if (!as_of) return 0;
    double t;
    if (!date_parse(as_of, strlen(as_of), &t)) {
        fprintf(stderr, "custos %s: --as-of '%s' is not a date (e.g. 2026-11-01)\n", cmd, as_of);
        return -1;
    }
    *now = (int64_t)t;
    return 0;
}

int cli_write_buf(const char *cmd, const char *path, const buf *b)
{
    FILE *out = stdout;
    if (path && !(out = fopen(path, "w"))) {
        fprintf(stderr, "custos %s: cannot write %s: %m\n", cmd, path);
        return 1;
    }
    if (b->len) fwrite(b->data, 1, b->len, out);
    if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
        fprintf(stderr, "custos %s: error writing output: %m\n", cmd);
        return 1;
    }
    return 0;
}
