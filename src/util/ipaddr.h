/* ipaddr.h - IPv4/IPv6 addresses and networks (CIDRs), parsed once.
 *
 * Used by value_type cidr / cidr_size and by the ingress/egress filters.
 * Semantics follow Python's ipaddress module, which Custodian uses: a
 * network with host bits set ("10.0.0.1/8") is invalid (strict), octets
 * with leading zeros are invalid, a network contains an address of its own
 * version, and a network "contains" another network when it is a supernet
 * of it (Custodian's override).
 */
#ifndef CUSTOS_IPADDR_H
#define CUSTOS_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ipaddr {
    uint8_t version; /* 4 or 6; 0 = invalid */
    uint8_t prefix;  /* networks: prefix length */
    bool is_net;
    uint8_t b[16]; /* address bytes (first 4 used for v4), network address for nets */
} ipaddr;

/* "1.2.3.4", "::1" (an address) or "10.0.0.0/8", "::/0" (a network).
 * strict: host bits must be zero in a network.  Returns false if invalid. */
bool ip_parse(const char *s, size_t len, bool strict, ipaddr *out);
/* Does network n contain x (an address of the same version, or a network
 * that n is a supernet of)?  *type_error is set when Python would raise
 * (a network of the other version). */
bool ip_contains(const ipaddr *n, const ipaddr *x, bool *type_error);
bool ip_equal(const ipaddr *a, const ipaddr *b);
/* Python ordering: same kind and version only (else returns false with
 * *type_error set).  Sets *cmp to -1/0/1. */
bool ip_compare(const ipaddr *a, const ipaddr *b, int *cmp, bool *type_error);

#endif
