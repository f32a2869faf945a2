/* main.c - custos command dispatcher.  Each subcommand lives in src/cli/.
 *
 * Everything custos writes (the findings store and its -wal/-shm files,
 * reports written with -o, inventories) lists the weaknesses of every
 * account it looked at, so it is created for its owner alone: umask 077
 * before any command runs, whatever the caller's umask was.  One line here
 * covers every file any command (or library: SQLite) creates, including
 * ones added later.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"accounts", cmd_accounts, "write accounts.yaml from AWS Organizations (teams by your rules)"},
    {"collect", cmd_collect, "collect an inventory from AWS: every account and region at once"},
    {"compliance", cmd_compliance, "per account, each requirement of a framework: pass or fail"},
    {"shards", cmd_shards, "which shard of `scan --shard I/N` scans which account"},
    {"scan", cmd_scan, "evaluate policies over an inventory"},
    {"eval", cmd_eval, "evaluate policies over resources given as JSON"},
    {"explain", cmd_explain, "one finding: priority reasons, evidence and its runbook"},
    {"checks", cmd_checks, "list the built-in pack's checks"},
    {"findings", cmd_findings, "list findings from the store (filters; table/json/csv/sarif/ocsf)"},
    {"diff", cmd_diff, "what changed between two scans, per team"},
    {"history", cmd_history, "findings per day per team/account/severity; the scans"},
    {"suppress", cmd_suppress, "suppress findings with a reason, an author and an expiry"},
    {"unsuppress", cmd_unsuppress, "remove suppression rules; their findings reopen"},
    {"notify", cmd_notify, "tell each team about its new findings (webhook, Slack, e-mail)"},
    {"fix", cmd_fix, "remediation: plan the policies' actions on open findings, then apply"},
    {"audit", cmd_audit, "what custos fix changed: every step, who, when, the result"},
    {"serve", cmd_serve, "the dashboard: findings by team and account, fixes, trends (HTTP)"},
    {"validate", cmd_validate, "check policy files"},
    {"query", cmd_query, "evaluate a JMESPath expression over JSON"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: custos COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'custos COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    umask(077);
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("custos %s\n", CUSTOS_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "_aws")) return cmd_aws_tool(argc - 1, argv + 1); /* test tool */
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "custos: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 1;
}
