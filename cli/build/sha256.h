/* SHA-256 (FIPS 180-4), small and dependency-free: build cache keys hash the source
 * tarball or tree, and a user can compare a tarball's digest with the one Redis publishes. */
#ifndef RL_BUILD_SHA256_H
#define RL_BUILD_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct rl_sha256 {
    uint32_t h[8];
    uint64_t len;        /* bytes hashed so far */
    unsigned char buf[64];
    size_t nbuf;
};

void rl_sha256_init(struct rl_sha256 *s);
void rl_sha256_update(struct rl_sha256 *s, const void *data, size_t len);
/* Writes the 32-byte digest. */
void rl_sha256_final(struct rl_sha256 *s, unsigned char out[32]);
/* Writes the digest as 64 lowercase hex characters plus NUL. */
void rl_sha256_hex(struct rl_sha256 *s, char out[65]);
/* Hashes a whole file into hex. Returns 0, or -1 (errno set) when it cannot be read. */
int rl_sha256_file(const char *path, char out[65]);

#endif
