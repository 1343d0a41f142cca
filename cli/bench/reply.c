#include "cli/bench/reply.h"

#include <pthread.h>
#include <stddef.h>

#if defined(HIREDIS_MAJOR) && HIREDIS_MAJOR >= 1
typedef size_t rl_nelements; /* hiredis 1.x */
#else
typedef int rl_nelements; /* hiredis 0.14 (Debian 12) */
#endif

static redisReplyObjectFunctions capped;
static void *(*hiredis_array)(const redisReadTask *, rl_nelements);
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *create_array(const redisReadTask *task, rl_nelements elements)
{
    if (elements > RL_REPLY_ARRAY_CAP)
        return NULL; /* hiredis turns this into its "Out of memory" reader error */
    return hiredis_array(task, elements);
}

/* hiredis does not export its default function table; a plain reader points at it. */
static void init_table(void)
{
    redisReader *plain = redisReaderCreate();
    if (!plain || !plain->fn) {
        redisReaderFree(plain);
        return;
    }
    capped = *plain->fn;
    hiredis_array = capped.createArray;
    capped.createArray = create_array;
    redisReaderFree(plain);
}

redisReader *rl_bench_reader_create(void)
{
    pthread_once(&once, init_table); /* worker threads create readers concurrently */
    if (!hiredis_array)
        return NULL;
    return redisReaderCreateWithFunctions(&capped);
}
