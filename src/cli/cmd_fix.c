/* cmd_fix.c - `custos fix plan|apply` and `custos fix --apply` (issue 13).
 *
 *   custos fix plan  [--policy P] [--account A] [--finding ID] -p POLICIES
 *                    --db URL --accounts accounts.yaml [-o plan.json]
 *   custos fix apply plan.json -p POLICIES --db URL --accounts accounts.yaml
 *                    [--max-changes N] [--allow-prod]
 *   custos fix --apply [plan's options] [apply's options]
 *
 * plan changes nothing: a table on a terminal, JSON otherwise or with -o.
 * apply runs exactly the plan's steps (src/remediate/apply.c says which
 * checks come first) and writes each to the store's audit log, then reads
 * the findings changed again (src/remediate/recheck.c) and resolves those
 * fixed.  `fix`
 * without a subcommand plans and, only with --apply, applies that plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "remediate/remediate.h"

typedef struct fix_args {
    strlist policies, accounts, paths;
    const char *db_url, *accounts_path, *finding, *output, *format, *profile, *as_of;
    long max_changes;
    bool allow_prod, apply;
} fix_args;

static void fix_args_free(fix_args *f)
{
    strlist_free(&f->policies);
    strlist_free(&f->accounts);
    strlist_free(&f->paths);
}

#define PLAN_OPTS(f)                                                                               \
    {"policy", 0, CLI_LIST, &(f)->policies, "NAME", "only findings of these policies"},            \
        CLI_OPT_ACCOUNT(&(f)->accounts),                                                           \
    {                                                                                              \
        "finding", 0, CLI_STR, &(f)->finding, "ID", "one finding (a fingerprint prefix works)"     \
    }
#define POLICIES_OPT(f)                                                                            \
    {                                                                                              \
        "policies", 'p', CLI_PATH, &(f)->paths, "PATH",                                            \
            "the policy files with actions: (repeatable; default the built-in pack)"               \
    }
#define COMMON_OPTS(f)                                                                             \
    CLI_OPT_DB(&(f)->db_url),                                                                      \
        {"accounts", 'a',                                                                          \
         CLI_STR,    &(f)->accounts_path,                                                          \
         "FILE",     "accounts.yaml: remediate: role, remediate: true per account"},               \
        {"profile",                                                                                \
         0,                                                                                        \
         CLI_STR,                                                                                  \
         &(f)->profile,                                                                            \
         "NAME",                                                                                   \
         "shared-config profile of the base "                                                      \
         "credentials"},                                                                           \
        {"format", 'f', CLI_STR, &(f)->format, "FMT", "table (default on a terminal) or json"},    \
        CLI_OPT_OUTPUT(&(f)->output), CLI_OPT_AS_OF(&(f)->as_of)
#define APPLY_OPTS(f)                                                                              \
    {"max-changes", 0, CLI_NUM, &(f)->max_changes, "N", "make at most N calls (default 10)"},      \
    {                                                                                              \
        "allow-prod", 0, CLI_FLAG, &(f)->allow_prod, NULL,                                         \
            "also change accounts whose environment is prod"                                       \
    }

static const char *const FORMATS[] = {"table", "json", NULL};

static int load_config(const char *cmd, const fix_args *f, arena *a, collect_config *cfg)
{
    if (!f->accounts_path) {
        fprintf(stderr, "custos %s: --accounts accounts.yaml is required\n", cmd);
        return -1;
    }
    diag_list d = {0};
    int rc = collect_config_load(a, f->accounts_path, cfg, &d);
    if (rc != 0) cli_diag_print(cmd, &d);
    diag_free(&d);
    return rc;
}

static rm_session *open_session(const char *cmd, const fix_args *f, const collect_config *cfg)
{
    buf err = BUF_INIT;
    rm_session *s = rm_session_new(cfg, f->profile, &err);
    if (!s) fprintf(stderr, "custos %s: credentials: %s\n", cmd, err.data ? err.data : "");
    buf_free(&err);
    return s;
}

static int write_plan(const char *cmd, const fix_args *f, const rm_plan *p, int fmt)
{
    if (fmt == 0) {
        FILE *o = cli_output_open(cmd, f->output);
        if (!o) return 1;
        rm_plan_print(p, o);
        return cli_output_close(cmd, f->output, o);
    }
    buf b = BUF_INIT;
    rm_plan_write_json(p, &b);
    int rc = cli_write_buf(cmd, f->output, &b);
    buf_free(&b);
    return rc;
}

static int make_plan(const char *cmd, const fix_args *f, store *st, rm_session *s,
                     const policy_set *ps, int64_t now, rm_plan *p)
{
    int rc = 0;
    rm_plan_options o = {(const char *const *)f->policies.items,
                         f->policies.n,
                         (const char *const *)f->accounts.items,
                         f->accounts.n,
                         f->finding,
                         now};
    buf err = BUF_INIT;
    if (rm_plan_build(p, st, ps, s, &o, &err) != 0) {
        fprintf(stderr, "custos %s: %s\n", cmd, err.data);
        rc = -1;
    }
    buf_free(&err);
    return rc;
}

/* The report goes to -o for `fix apply` (for `fix --apply`, -o is the
 * plan), else stdout.  The audit log's times are the real clock, never
 * --as-of; the findings read again are judged and resolved at the plan's
 * clock (--as-of, else now), as a scan's. */
static int run_apply(const char *cmd, const fix_args *f, const rm_plan *p, store *st, rm_session *s,
                     const policy_set *ps, int64_t now, int fmt, const char *out_path)
{
    rm_apply_options o = {f->max_changes, f->allow_prod, (int64_t)time(NULL)};
    FILE *table_out = cli_output_open(cmd, out_path);
    if (!table_out) return 1;
    rm_report r;
    buf err = BUF_INIT;
    int rc = rm_apply(p, s, st, &o, &r, &err);
    if (rc < 0) fprintf(stderr, "custos %s: audit log: %s\n", cmd, err.data);
    rm_recheck_options ro = {f->accounts_path, f->profile, ps, now, o.now};
    buf_reset(&err);
    if (rc >= 0 && rm_read_again(p, &r, st, &ro, &err) != 0) {
        fprintf(stderr, "custos %s: reading again: %s\n", cmd, err.data ? err.data : "");
        rc = 1;
    }
    buf_free(&err);
    if (fmt == 0) {
        rm_report_print(p, &r, table_out);
    } else {
        buf b = BUF_INIT;
        rm_report_json(p, &r, &b);
        fwrite(b.data, 1, b.len, table_out);
        buf_free(&b);
    }
    int werr = cli_output_close(cmd, out_path, table_out);
    return rc == 0 && !werr ? 0 : 1;
}

/* Reads and checks plan.json into p; 0 or -1 (printed). */
static int read_plan(const char *cmd, const char *path, rm_plan *p)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "custos %s: cannot read %s\n", cmd, path);
        return -1;
    }
    buf err = BUF_INIT;
    int rc = rm_plan_load(p, text, len, &err);
    if (rc != 0) fprintf(stderr, "custos %s: %s: %s\n", cmd, path, err.data);
    free(text);
    buf_free(&err);
    return rc;
}

/* The shared tail of plan, apply and --apply once the options are in:
 * plan_path NULL makes a plan, else reads that one. */
static int fix_run(const char *cmd, fix_args *f, const char *plan_path, bool apply)
{
    bool plan = !plan_path;
    int fmt = cli_choice(cmd, "format", f->format, FORMATS, cli_for_people(f->output) ? 0 : 1);
    int64_t now;
    if (fmt < 0 || cli_clock(cmd, f->as_of, &now) < 0) return 1;
    if (f->max_changes < 0) {
        fprintf(stderr, "custos %s: --max-changes must not be negative\n", cmd);
        return 1;
    }
    arena *a = arena_new(0);
    collect_config cfg;
    store *st = NULL;
    rm_session *s = NULL;
    rm_plan p;
    rm_plan_init(&p);
    policy_set ps;
    policy_set_init(&ps);
    int rc = 1;
    if (load_config(cmd, f, a, &cfg) != 0 || !(st = cli_store_open(cmd, f->db_url))) goto done;
    if (plan_path && read_plan(cmd, plan_path, &p) != 0) goto done;
    if (cli_load_policies(cmd, &f->paths, &ps) != 0) goto done;
    if (!(s = open_session(cmd, f, &cfg))) goto done;
    if (plan && make_plan(cmd, f, st, s, &ps, now, &p) != 0) goto done;
    if (plan && (!apply || f->output) && write_plan(cmd, f, &p, fmt) != 0) goto done;
    rc = apply ? run_apply(cmd, f, &p, st, s, &ps, now, fmt, plan ? NULL : f->output) : 0;
done:
    policy_set_free(&ps);
    rm_plan_free(&p);
    rm_session_free(s);
    store_close(st);
    arena_free(a);
    return rc;
}

static int fix_plan(int argc, char **argv)
{
    fix_args f = {0};
    const cli_opt opts[] = {PLAN_OPTS(&f), POLICIES_OPT(&f), COMMON_OPTS(&f), {0}};
    const cli_command cmd = {
        "fix plan",
        "usage: custos fix plan [--policy P] [--account A] [--finding ID] -p POLICIES\n"
        "                       --db URL --accounts accounts.yaml [-o plan.json]\n"
        "\n"
        "For each open finding whose policy has actions, the exact AWS calls custos fix\n"
        "would make, the resource's state now (read live) and the AWS CLI equivalent.\n"
        "Changes nothing.\n",
        opts,
        0,
        NULL,
        "Exit status: 0 ok, 1 error.\n"};
    int rc = cli_args(&cmd, argc, argv, NULL, NULL);
    if (rc < 0) rc = fix_run("fix plan", &f, NULL, false);
    fix_args_free(&f);
    return rc;
}

static int fix_apply(int argc, char **argv)
{
    fix_args f = {.max_changes = 10};
    const cli_opt opts[] = {POLICIES_OPT(&f), COMMON_OPTS(&f), APPLY_OPTS(&f), {0}};
    const cli_command cmd = {
        "fix apply",
        "usage: custos fix apply PLAN.json -p POLICIES --db URL --accounts accounts.yaml\n"
        "                        [--max-changes N] [--allow-prod]\n"
        "\n"
        "Applies exactly the steps of a plan made by `custos fix plan`, each only if\n"
        "its account says remediate: true and the resource is still as the plan saw\n"
        "it; every step is written to the store's audit log (custos audit).  Then\n"
        "each finding changed is collected again and its policy (-p) run on it: the\n"
        "finding is resolved, or reported still found.\n",
        opts,
        1,
        "plan file",
        "Exit status: 0 every step fixed or already applied, 1 otherwise.\n"};
    const char *args[1];
    int nargs = 0;
    int rc = cli_args(&cmd, argc, argv, args, &nargs);
    if (rc < 0 && nargs != 1) {
        fprintf(stderr, "custos fix apply: the plan file is required\n");
        rc = 1;
    }
    if (rc < 0) rc = fix_run("fix apply", &f, args[0], true);
    fix_args_free(&f);
    return rc;
}

static int fix_once(int argc, char **argv)
{
    fix_args f = {.max_changes = 10};
    const cli_opt opts[] = {{"apply", 0, CLI_FLAG, &f.apply, NULL, "apply the plan now (required)"},
                            PLAN_OPTS(&f),
                            POLICIES_OPT(&f),
                            COMMON_OPTS(&f),
                            APPLY_OPTS(&f),
                            {0}};
    const cli_command cmd = {
        "fix",
        "usage: custos fix plan ...            what would be changed (nothing is)\n"
        "       custos fix apply PLAN.json ... apply a reviewed plan\n"
        "       custos fix --apply [options]   plan and apply in one command\n"
        "\n"
        "Remediation: the actions: of your policies on the store's open findings.\n",
        opts,
        0,
        NULL,
        "Exit status: 0 ok, 1 error or a step not fixed.\n"};
    int rc = cli_args(&cmd, argc, argv, NULL, NULL);
    if (rc < 0 && !f.apply) {
        fprintf(stderr, "custos fix: give `plan`, `apply PLAN.json`, or --apply to plan and apply "
                        "in one command\n");
        rc = 1;
    }
    if (rc < 0) rc = fix_run("fix", &f, NULL, true);
    fix_args_free(&f);
    return rc;
}

int cmd_fix(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "plan")) return fix_plan(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "apply")) return fix_apply(argc - 1, argv + 1);
    return fix_once(argc, argv);
}
