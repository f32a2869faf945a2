/* pack.c - loading the embedded pack; see pack.h. */
#include "policy/pack.h"

int pack_load(policy_set *ps, diag_list *diags)
{
    int rc = 0;
    for (size_t i = 0; i < pack_nfiles; i++)
        if (policy_load_text(ps, pack_files[i].path, (const char *)pack_files[i].data,
                             pack_files[i].len, diags) < 0)
            rc = -1;
    return rc;
}
