/* ini.c - the AWS shared config and credentials files.
 *
 * The format botocore reads (configloader.py): "[section]" headers, then
 * "key = value" lines; '#' and ';' start comments (at the start of a line,
 * or after whitespace in a value); an indented "key = value" line after a
 * "name =" line with no value is a sub-setting, read as "name.key" (the
 * `s3 =` style nested sections).  In the config file a profile's section is
 * "[profile NAME]" (and "[default]"); in the credentials file "[NAME]".
 * Keys are case-sensitive, values trimmed.  A line that is neither is a
 * syntax error naming file and line; a missing file is an empty one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

typedef struct ini_kv {
    char *profile, *key, *value;
} ini_kv;

struct aws_ini {
    ini_kv *v;
    size_t n, cap;
};

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t l = strlen(s);
    while (l && isspace((unsigned char)s[l - 1]))
        s[--l] = 0;
    return s;
}

static void strip_comment(char *v)
{
    for (char *p = v; *p; p++)
        if ((*p == '#' || *p == ';') && (p == v || isspace((unsigned char)p[-1]))) {
            *p = 0;
            return;
        }
}

static void add(aws_ini *ini, const char *profile, const char *key, const char *value)
{
    for (size_t i = 0; i < ini->n; i++)
        if (strcmp(ini->v[i].profile, profile) == 0 && strcmp(ini->v[i].key, key) == 0) {
            free(ini->v[i].value);
            ini->v[i].value = strdup(value);
            if (!ini->v[i].value) abort();
            return;
        }
    if (ini->n == ini->cap) {
        ini->cap = ini->cap ? ini->cap * 2 : 16;
        ini->v = realloc(ini->v, ini->cap * sizeof *ini->v);
        if (!ini->v) abort();
    }
    ini_kv *kv = &ini->v[ini->n++];
    kv->profile = strdup(profile);
    kv->key = strdup(key);
    kv->value = strdup(value);
    if (!kv->profile || !kv->key || !kv->value) abort();
}

/* The profile a section header names, or NULL when it is not a profile. */
static const char *section_profile(char *name, bool config)
{
    name = trim(name);
    if (!config) return name;
    if (strcmp(name, "default") == 0) return name;
    if (strncmp(name, "profile", 7) == 0 && isspace((unsigned char)name[7])) return trim(name + 8);
    return NULL; /* [sso-session x], [services x]: not profiles */
}

static int parse_line(aws_ini *ini, const char *path, int lineno, char *line, bool config,
                      char *section, size_t secsz, char *parent, size_t parsz, buf *err)
{
    bool indented = isspace((unsigned char)line[0]);
    char *s = trim(line);
    if (!*s || *s == '#' || *s == ';') return 0;
    if (*s == '[') {
        char *close = strchr(s, ']');
        if (!close) {
            buf_printf(err, "%s:%d: section header without ']'", path, lineno);
            return -1;
        }
        *close = 0;
        const char *p = section_profile(s + 1, config);
        snprintf(section, secsz, "%s", p ? p : "");
        if (!p) section[0] = '\x01'; /* not a profile: its keys are skipped */
        parent[0] = 0;
        return 0;
    }
    char *eq = strchr(s, '=');
    if (!eq) {
        buf_printf(err, "%s:%d: expected 'key = value' or '[section]'", path, lineno);
        return -1;
    }
    if (!section[0]) {
        buf_printf(err, "%s:%d: setting before any [section]", path, lineno);
        return -1;
    }
    *eq = 0;
    char *key = trim(s), *val = eq + 1;
    strip_comment(val);
    val = trim(val);
    if (!*key) {
        buf_printf(err, "%s:%d: empty key", path, lineno);
        return -1;
    }
    if (section[0] == '\x01') return 0;
    if (indented && parent[0]) {
        char full[512];
        snprintf(full, sizeof full, "%s.%s", parent, key);
        add(ini, section, full, val);
        return 0;
    }
    if (!*val)
        snprintf(parent, parsz, "%s", key);
    else
        parent[0] = 0;
    add(ini, section, key, val);
    return 0;
}

aws_ini *aws_ini_parse(const char *path, const char *text, size_t len, bool config, buf *err)
{
    aws_ini *ini = calloc(1, sizeof *ini);
    if (!ini) abort();
    char section[256] = "", parent[256] = "";
    int lineno = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t l = nl ? (size_t)(nl - text - i) : len - i;
        char *line = strndup(text + i, l);
        if (!line) abort();
        lineno++;
        if (memchr(text + i, 0, l)) {
            buf_printf(err, "%s:%d: NUL byte in the file", path, lineno);
            free(line);
            aws_ini_free(ini);
            return NULL;
        }
        int rc = parse_line(ini, path, lineno, line, config, section, sizeof section, parent,
                            sizeof parent, err);
        free(line);
        if (rc != 0) {
            aws_ini_free(ini);
            return NULL;
        }
        i += l + (nl ? 1 : 0);
    }
    return ini;
}

aws_ini *aws_ini_load(const char *path, bool config, buf *err)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        if (errno == ENOENT) return calloc(1, sizeof(aws_ini));
        buf_printf(err, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    aws_ini *ini = aws_ini_parse(path, text, len, config, err);
    free(text);
    return ini;
}

void aws_ini_free(aws_ini *ini)
{
    if (!ini) return;
    for (size_t i = 0; i < ini->n; i++) {
        free(ini->v[i].profile);
        free(ini->v[i].key);
        if (ini->v[i].value) memset(ini->v[i].value, 0, strlen(ini->v[i].value));
        free(ini->v[i].value);
    }
    free(ini->v);
    free(ini);
}

const char *aws_ini_get(const aws_ini *ini, const char *profile, const char *key)
{
    for (size_t i = 0; ini && i < ini->n; i++)
        if (strcmp(ini->v[i].profile, profile) == 0 && strcmp(ini->v[i].key, key) == 0)
            return ini->v[i].value;
    return NULL;
}

bool aws_ini_has_profile(const aws_ini *ini, const char *profile)
{
    for (size_t i = 0; ini && i < ini->n; i++)
        if (strcmp(ini->v[i].profile, profile) == 0) return true;
    return false;
}
