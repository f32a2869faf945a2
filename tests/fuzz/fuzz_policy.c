/* fuzz_policy.c - policy_load_text (YAML, validation, filter compilation)
 * must never crash or leak on any input; compiled policies are then
 * matched against a small resource to exercise the match paths too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    policy_set ps;
    policy_set_init(&ps);
    diag_list d = DIAG_LIST_INIT;
    policy_load_text(&ps, "fuzz.yml", (const char *)data, size, &d);
    arena *scratch = arena_new(0);
    jv res;
    json_error je;
    const char *doc = "{\"InstanceId\":\"i-1\",\"Tags\":[{\"Key\":\"Name\",\"Value\":\"x\"}],"
                      "\"State\":{\"Name\":\"running\"},\"LaunchTime\":\"2020-01-01T00:00:00Z\","
                      "\"IpPermissions\":[],\"Number\":5,\"List\":[1,\"a\",null]}";
    if (json_parse(scratch, doc, strlen(doc), &res, &je) == 0) {
        for (size_t i = 0; i < ps.n; i++) {
            if (!ps.items[i].filters) continue;
            eval_ctx ctx = {.scratch = scratch, .now = 1767225600, .rtype = ps.items[i].rtype};
            (void)filter_match(ps.items[i].filters, &res, &ctx);
        }
    }
    arena_free(scratch);
    diag_free(&d);
    policy_set_free(&ps);
    return 0;
}
