/* SPDX-License-Identifier: MIT */
/*
 * RSA key files for awd rsa (pem.c).
 */
#ifndef AWD_PEM_H
#define AWD_PEM_H

#include <stdbool.h>
#include <stdint.h>

#include "accelwd.h"

struct awd_keyfile {
	struct awd_rsa_key_parts parts;  /* point into der/hex */
	bool has_private;
	uint8_t *der;
	uint8_t *hex[8];
};

/*
 * Load @path: PEM (PKCS #1 or #8 private, SPKI or PKCS #1 public, not
 * encrypted) or "name = hex" lines. Returns 0 or -ENOENT etc., -EBADMSG
 * (malformed), -EOPNOTSUPP (not RSA, or encrypted).
 */
int awd_key_load(const char *path, struct awd_keyfile *kf);
void awd_key_free(struct awd_keyfile *kf);

/* Hex digits (spaces and colons allowed, optional 0x) to bytes. */
int awd_hex_decode(const char *s, uint8_t **out, size_t *len);

#endif /* AWD_PEM_H */
