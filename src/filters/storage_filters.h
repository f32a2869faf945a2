/* storage_filters.h - filters on stored data: bucket encryption, KMS key
 * rotation and the health of volume / database backups.
 *
 * bucket-encryption (aws.s3; Custodian's options state, crypto, key)
 *   Reads `Encryption` (GetBucketEncryption's ServerSideEncryptionConfiguration,
 *   null = not configured; absent = not collected: never matches).  As in
 *   Custodian only the first rule counts.  state true (the default): the
 *   first rule's SSEAlgorithm is AES256 or aws:kms (crypto given: equal to
 *   it; key given with crypto aws:kms: KMSMasterKeyID names that key).
 *   state false: the opposite, including "no rules".  Differences: the key
 *   is compared offline (same ARN, same key id, or same alias name; an
 *   alias is not resolved to its key as Custodian's DescribeKey does), and
 *   aws:kms:dsse counts as encrypted when no crypto is given (Custodian's
 *   list predates it and would call a DSSE bucket unencrypted).
 *   Evidence: {"Encryption": first rule or null}.
 *
 * key-rotation-status (aws.kms-key; Custodian's: a value filter)
 *   A value filter (key, value, op, value_type, ...) applied to
 *   `KeyRotationEnabled`, the GetKeyRotationStatus response (Custodian's
 *   annotation), or to {} when absent (e.g. UnsupportedOperationException
 *   for asymmetric keys).  Evidence: that response.
 *
 * snapshot-age (aws.ebs, aws.rds; custos ext.)
 *   The latest snapshot of the volume (aws.ebs-snapshot with this VolumeId,
 *   State completed) or DB instance (aws.rds-snapshot with this
 *   DBInstanceIdentifier, Status available), read from eval_ctx.scope, by
 *   StartTime / SnapshotCreateTime.  Options: days (number, required), op
 *   (gt default, ge, lt, le, eq, ne and Custodian's long names) comparing
 *   the latest snapshot's age in days with days; missing (bool, default
 *   false): whether a resource with no snapshot at all matches.  Evidence:
 *   {"latest snapshot": id, "snapshot time": time, "age days": n} ({"latest
 *   snapshot": null, "snapshots": 0} for a missing one).
 *
 * snapshot-shrink (aws.ebs; custos ext.)
 *   The latest completed snapshot's FullSnapshotSizeInBytes is below ratio
 *   (default 0.5) times the previous one's: a backup that lost data.  Needs
 *   two snapshots with sizes.  Evidence: {"latest snapshot", "latest bytes",
 *   "previous snapshot", "previous bytes", "ratio"}.
 *
 * The snapshot index (by volume / DB instance, sorted by time) is built
 * once per scope through scope_memo, so matching is a binary search.
 */
#ifndef CUSTOS_STORAGE_FILTERS_H
#define CUSTOS_STORAGE_FILTERS_H

#include "filters/filter.h"

extern const filter_type filter_type_bucket_encryption;
extern const filter_type filter_type_key_rotation_status;
extern const filter_type filter_type_snapshot_age;
extern const filter_type filter_type_snapshot_shrink;

#endif
