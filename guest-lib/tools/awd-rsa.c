// SPDX-License-Identifier: MIT
/*
 * awd rsa: RSA on the device with keys from PEM or hex files, with the
 * padding of OpenSSL's defaults so that results can be compared with
 * openssl pkeyutl / openssl dgst:
 *   awd rsa -e -k pub.pem  < msg > ct      (PKCS #1 v1.5; -p oaep: SHA-1)
 *   awd rsa -d -k key.pem  < ct > msg
 *   awd rsa -s -k key.pem  < msg > sig     (SHA-256 DigestInfo; -p pss)
 *   awd rsa -v -k pub.pem -S sig < msg     ("Verified OK", exit 0)
 *   awd rsa -e -p none ... raw x^e mod n of exactly k bytes (-d: x^d)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awd-tool.h"
#include "pem.h"

enum rsa_op { OP_NONE, OP_ENCRYPT, OP_DECRYPT, OP_SIGN, OP_VERIFY };
enum rsa_pad { PAD_PKCS1, PAD_OAEP, PAD_PSS, PAD_NONE };

static void rsa_usage(void)
{
	printf("usage: awd rsa -e|-d|-s|-v -k KEYFILE [options]\n"
	       "  -e            encrypt (public key operation)\n"
	       "  -d            decrypt (private key operation)\n"
	       "  -s            sign the input (private key operation)\n"
	       "  -v            verify signature -S FILE over the input\n"
	       "  -k FILE       key: PEM (PKCS #1, PKCS #8, SubjectPublicKeyInfo)\n"
	       "                or lines 'n = HEX', 'e = HEX', 'd = HEX', p q dp dq qinv\n"
	       "  -p PAD        pkcs1 (default), oaep (-e/-d), pss (-s/-v), none (raw)\n"
	       "  -H HASH       sha256 (default for -s/-v), sha1 (default for oaep)\n"
	       "  -g            input is already the digest (-s/-v)\n"
	       "  -S FILE       signature to verify\n"
	       "  -i FILE, -o FILE   input and output (default stdin, stdout)\n"
	       "  -x            input and output as hex text\n"
	       "  -D DEVICE     accel-wd device\n"
	       "Same results as openssl pkeyutl (-e/-d) and openssl dgst -sha256 (-s/-v).\n");
}

static int read_input(const char *path, bool hex, uint8_t **buf, size_t *len)
{
	int fd = STDIN_FILENO, ret;
	uint8_t *raw, *h;
	size_t n;

	if (path) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	ret = awd_read_all(fd, 64u << 20, &raw, &n);
	if (path)
		close(fd);
	if (ret || !hex) {
		*buf = raw;
		*len = n;
		return ret;
	}
	h = realloc(raw, n + 1);
	if (!h) {
		free(raw);
		return -ENOMEM;
	}
	h[n] = 0;
	ret = awd_hex_decode((char *)h, buf, len);
	free(h);
	return ret;
}

static int write_output(const char *path, bool hex, const uint8_t *p,
			size_t n)
{
	int fd = STDOUT_FILENO, ret = 0;

	if (path) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
	}
	if (hex) {
		char *s = malloc(2 * n + 2);

		if (!s)
			ret = -ENOMEM;
		for (size_t i = 0; s && i < n; i++)
			sprintf(s + 2 * i, "%02x", p[i]);
		if (s) {
			s[2 * n] = '\n';
			ret = awd_write_full(fd, s, 2 * n + 1);
		}
		free(s);
	} else {
		ret = awd_write_full(fd, p, n);
	}
	if (path && close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

static size_t modulus_bits(const struct awd_rsa_key_parts *kp)
{
	const uint8_t *n = kp->n;
	size_t len = kp->n_len, bits;

	while (len && !n[0]) {
		n++;
		len--;
	}
	if (!len)
		return 0;
	bits = (len - 1) * 8;
	for (uint8_t top = n[0]; top; top >>= 1)
		bits++;
	return bits;
}

int cmd_rsa(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "encrypt", no_argument, NULL, 'e' },
		{ "decrypt", no_argument, NULL, 'd' },
		{ "sign", no_argument, NULL, 's' },
		{ "verify", no_argument, NULL, 'v' },
		{ "key", required_argument, NULL, 'k' },
		{ "pad", required_argument, NULL, 'p' },
		{ "hash", required_argument, NULL, 'H' },
		{ "digest", no_argument, NULL, 'g' },
		{ "sigfile", required_argument, NULL, 'S' },
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "hex", no_argument, NULL, 'x' },
		{ "device", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keypath = NULL, *in_path = NULL, *out_path = NULL;
	const char *sig_path = NULL, *dev = NULL;
	enum rsa_op op = OP_NONE;
	enum rsa_pad pad = PAD_PKCS1;
	enum awd_hash hash = 0;
	bool hex = false, is_digest = false;
	struct awd_keyfile kf;
	struct awd_rsa_key *key = NULL;
	struct awd_ctx *ctx = NULL;
	uint8_t *in = NULL, *sig = NULL, *em = NULL, *res = NULL;
	uint8_t digest[32];
	size_t in_len = 0, sig_len = 0, k, bits, outlen = 0;
	const uint8_t *out = NULL;
	int c, ret, rc = EXIT_ERR;

	while ((c = getopt_long(argc, argv, "edsvk:p:H:gS:i:o:xD:h", lopts,
				NULL)) != -1) {
		switch (c) {
		case 'e':
			op = OP_ENCRYPT;
			break;
		case 'd':
			op = OP_DECRYPT;
			break;
		case 's':
			op = OP_SIGN;
			break;
		case 'v':
			op = OP_VERIFY;
			break;
		case 'k':
			keypath = optarg;
			break;
		case 'p':
			if (!strcmp(optarg, "pkcs1"))
				pad = PAD_PKCS1;
			else if (!strcmp(optarg, "oaep"))
				pad = PAD_OAEP;
			else if (!strcmp(optarg, "pss"))
				pad = PAD_PSS;
			else if (!strcmp(optarg, "none") || !strcmp(optarg, "raw"))
				pad = PAD_NONE;
			else {
				awd_msg("unknown padding '%s'", optarg);
				return EXIT_ERR;
			}
			break;
		case 'H':
			if (!strcmp(optarg, "sha256"))
				hash = AWD_HASH_SHA256;
			else if (!strcmp(optarg, "sha1"))
				hash = AWD_HASH_SHA1;
			else {
				awd_msg("unknown hash '%s' (sha1, sha256)", optarg);
				return EXIT_ERR;
			}
			break;
		case 'g':
			is_digest = true;
			break;
		case 'S':
			sig_path = optarg;
			break;
		case 'i':
			in_path = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'x':
			hex = true;
			break;
		case 'D':
			dev = optarg;
			break;
		case 'h':
			rsa_usage();
			return EXIT_OK;
		default:
			return EXIT_ERR;
		}
	}
	if (op == OP_NONE || !keypath || optind < argc) {
		awd_msg("need one of -e -d -s -v and -k KEYFILE (awd rsa -h)");
		return EXIT_ERR;
	}
	if ((pad == PAD_OAEP && (op == OP_SIGN || op == OP_VERIFY)) ||
	    (pad == PAD_PSS && (op == OP_ENCRYPT || op == OP_DECRYPT))) {
		awd_msg("padding does not fit the operation");
		return EXIT_ERR;
	}
	if (op == OP_VERIFY && !sig_path) {
		awd_msg("-v needs -S SIGFILE");
		return EXIT_ERR;
	}
	if (!hash)
		hash = pad == PAD_OAEP ? AWD_HASH_SHA1 : AWD_HASH_SHA256;

	ret = awd_key_load(keypath, &kf);
	if (ret) {
		awd_msg("%s: %s", keypath, ret == -EBADMSG ? "not a valid RSA key" :
			ret == -EOPNOTSUPP ? "not an RSA key, or encrypted" :
			strerror(-ret));
		return EXIT_ERR;
	}
	if ((op == OP_DECRYPT || op == OP_SIGN) && !kf.has_private) {
		awd_msg("%s: a private key is needed", keypath);
		goto out;
	}
	if ((op == OP_ENCRYPT || op == OP_VERIFY) && !kf.parts.e) {
		awd_msg("%s: the public exponent is missing", keypath);
		goto out;
	}
	bits = modulus_bits(&kf.parts);
	k = (bits + 7) / 8;
	ret = read_input(in_path, hex, &in, &in_len);
	if (!ret && sig_path)
		ret = read_input(sig_path, hex, &sig, &sig_len);
	if (ret) {
		awd_msg("reading input: %s", ret == -EBADMSG ? "bad hex" :
			strerror(-ret));
		goto out;
	}
	if (awd_tool_open(&ctx, dev, 0))
		goto out;
	ret = awd_rsa_key_new(ctx, &kf.parts, &key);
	if (ret) {
		awd_msg("%s: %s", keypath, awd_strerror(ret));
		goto out;
	}
	em = calloc(1, k);
	res = calloc(1, k);
	if (!em || !res)
		goto out;

	if (op == OP_SIGN || op == OP_VERIFY) {
		size_t hlen = awd_hash_size(hash);

		if (is_digest) {
			if (in_len != hlen) {
				awd_msg("a %s digest is %zu bytes, not %zu",
					hash == AWD_HASH_SHA1 ? "SHA-1" : "SHA-256",
					hlen, in_len);
				goto out;
			}
			memcpy(digest, in, hlen);
		} else {
			awd_hash(hash, in, in_len, digest);
		}
	}

	switch (op) {
	case OP_ENCRYPT:
		if (pad == PAD_NONE) {
			if (in_len != k) {
				awd_msg("raw input must be %zu bytes, not %zu",
					k, in_len);
				goto out;
			}
			memcpy(em, in, k);
			ret = 0;
		} else if (pad == PAD_PKCS1) {
			ret = awd_pkcs1_v15_pad(in, in_len, em, k);
		} else {
			ret = awd_oaep_pad(hash, in, in_len, em, k);
		}
		if (ret) {
			awd_msg("padding: %s", ret == -EMSGSIZE ?
				"message too long for the key" : awd_strerror(ret));
			goto out;
		}
		ret = awd_rsa_public(ctx, key, em, res, k);
		out = res;
		outlen = k;
		break;
	case OP_DECRYPT:
		if (in_len != k) {
			awd_msg("input must be %zu bytes (the key size), not %zu",
				k, in_len);
			goto out;
		}
		ret = awd_rsa_private(ctx, key, in, em, k);
		if (ret)
			break;
		outlen = k;
		if (pad == PAD_NONE) {
			out = em;
			break;
		}
		ret = pad == PAD_PKCS1 ? awd_pkcs1_v15_unpad(em, k, res, &outlen) :
		      awd_oaep_unpad(hash, em, k, res, &outlen);
		if (ret) {
			awd_msg("decryption failed: %s", awd_strerror(ret));
			goto out;
		}
		out = res;
		break;
	case OP_SIGN:
		if (pad == PAD_NONE) {
			awd_msg("use -d -p none for a raw private operation");
			goto out;
		}
		ret = pad == PAD_PSS ? awd_pss_pad(hash, digest, em, bits) :
		      awd_pkcs1_v15_sign_pad(hash, digest, em, k);
		if (ret) {
			awd_msg("padding: %s", awd_strerror(ret));
			goto out;
		}
		ret = awd_rsa_private(ctx, key, em, res, k);
		out = res;
		outlen = k;
		break;
	case OP_VERIFY:
		if (sig_len != k) {
			printf("Verification failure\n");
			goto out;
		}
		ret = awd_rsa_public(ctx, key, sig, em, k);
		if (ret == -ERANGE) {
			printf("Verification failure\n");
			goto out;
		}
		if (ret)
			break;
		ret = pad == PAD_PSS ? awd_pss_check(hash, digest, em, bits) :
		      awd_pkcs1_v15_sign_check(hash, digest, em, k);
		printf("%s\n", ret ? "Verification failure" : "Verified OK");
		rc = ret ? EXIT_ERR : EXIT_OK;
		goto out;
	default:
		break;
	}
	if (ret) {
		awd_msg("RSA on the device: %s", awd_strerror(ret));
		goto out;
	}
	ret = write_output(out_path, hex, out, outlen);
	if (ret) {
		awd_msg("writing output: %s", strerror(-ret));
		goto out;
	}
	rc = EXIT_OK;
out:
	awd_rsa_key_free(&key);
	awd_ctx_close(&ctx);
	awd_key_free(&kf);
	free(in);
	free(sig);
	free(em);
	free(res);
	return rc;
}
