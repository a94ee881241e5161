// SPDX-License-Identifier: MIT
/*
 * libawdz: the shim's state of each z_stream, kept beside the stream (a
 * hash table keyed by its address) so that zlib's own state in
 * strm->state stays untouched and every function the shim does not
 * handle can be given to zlib as is.
 */
#include "awdz.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define HASH_BITS 10

static struct awdz_stream *table[1u << HASH_BITS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned int hash(z_streamp strm)
{
	uint64_t k = (uint64_t)(uintptr_t)strm;

	k ^= k >> 17;
	k *= 0x9e3779b97f4a7c15ull;
	return (unsigned int)(k >> (64 - HASH_BITS));
}

/* table_lock held */
static struct awdz_stream **find(z_streamp strm)
{
	struct awdz_stream **pp = &table[hash(strm)];

	while (*pp && (*pp)->strm != strm)
		pp = &(*pp)->next;
	return pp;
}

/* fork(): no other thread holds the lock across it */
void awdz_stream_lock(void)
{
	pthread_mutex_lock(&table_lock);
}

void awdz_stream_unlock(void)
{
	pthread_mutex_unlock(&table_lock);
}

static void release(struct awdz_stream *s)
{
	free(s->in);
	free(s->out);
	free(s);
}

struct awdz_stream *awdz_stream_new(z_streamp strm, bool inflate)
{
	struct awdz_stream *s = calloc(1, sizeof(*s)), **pp, *old;

	if (!s)
		return NULL;
	s->strm = strm;
	s->inflate = inflate;
	pthread_mutex_lock(&table_lock);
	pp = find(strm);
	old = *pp;
	if (old) {              /* a stream that was never ended */
		*pp = old->next;
		old->next = NULL;
	}
	s->next = table[hash(strm)];
	table[hash(strm)] = s;
	pthread_mutex_unlock(&table_lock);
	if (old)
		release(old);
	return s;
}

struct awdz_stream *awdz_stream_get(z_streamp strm)
{
	struct awdz_stream *s;

	if (!strm)
		return NULL;
	pthread_mutex_lock(&table_lock);
	s = *find(strm);
	pthread_mutex_unlock(&table_lock);
	return s;
}

void awdz_stream_free(z_streamp strm)
{
	struct awdz_stream **pp, *s;

	if (!strm)
		return;
	pthread_mutex_lock(&table_lock);
	pp = find(strm);
	s = *pp;
	if (s)
		*pp = s->next;
	pthread_mutex_unlock(&table_lock);
	if (s)
		release(s);
}

static int dup_buf(uint8_t **dst, size_t *cap, const uint8_t *src,
		   size_t len)
{
	*dst = NULL;
	*cap = 0;
	if (!src || !len)
		return 0;
	*dst = malloc(len);
	if (!*dst)
		return -1;
	memcpy(*dst, src, len);
	*cap = len;
	return 0;
}

int awdz_stream_copy(z_streamp dest, z_streamp source)
{
	struct awdz_stream *from = awdz_stream_get(source), *s;

	if (!from)
		return 0;
	s = awdz_stream_new(dest, from->inflate);
	if (!s)
		return -1;
	s->mode = from->mode;
	s->called = from->called;
	s->level = from->level;
	s->wbits = from->wbits;
	s->memlevel = from->memlevel;
	s->strategy = from->strategy;
	s->in_len = from->in_len;
	s->in_pos = from->in_pos;
	s->out_len = from->out_len;
	s->out_pos = from->out_pos;
	if (dup_buf(&s->in, &s->in_cap, from->in, from->in_len) ||
	    dup_buf(&s->out, &s->out_cap, from->out, from->out_len)) {
		awdz_stream_free(dest);
		return -1;
	}
	return 0;
}
