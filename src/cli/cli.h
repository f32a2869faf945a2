/* cli.h - subcommands.  Each takes (argc, argv) with argv[0] = the command
 * name and returns the process exit status: 0 ok, 1 error, 3 findings at or
 * above --fail-on (scan/eval), 4 notifications still undelivered (notify). */
#ifndef CUSTOS_CLI_H
#define CUSTOS_CLI_H

#include "version.h"

int cmd_scan(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_checks(int argc, char **argv);
int cmd_findings(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_suppress(int argc, char **argv);
int cmd_unsuppress(int argc, char **argv);
int cmd_notify(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_accounts(int argc, char **argv);
int cmd_shards(int argc, char **argv);
int cmd_compliance(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_aws_tool(int argc, char **argv); /* hidden `custos _aws`: test tool */

#endif
