/* fuzz_inventory.c - the response-file reader path of the inventory.
 *
 * One input is one response file's text.  It goes through what a real
 * load does with a file: placebo unwrapping and datetime conversion (first
 * byte chooses placebo or plain), listing extraction for every registered
 * type, id indexing, and merging it as every per-resource call (S3
 * settings, GetUser, DescribeKey, ...) and as a DescribeTags response.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inventory/inv_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    bool placebo = data[0] & 1;
    const char *text = (const char *)data + 1;
    size--;
    arena *a = arena_new(0);
    jv resp;
    int http = 0;
    json_error err;
    if (inventory_parse_response(a, text, size, placebo, &resp, &http, &err) != 0) {
        arena_free(a);
        return 0;
    }
    pfile f = {.path = "fuzz", .status = PF_OK, .http = http, .data = resp};
    call_result res = inv_classify(&f);
    for (int i = 0; resource_type_at(i); i++) {
        const resource_type *t = resource_type_at(i);
        jv_builder b;
        jvb_array(&b, a);
        resource_items(t, &resp, &b);
        jv list = jvb_done(&b);
        size_t nd = 0;
        const detail_spec *ds = inv_details(t, &nd);
        for (uint32_t k = 0; k < list.len && k < 64; k++)
            for (size_t d = 0; d < nd; d++)
                inv_apply_detail(a, &ds[d], res, &list.u.items[k]);
        if (strcmp(t->name, "aws.ec2") == 0) inv_ec2_tags(a, list.u.items, list.len, &resp);
        resource_set s = {.type = t, .items = list.u.items, .n = list.len};
        resource_set_index(&s, a);
        for (uint32_t k = 0; k < list.len && k < 16; k++) {
            const char *id = resource_id(t, &list.u.items[k]);
            if (id && !resource_set_find(&s, id)) __builtin_trap();
            buf out = BUF_INIT;
            resource_arn(t, &list.u.items[k], "123456789012", "us-east-1", &out);
            buf_free(&out);
        }
    }
    (void)inv_page_has_more(&resp);
    /* The response as a credential report, for a user and an account. */
    jv_builder ub;
    jvb_object(&ub, a);
    jvb_set(&ub, "UserName", 8, jv_cstr(a, "alice"));
    jv items[2] = {jvb_done(&ub), jvb_done(&ub)};
    inv_credential_report(a, items, 2, &resp, false);
    inv_credential_report(a, items, 1, &resp, true);
    arena_free(a);
    return 0;
}
