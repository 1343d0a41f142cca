/* The reply reader bench's load connections use: hiredis's redisReader with its own
 * object functions, except that an array header declaring more than RL_REPLY_ARRAY_CAP
 * elements is refused. hiredis callocs the declared count before any element arrives
 * ("*222222242\r\n" asks for 1.7 GB); SET and GET never answer with an array, so a
 * refusal (hiredis's "Out of memory" reader error, a counted connection failure) costs
 * nothing real and a broken or hostile server cannot make bench allocate gigabytes. */
#ifndef RL_BENCH_REPLY_H
#define RL_BENCH_REPLY_H
#include <hiredis/hiredis.h>

#define RL_REPLY_ARRAY_CAP 4096

/* A new reader (free with redisReaderFree), or NULL when out of memory. */
redisReader *rl_bench_reader_create(void);

#endif
