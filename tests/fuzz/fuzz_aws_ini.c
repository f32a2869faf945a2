/* fuzz_aws_ini.c - the AWS shared config / credentials parser (aws/ini.c)
 * must never crash, leak or hang.  Input: byte 0 bit 0 picks the config
 * file syntax ("[profile NAME]") or the credentials file's ("[NAME]"); the
 * rest is the file.  Invariants: a rejected file has a message naming the
 * file and a line ("fuzz.ini:N: ..."); in an accepted one every value read
 * back for a few common profiles and keys is trimmed and has no newline,
 * and a profile with a value is a profile the file has. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    bool config = data[0] & 1;
    buf err = BUF_INIT;
    aws_ini *ini = aws_ini_parse("fuzz.ini", (const char *)data + 1, size - 1, config, &err);
    if (!ini) {
        if (!err.len || strncmp(err.data, "fuzz.ini:", 9) != 0) abort();
        buf_free(&err);
        return 0;
    }
    static const char *const profiles[] = {"default", "a", "dev", "p"};
    static const char *const keys[] = {"aws_access_key_id", "region",          "role_arn",
                                       "source_profile",    "s3.endpoint_url", "x"};
    for (size_t i = 0; i < sizeof profiles / sizeof *profiles; i++)
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            const char *v = aws_ini_get(ini, profiles[i], keys[k]);
            if (!v) continue;
            size_t l = strlen(v);
            if (strchr(v, '\n') ||
                (l && (isspace((unsigned char)v[0]) || isspace((unsigned char)v[l - 1]))))
                abort();
            if (!aws_ini_has_profile(ini, profiles[i])) abort();
        }
    aws_ini_free(ini);
    buf_free(&err);
    return 0;
}
