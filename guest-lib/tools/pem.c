// SPDX-License-Identifier: MIT
/*
 * RSA key files for awd rsa: PEM ("RSA PRIVATE KEY" PKCS #1, "PRIVATE KEY"
 * PKCS #8, "PUBLIC KEY" SubjectPublicKeyInfo, "RSA PUBLIC KEY" PKCS #1),
 * or text lines "name = hex" with names n e d p q dp dq qinv. A minimal
 * DER reader: every length is checked against what encloses it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awd-tool.h"
#include "pem.h"

struct der {
	const uint8_t *p;
	size_t len;
};

/* Read one TLV of @tag from @d into @out; advance @d. */
static int der_get(struct der *d, uint8_t tag, struct der *out)
{
	size_t len, n;

	if (d->len < 2 || d->p[0] != tag)
		return -EBADMSG;
	len = d->p[1];
	n = 2;
	if (len & 0x80) {
		size_t k = len & 0x7f;

		if (k == 0 || k > 4 || d->len < 2 + k)
			return -EBADMSG;
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | d->p[2 + i];
		n += k;
	}
	if (len > d->len - n)
		return -EBADMSG;
	out->p = d->p + n;
	out->len = len;
	d->p += n + len;
	d->len -= n + len;
	return 0;
}

static int der_int(struct der *d, const uint8_t **p, size_t *len)
{
	struct der v;
	int ret = der_get(d, 0x02, &v);

	if (ret)
		return ret;
	if (v.len && (v.p[0] & 0x80))
		return -EBADMSG;        /* negative: not a key value */
	*p = v.p;
	*len = v.len;
	return 0;
}

static int parse_rsa_private(struct der d, struct awd_rsa_key_parts *kp)
{
	struct der seq;
	const uint8_t *ver;
	size_t vlen;

	if (der_get(&d, 0x30, &seq) || der_int(&seq, &ver, &vlen) ||
	    der_int(&seq, &kp->n, &kp->n_len) ||
	    der_int(&seq, &kp->e, &kp->e_len) ||
	    der_int(&seq, &kp->d, &kp->d_len) ||
	    der_int(&seq, &kp->p, &kp->p_len) ||
	    der_int(&seq, &kp->q, &kp->q_len) ||
	    der_int(&seq, &kp->dp, &kp->dp_len) ||
	    der_int(&seq, &kp->dq, &kp->dq_len) ||
	    der_int(&seq, &kp->qinv, &kp->qinv_len))
		return -EBADMSG;
	return 0;
}

static int parse_rsa_public(struct der d, struct awd_rsa_key_parts *kp)
{
	struct der seq;

	if (der_get(&d, 0x30, &seq) || der_int(&seq, &kp->n, &kp->n_len) ||
	    der_int(&seq, &kp->e, &kp->e_len))
		return -EBADMSG;
	return 0;
}

/* AlgorithmIdentifier must be rsaEncryption (1.2.840.113549.1.1.1). */
static int check_alg(struct der *d)
{
	static const uint8_t rsa_oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
					   0x01, 0x01, 0x01 };
	struct der alg, oid;

	if (der_get(d, 0x30, &alg) || der_get(&alg, 0x06, &oid))
		return -EBADMSG;
	if (oid.len != sizeof(rsa_oid) || memcmp(oid.p, rsa_oid, oid.len))
		return -EOPNOTSUPP;
	return 0;
}

static int parse_pkcs8(struct der d, struct awd_rsa_key_parts *kp)
{
	struct der seq, oct;
	const uint8_t *ver;
	size_t vlen;
	int ret;

	if (der_get(&d, 0x30, &seq) || der_int(&seq, &ver, &vlen))
		return -EBADMSG;
	ret = check_alg(&seq);
	if (ret)
		return ret;
	if (der_get(&seq, 0x04, &oct))
		return -EBADMSG;
	return parse_rsa_private(oct, kp);
}

static int parse_spki(struct der d, struct awd_rsa_key_parts *kp)
{
	struct der seq, bits;
	int ret;

	if (der_get(&d, 0x30, &seq))
		return -EBADMSG;
	ret = check_alg(&seq);
	if (ret)
		return ret;
	if (der_get(&seq, 0x03, &bits) || bits.len < 1 || bits.p[0] != 0)
		return -EBADMSG;
	bits.p++;
	bits.len--;
	return parse_rsa_public(bits, kp);
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 from @s up to @end into @out; returns bytes or -EBADMSG. */
static long b64_decode(const char *s, const char *end, uint8_t *out)
{
	uint32_t acc = 0;
	int bits = 0;
	long n = 0;

	for (; s < end; s++) {
		int v;

		if (isspace((unsigned char)*s))
			continue;
		if (*s == '=')
			break;
		v = b64val(*s);
		if (v < 0)
			return -EBADMSG;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int awd_hex_decode(const char *s, uint8_t **out, size_t *len)
{
	size_t digits = 0, k;
	uint8_t *buf;
	const char *q;

	while (isspace((unsigned char)*s))
		s++;
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	for (q = s; *q; q++) {
		if (hexval(*q) >= 0)
			digits++;
		else if (!isspace((unsigned char)*q) && *q != ':')
			return -EBADMSG;
	}
	buf = calloc(1, digits / 2 + 1);
	if (!buf)
		return -ENOMEM;
	/* nibble k of the number; an odd count has an implied leading 0 */
	k = digits & 1;
	for (q = s; *q; q++) {
		int v = hexval(*q);

		if (v < 0)
			continue;
		buf[k / 2] |= (uint8_t)(k & 1 ? v : v << 4);
		k++;
	}
	*out = buf;
	*len = (digits + 1) / 2;
	return 0;
}

void awd_key_free(struct awd_keyfile *kf)
{
	free(kf->der);
	for (int i = 0; i < 8; i++)
		free(kf->hex[i]);
	memset(kf, 0, sizeof(*kf));
}

static int parse_hex_file(char *text, struct awd_keyfile *kf)
{
	static const char *const names[8] = { "n", "e", "d", "p", "q", "dp",
					      "dq", "qinv" };
	struct awd_rsa_key_parts *kp = &kf->parts;
	const uint8_t **ptr[8] = { &kp->n, &kp->e, &kp->d, &kp->p, &kp->q,
				   &kp->dp, &kp->dq, &kp->qinv };
	size_t *len[8] = { &kp->n_len, &kp->e_len, &kp->d_len, &kp->p_len,
			   &kp->q_len, &kp->dp_len, &kp->dq_len, &kp->qinv_len };
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *name = line;
		int i, ret;

		while (isspace((unsigned char)*name))
			name++;
		if (!*name || *name == '#')
			continue;
		if (!eq)
			return -EBADMSG;
		*eq = 0;
		for (char *e = eq - 1; e >= name && isspace((unsigned char)*e); e--)
			*e = 0;
		for (i = 0; i < 8; i++)
			if (!strcmp(name, names[i]))
				break;
		if (i == 8 || kf->hex[i])
			return -EBADMSG;
		ret = awd_hex_decode(eq + 1, &kf->hex[i], len[i]);
		if (ret)
			return ret;
		*ptr[i] = kf->hex[i];
	}
	return kp->n ? 0 : -EBADMSG;
}

int awd_key_load(const char *path, struct awd_keyfile *kf)
{
	static const struct {
		const char *label;
		int (*parse)(struct der d, struct awd_rsa_key_parts *kp);
		bool priv;
	} kinds[] = {
		{ "RSA PRIVATE KEY", parse_rsa_private, true },
		{ "PRIVATE KEY", parse_pkcs8, true },
		{ "PUBLIC KEY", parse_spki, false },
		{ "RSA PUBLIC KEY", parse_rsa_public, false },
	};
	uint8_t *text;
	size_t len;
	char *s, *b, *e;
	int fd, ret;

	memset(kf, 0, sizeof(*kf));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = awd_read_all(fd, 1u << 20, &text, &len);
	close(fd);
	if (ret)
		return ret;
	s = realloc(text, len + 1);
	if (!s) {
		free(text);
		return -ENOMEM;
	}
	s[len] = 0;
	b = strstr(s, "-----BEGIN ");
	if (!b) {
		ret = parse_hex_file(s, kf);
		kf->has_private = kf->parts.d || kf->parts.p;
		free(s);
		if (ret)
			awd_key_free(kf);
		return ret;
	}
	ret = -EOPNOTSUPP;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char begin[64], end[64];
		long n;

		snprintf(begin, sizeof(begin), "-----BEGIN %s-----", kinds[i].label);
		snprintf(end, sizeof(end), "-----END %s-----", kinds[i].label);
		b = strstr(s, begin);
		if (!b)
			continue;
		b += strlen(begin);
		e = strstr(b, end);
		if (!e) {
			ret = -EBADMSG;
			break;
		}
		if (memmem(b, (size_t)(e - b), "Proc-Type", 9)) {
			ret = -EOPNOTSUPP;      /* encrypted PEM */
			break;
		}
		kf->der = malloc((size_t)(e - b));
		if (!kf->der) {
			ret = -ENOMEM;
			break;
		}
		n = b64_decode(b, e, kf->der);
		if (n < 0) {
			ret = (int)n;
			break;
		}
		ret = kinds[i].parse((struct der){ kf->der, (size_t)n },
				     &kf->parts);
		kf->has_private = kinds[i].priv;
		break;
	}
	free(s);
	if (ret)
		awd_key_free(kf);
	return ret;
}
