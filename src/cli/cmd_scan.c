/* cmd_scan.c - placeholder until the command lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_scan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "custos scan: not built yet\n");
    return 1;
}
