/* collect_config.h - accounts.yaml's collection settings (see collect_config.c). */
#ifndef CUSTOS_AWS_COLLECT_CONFIG_H
#define CUSTOS_AWS_COLLECT_CONFIG_H

#include <stdbool.h>

#include "json/json.h"
#include "util/diag.h"

typedef struct collect_account {
    const char *id, *name;
    const char *role_arn; /* NULL: the base credentials as they are */
    const char **regions;
    size_t nregions;
    bool all_enabled;        /* regions from DescribeRegions */
    bool remediate;          /* `remediate: true`: custos fix may change it */
    const char *environment; /* "prod", ... or NULL */
} collect_account;

/* The top-level `remediate:` section, shaped like `collect:` (role,
 * external_id, session_name, duration): the role custos fix assumes. */
typedef struct remediate_settings {
    bool present;
    const char *role, *external_id, *session_name;
    int duration;
} remediate_settings;

typedef struct collect_config {
    arena *a;
    const char *path;
    jv doc; /* the whole file, rewritten into the inventory's accounts.yaml */
    const char *role, *external_id, *session_name;
    int duration;
    const char **regions;
    size_t nregions;
    bool all_enabled;
    collect_account *accounts;
    size_t naccounts;
    remediate_settings remediate;
} collect_config;

/* 0, or -1 with diagnostics naming file:line:column. */
int collect_config_parse(arena *a, const char *path, const char *text, size_t len,
                         collect_config *c, diag_list *d);
int collect_config_load(arena *a, const char *path, collect_config *c, diag_list *d);
/* Keeps only the accounts keep says yes to, in c->accounts and in the
 * document's account list (what the inventory's accounts.yaml repeats). */
void collect_config_keep(collect_config *c, bool (*keep)(const char *account_id, void *arg),
                         void *arg);

#endif
