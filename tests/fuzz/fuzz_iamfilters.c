/* fuzz_iamfilters.c - the IAM filters on arbitrary documents.
 *
 * The input is parsed as JSON and treated as an IAM user, policy or the
 * account (whatever its shape); policy-like filter lists (several
 * credential / access-key filters under and/or/not, so the matched-keys
 * annotation is merged and read back) are compiled once and matched with
 * evidence on: odd shapes (a report row that is a list, keys that are
 * strings, URL-encoded documents cut short) must never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "resources/resource.h"
#include "fuzz_filters.h"

/* Filter list (JSON array) and the resource type it is compiled for. */
static const char *const SPECS[][2] = {
    {"[{\"type\":\"credential\",\"key\":\"password_enabled\",\"value\":true},"
     "{\"type\":\"mfa-device\",\"value\":\"empty\"}]",
     "aws.iam-user"},
    {"[{\"type\":\"credential\",\"key\":\"access_keys.active\",\"value\":true},"
     "{\"or\":[{\"type\":\"credential\",\"key\":\"access_keys.last_used_date\","
     "\"match-operator\":\"and\",\"value_type\":\"age\",\"op\":\"gt\",\"value\":90},"
     "{\"and\":[{\"type\":\"credential\",\"key\":\"access_keys.last_used_date\","
     "\"match-operator\":\"and\",\"value\":\"absent\"},{\"type\":\"credential\","
     "\"key\":\"access_keys.last_rotated\",\"match-operator\":\"and\",\"value_type\":\"age\","
     "\"op\":\"gt\",\"value\":90}]}]}]",
     "aws.iam-user"},
    {"[{\"type\":\"access-key\",\"key\":\"Status\",\"value\":\"Active\"},"
     "{\"not\":[{\"type\":\"access-key\",\"match-operator\":\"and\",\"key\":\"CreateDate\","
     "\"value_type\":\"age\",\"op\":\"lt\",\"value\":90}]},"
     "{\"type\":\"credential\",\"key\":\"certs.active\",\"match-operator\":\"and\",\"value\":true}"
     "]",
     "aws.iam-user"},
    {"[{\"type\":\"has-allow-all\"}]", "aws.iam-policy"},
    {"[{\"type\":\"iam-summary\",\"key\":\"AccountMFAEnabled\",\"op\":\"lt\",\"value\":1},"
     "{\"or\":[{\"type\":\"password-policy\",\"key\":\"PasswordPolicyConfigured\",\"value\":false},"
     "{\"type\":\"password-policy\",\"key\":\"MinimumPasswordLength\",\"op\":\"lt\",\"value\":14}]}"
     ","
     "{\"type\":\"credential\",\"key\":\"access_keys\",\"value\":\"not-null\"}]",
     "aws.account"},
};
#define NSPECS (sizeof SPECS / sizeof SPECS[0])

static arena *long_lived;
static filter *compiled[NSPECS];

static void setup(void)
{
    long_lived = arena_new(0);
    fuzz_compile_specs(long_lived, SPECS, NSPECS, compiled);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!long_lived) setup();
    arena *a = arena_new(0);
    jv doc;
    json_error err;
    if (json_parse(a, (const char *)data, size, &doc, &err) == 0) {
        for (size_t i = 0; i < NSPECS; i++) {
            jv ev = jv_null();
            eval_ctx ctx = {0};
            ctx.scratch = a;
            ctx.account_id = "123456789012";
            ctx.region = "us-east-1";
            ctx.now = 1735689600;
            ctx.evidence = &ev;
            (void)filter_match(compiled[i], &doc, &ctx);
        }
    }
    arena_free(a);
    return 0;
}
