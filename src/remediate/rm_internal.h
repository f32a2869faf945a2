/* rm_internal.h - shared pieces of src/remediate (not a public API).
 *
 * session.c reads states; state.c normalises them (grants, public access
 * blocks, keys); actions.c turns actions into steps; build.c walks the
 * store; plan_io.c reads and writes plan.json; apply.c runs a plan;
 * cli_equiv.c writes the AWS CLI commands.
 */
#ifndef CUSTOS_RM_INTERNAL_H
#define CUSTOS_RM_INTERNAL_H

#include "remediate/remediate.h"

/* ---- state.c ---- */

/* A group's rules (IpPermissions) as one grant per range item, sorted by
 * JSON text; an empty array when perms is not an array. */
jv rm_sg_grants(arena *a, const jv *perms);
/* "tcp|22|22|IpRanges|0.0.0.0/0": what identifies a grant (a rule of the
 * group, or an item of a finding's evidence); false when g is no grant. */
bool rm_grant_id(const jv *g, char *out, size_t n);
/* A grant as a revoke call takes it (descriptions and other read-only
 * members dropped). */
jv rm_grant_for_call(arena *a, const jv *g);
/* The four settings of a public access block (false when absent). */
jv rm_pab_normal(arena *a, const jv *cfg);
extern const char *const RM_PAB_KEYS[4];
/* A permission list (createVolumePermission / launchPermission items,
 * or RDS attribute values) sorted by JSON text; [] when absent. */
jv rm_perms_normal(arena *a, const jv *list);
/* {AccessKeyId, Status}. */
jv rm_key_state(arena *a, const char *key_id, const jv *status);
/* The array `of` without the items equal to one of `drop`. */
jv rm_without(arena *a, const jv *of, const jv *drop);

/* ---- session.c ---- */

/* The region a step's calls go to (us-east-1 for global resources). */
const char *rm_region(const rm_step *st);
const char *rm_session_profile(const rm_session *s);
/* A user's access keys (ListAccessKeys' AccessKeyMetadata). */
int rm_read_keys(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err);

/* ---- actions.c / build.c ---- */

/* A new step of p for finding f and action, its identity filled in. */
rm_step *rm_step_new(rm_plan *p, const stored_finding *f, const char *action);
void rm_note_add(rm_plan *p, const stored_finding *f, const char *action, const char *reason);

#endif
