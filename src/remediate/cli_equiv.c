/* cli_equiv.c - the AWS CLI command that makes the same call as a step.
 *
 * `aws <service> <operation-in-kebab-case> [--region R] --member value ...`
 * with the CLI's names (s3 -> s3api; IpPermissions -> --ip-permissions, as
 * botocore's xform_name) and each value written as one shell word by
 * util/shquote.h, the runbooks' quoting: a scalar as its text, a structure
 * or list as JSON.  Names and descriptions come from whoever controls the
 * resource, so nothing is pasted unquoted.
 */
#include <ctype.h>
#include <string.h>

#include "remediate/rm_internal.h"
#include "util/shquote.h"

/* "RevokeSecurityGroupIngress" -> "revoke-security-group-ingress". */
static void kebab(buf *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool up = isupper(c);
        bool after_lower =
            i > 0 && (islower((unsigned char)s[i - 1]) || isdigit((unsigned char)s[i - 1]));
        bool ends_acronym = i > 0 && isupper((unsigned char)s[i - 1]) && i + 1 < n &&
                            islower((unsigned char)s[i + 1]);
        if (up && (after_lower || ends_acronym)) buf_putc(b, '-');
        buf_putc(b, (char)tolower(c));
    }
}

static void word(buf *b, const char *s, size_t n)
{
    buf_putc(b, ' ');
    if (sh_quote(b, s, n) != 0) buf_puts(b, "''");
}

const char *rm_cli_equivalent(arena *a, const rm_step *st)
{
    buf b = BUF_INIT;
    buf_puts(&b, "aws ");
    buf_puts(&b, !strcmp(st->service, "s3") ? "s3api" : st->service);
    buf_putc(&b, ' ');
    kebab(&b, st->operation);
    if (strcmp(st->service, "iam") != 0) {
        buf_puts(&b, " --region");
        word(&b, rm_region(st), strlen(rm_region(st)));
    }
    for (uint32_t i = 0; jv_is(&st->params, JV_OBJECT) && i < st->params.len; i++) {
        const jv_member *m = &st->params.u.members[i];
        buf_puts(&b, " --");
        kebab(&b, m->key);
        if (jv_is(&m->val, JV_STRING)) {
            word(&b, m->val.u.str, m->val.len);
        } else {
            buf j = BUF_INIT;
            json_write(&j, &m->val);
            word(&b, j.data, j.len);
            buf_free(&j);
        }
    }
    const char *out = arena_strdup(a, b.data);
    buf_free(&b);
    return out;
}
