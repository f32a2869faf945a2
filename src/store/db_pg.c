/* db_pg.c - the PostgreSQL back end of db.h (placeholder until libpq lands). */
#include "store/db_driver.h"

#include <stdlib.h>

int db_pg_open(const char *url, db **out, char **err)
{
    *out = NULL;
    char *red = db_url_redacted(url);
    *err = db_strdupf("cannot connect to %s: PostgreSQL support is not built in yet", red);
    free(red);
    return -1;
}
