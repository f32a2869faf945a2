/* record_int.h - recording a scan: the state record.c and record_write.c
 * share.  The comparison (record.c) fills a rec with what the scan must
 * write; record_write.c writes it.  See record.c for the design.
 */
#ifndef CUSTOS_RECORD_INT_H
#define CUSTOS_RECORD_INT_H

#include "engine/finding.h"
#include "store/store_int.h"
#include "util/buf.h"

enum { ST_NEW, ST_OPEN, ST_REGRESSED, ST_RESOLVED, ST_SUPPRESSED, ST_COUNT };
extern const char *const STATUS_NAME[ST_COUNT];

/* A stored finding of the scan's accounts: what the comparison needs. */
typedef struct old_row {
    uint64_t fp, hash;
    int64_t suppression_id, suppressed_until, last_seen, last_scan; /* 0 = NULL */
    const char *policy, *region, *team;                             /* interned */
    int32_t acc;                                                    /* index in rec.acc */
    int16_t priority;
    uint8_t sev;    /* severity rank */
    uint8_t status; /* after the scan */
    bool seen;
} old_row;

/* A scan's account: its row in `accounts` before the scan. */
typedef struct rec_account {
    const char *id;
    const account_info *info;
    int64_t scope_id, last_scan, last_scan_at; /* 0: no row, or no scope yet */
    /* The scan's holds on this account (scan_scope.holds), and the scope
     * the scan gives it: the scan's own (rec.scope_id) when it has none. */
    const scan_hold **holds;
    size_t nholds;
    int64_t new_scope;
} rec_account;

/* What a scan writes, decided in C before anything is written. */
enum { W_FULL = 1, W_STATUS, W_RESOLVE, W_SEEN };
typedef struct write_op {
    uint32_t item; /* scan finding, or old row for W_RESOLVE */
    uint8_t kind;
} write_op;
typedef struct event_op {
    uint32_t item; /* scan finding, or old row for resolutions */
    uint8_t status, previous;
    bool resolved, has_previous;
} event_op;

/* A scope's coverage: "policy\x1fregion" keys, region "*" for every one. */
typedef struct scope_cov {
    int64_t id;
    strmap keys;
} scope_cov;

typedef struct rec {
    store *s;
    arena *a;
    const scan_result *r;
    const scan_scope *sc;
    int64_t scan, at;
    bool all_regions;
    bool legacy; /* schema below 4 (test hook): every seen row gets its last_seen */
    rec_account *acc;
    strmap acc_ix, pol_ix, reg_ix, intern;
    const char **interned;
    size_t ninterned, ninterned_cap;
    old_row *old;
    size_t nold;
    uint32_t *fp_ix; /* open addressing over old, index + 1; 0 = empty */
    size_t fp_cap;
    int64_t scope_id;
    scope_cov cur, *prev;
    size_t nprev;
    /* per scan finding: its status after the scan, its suppression */
    uint8_t *status;
    const suppression **sup;
    write_op *w;
    size_t nw, wcap;
    uint32_t *ins;
    size_t nins, inscap;
    event_op *ev;
    size_t nev, evcap;
    int64_t rows;
    scan_summary *sum;
} rec;

int rec_status_code(const char *name); /* unknown: open */
old_row *rec_old_find(rec *x, uint64_t fp);
const char *rec_meta_str(const policy *p, const char *key);
void rec_json_str_array(buf *b, const char *const *v, size_t n);
bool rec_covers(const scope_cov *c, const char *policy, const char *region, arena *a);
bool rec_in_scope(const rec *x, const char *policy, const char *region);
/* rec_in_scope less the holds of account index acc (-1: none). */
bool rec_acc_in_scope(const rec *x, int acc, const char *policy, const char *region);
const scope_cov *rec_scope_of(const rec *x, int64_t id);

/* record_write.c: each returns 0 or -1 with the store's error set. */
int rec_write_events(rec *x);
int rec_insert_new(rec *x);
int rec_update_changed(rec *x);
int rec_update_daily_counts(rec *x, const recon_opts *ro);
int rec_record_accounts(rec *x);
/* gaps.c: the scan's gaps replace those of its accounts. */
int rec_write_gaps(rec *x);

#endif
