/* fuzz_yaml.c - yaml_load must never crash, leak or hang on any input, and
 * every position it records must be inside the text. */
#include <stddef.h>
#include <stdint.h>

#include "format/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new(0);
    srcmap *m = srcmap_new(a, "fuzz.yml");
    diag_list d = DIAG_LIST_INIT;
    jv v;
    if (yaml_load(a, "fuzz.yml", (const char *)data, size, &v, m, &d) == 0) {
        buf b = BUF_INIT;
        json_write(&b, &v);
        buf_free(&b);
    }
    diag_free(&d);
    arena_free(a);
    return 0;
}
