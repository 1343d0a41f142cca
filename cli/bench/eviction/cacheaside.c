#include "cli/bench/eviction/cacheaside.h"

#include <stdlib.h>
#include <string.h>

/* Misses waiting for their SET. A thread has at most clients x pipeline requests in
 * flight, so the ring only overflows with absurd settings; a dropped refill then shows as
 * one more miss later, never as a wrong count. */
#define REFILL_RING 65536

struct cacheaside_state {
    struct rl_keygen keys;
    uint64_t mult, shift;      /* popularity rank -> key: a bijection of [0, n) */
    uint64_t ring[REFILL_RING];
    unsigned head, count;
};

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

uint64_t rl_cacheaside_multiplier(uint64_t n)
{
    uint64_t m = UINT64_C(2654435761) % (n ? n : 1); /* Knuth's multiplicative hash constant */
    while (n > 1 && (m < 2 || gcd(m, n) != 1))
        m++;
    return n > 1 ? m : 1;
}

uint64_t rl_cacheaside_key(uint64_t rank, uint64_t mult, uint64_t n)
{
    return n > 1 ? (uint64_t)(((unsigned __int128)rank * mult) % n) : 0;
}

static void *ca_new(const struct rl_workload *wl, uint64_t seed, unsigned thread, unsigned nthreads)
{
    struct cacheaside_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    if (rl_keygen_init(&st->keys, &wl->keys, seed + wl->seed_offset, thread, nthreads) < 0) {
        free(st);
        return NULL;
    }
    st->mult = rl_cacheaside_multiplier(wl->keys.keyspace);
    /* the same for every thread (seed is the run's), so all agree on which key is hot */
    uint64_t z = seed + UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    st->shift = (z ^ (z >> 31)) % (wl->keys.keyspace ? wl->keys.keyspace : 1);
    return st;
}

static void ca_free(void *state)
{
    free(state);
}

static enum rl_op ca_next(void *state, uint64_t *key)
{
    struct cacheaside_state *st = state;
    if (st->count) {
        *key = st->ring[st->head];
        st->head = (st->head + 1) % REFILL_RING;
        st->count--;
        return RL_OP_SET;
    }
    uint64_t n = st->keys.d.keyspace;
    *key = (rl_cacheaside_key(rl_keygen_next(&st->keys), st->mult, n) + st->shift) % n;
    return RL_OP_GET;
}

static void ca_on_reply(void *state, enum rl_op op, uint64_t key, enum rl_outcome out)
{
    struct cacheaside_state *st = state;
    if (op != RL_OP_GET || out != RL_OUT_MISS || st->count == REFILL_RING)
        return;
    st->ring[(st->head + st->count) % REFILL_RING] = key;
    st->count++;
}

void rl_workload_cacheaside(struct rl_workload *wl, const char *name, const struct rl_keydist *keys)
{
    memset(wl, 0, sizeof *wl);
    wl->name = name;
    wl->thread_new = ca_new;
    wl->thread_free = ca_free;
    wl->next = ca_next;
    wl->on_reply = ca_on_reply;
    wl->keys = *keys;
    wl->ratio_set = 0;
    wl->ratio_get = 1;
}
