/* common.h - option handling shared by the subcommands. */
#ifndef CUSTOS_CLI_COMMON_H
#define CUSTOS_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "engine/engine.h"
#include "output/report.h"
#include "store/store.h"

/* A growable list of strings from repeatable / comma-separated options. */
typedef struct strlist {
    char **items;
    size_t n, cap;
} strlist;

void strlist_add_csv(strlist *l, const char *arg); /* "a,b" adds a and b */
void strlist_add(strlist *l, const char *s);
bool strlist_has(const strlist *l, const char *s); /* NULL s: false */
void strlist_free(strlist *l);

/* Options common to scan and eval. */
typedef struct run_opts {
    strlist policy_paths;
    strlist accounts, regions, policies;
    const char *format;  /* NULL = table on a terminal, json otherwise */
    const char *fail_on; /* NULL = never */
    const char *output;  /* NULL = stdout */
    const char *as_of;   /* --as-of DATE, or NULL */
    int threads;
    bool verbose;
    const char *shard;    /* --shard I/N or auto, or NULL */
    int shards;           /* --shards N (I from the batch engine), or 0 */
    int shard_i, shard_n; /* resolved by cli_shard_resolve; n = 0: no sharding */
} run_opts;

/* Long-option codes shared by the commands. */
enum {
    OPT_FAIL_ON = 256,
    OPT_ACCOUNT,
    OPT_REGION,
    OPT_POLICY,
    OPT_ACCOUNT_ID,
    OPT_LOAD_ONLY,
    OPT_AS_OF,
    OPT_DB,
    OPT_NO_STORE,
    OPT_TEAM,
    OPT_ENV,
    OPT_SEVERITY,
    OPT_STATUS,
    OPT_OLDER_THAN,
    OPT_LIMIT,
    OPT_OFFSET,
    OPT_SUPPRESSIONS,
    OPT_SHARD,
    OPT_SHARDS,
    OPT_NOTIFY
};

/* Handles an option scan and eval share (-p -f -o -j, --fail-on,
 * --policy); false when c is not one of them. */
bool cli_common_option(int c, const char *arg, run_opts *o);
void run_opts_free(run_opts *o);

/* Loads every policy path, or the built-in pack when there is none;
 * prints diagnostics; returns 0 or -1. */
int cli_load_policies(const char *cmd, const strlist *paths, policy_set *ps);
/* Policies, inventory and findings of one scan (scan, explain). */
typedef struct scan_session {
    policy_set ps;
    inventory *inv;
    scan_result r;
} scan_session;
/* Loads o's policies (or the pack) and the inventory, and scans with eo
 * (threads and filter filled from o).  Prints diagnostics; 0 or -1.  Call
 * cli_scan_done afterwards either way. */
/* Shards: shard I of N takes the accounts whose highest rendezvous hash
 * (FNV-1a of "account-id/shard") is shard I's, so every account has exactly
 * one shard, shards are balanced, adding an account moves no other and
 * going from N to N+1 shards moves about 1/(N+1) of them.  I and N come
 * from --shard I/N, or --shards N with I from $JOB_COMPLETION_INDEX
 * (Kubernetes Indexed Jobs) or $AWS_BATCH_JOB_ARRAY_INDEX, or --shard auto
 * with both from $AWS_BATCH_JOB_ARRAY_INDEX / _SIZE (AWS Batch arrays).
 * Returns 0 (o->shard_n set, 0 when not sharding) or -1 printed. */
int cli_shard_resolve(const char *cmd, run_opts *o);
/* The shard (0..n-1) an account belongs to. */
int cli_shard_of(const char *account_id, int n);
/* collect_options.keep_account for `collect` and `scan --collect`: true
 * for the accounts of the shard of arg (a run_opts after
 * cli_shard_resolve), for every account when it is not sharding. */
bool cli_shard_keeps(const char *account_id, void *run_opts);
int cli_scan_run(const char *cmd, const char *inv_spec, const char *account_id, run_opts *o,
                 engine_options *eo, scan_session *s);
void cli_scan_done(scan_session *s);

/* The report format: --format, else table on a terminal, json otherwise. */
report_format cli_format(const run_opts *o);
/* Writes the report and computes the exit status (0, 3, or 1 on error). */
int cli_finish(const char *cmd, const run_opts *o, const scan_result *r);
/* Validates --format, --fail-on and --as-of early so errors come before
 * work; fills *now from --as-of (0 when absent). */
int cli_check_output_opts(const char *cmd, const run_opts *o, time_t *now);
void cli_fill_filter(const run_opts *o, scan_filter *f);

/* getopt_long with custos's own messages: an unknown option is named with
 * the closest real one ("unknown option '--inventroy'; did you mean
 * '--inventory'?"), a missing value says which option needs it, and both
 * end with how to see every option.  argv[0] is the command's name (main
 * passes argv + 1).  Returns what getopt_long returns ('?' after printing). */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Prints diagnostics: "file:line:col: error: msg" (the form editors
 * jump to) when there is a line, else "custos CMD: file: msg" like every
 * other message of the command. */
void cli_diag_print(const char *cmd, const diag_list *d);

/* The findings store: --db's value, else $CUSTOS_DB, else
 * sqlite:custos.db. */
const char *cli_db_url(const char *given);
/* Opens (creating/migrating) the store; prints why not and returns NULL. */
store *cli_store_open(const char *cmd, const char *given_url);
/* For commands that only read (explain, findings, diff, history, serve
 * without writes): a store that does not exist yet is an error saying how
 * to make one, never an empty store created as a side effect.  0 when
 * the store at url exists (or is not a file: PostgreSQL), else -1 with
 * the message printed. */
int cli_store_must_exist(const char *cmd, const char *url);
store *cli_store_open_existing(const char *cmd, const char *given_url);
/* "90s", "45m", "12h", "30d", "2w" -> seconds; 0 ok, -1 not a duration. */
int cli_parse_duration(const char *s, int64_t *out);
/* --as-of DATE as the clock, else now; -1 (printed) when not a date. */
int cli_clock(const char *cmd, const char *as_of, int64_t *now);
/* Writes b to path (stdout when NULL); 0, or 1 with a message. */
int cli_write_buf(const char *cmd, const char *path, const buf *b);

#endif
