#include "cli/build/cache_check.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/build/memo.h"
#include "cli/build/sha256.h"
#include "probes/redisbin.h"

int rl_cache_binary_facts(const char *server, long long *size, char sha[65])
{
    struct stat st;
    if (stat(server, &st) < 0 || rl_sha256_file(server, sha) < 0)
        return -1;
    *size = (long long)st.st_size;
    return 0;
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Where the file must end at least: past its program segments and its section header
 * table (the linker puts that last). A truncated binary can still start and even serve,
 * since pages are only read when touched, so running it proves nothing; this does.
 * Returns that size, or -1 when the file is not a native-endian ELF file. */
static long long elf_extent(int fd)
{
    unsigned char id[EI_NIDENT];
    if (pread(fd, id, sizeof id, 0) != (ssize_t)sizeof id || memcmp(id, ELFMAG, SELFMAG) != 0)
        return -1;
    const union { uint16_t u; unsigned char c[2]; } probe = {.u = 1};
    if (id[EI_DATA] != (probe.c[0] ? ELFDATA2LSB : ELFDATA2MSB))
        return -1;
    unsigned long long shoff, shnum, shentsize, phoff, phnum, phentsize, end = 0;
    bool is64 = id[EI_CLASS] == ELFCLASS64;
    if (is64) {
        Elf64_Ehdr h;
        if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
            return -1;
        shoff = h.e_shoff, shnum = h.e_shnum, shentsize = h.e_shentsize;
        phoff = h.e_phoff, phnum = h.e_phnum, phentsize = h.e_phentsize;
    } else if (id[EI_CLASS] == ELFCLASS32) {
        Elf32_Ehdr h;
        if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
            return -1;
        shoff = h.e_shoff, shnum = h.e_shnum, shentsize = h.e_shentsize;
        phoff = h.e_phoff, phnum = h.e_phnum, phentsize = h.e_phentsize;
    } else {
        return -1;
    }
    if (shoff && shoff + shnum * shentsize > end)
        end = shoff + shnum * shentsize;
    if (phoff + phnum * phentsize > end)
        end = phoff + phnum * phentsize;
    for (unsigned long long i = 0; i < phnum && i < 4096; i++) {
        unsigned long long off, filesz;
        off_t at = (off_t)(phoff + i * phentsize);
        if (is64) {
            Elf64_Phdr ph;
            if (pread(fd, &ph, sizeof ph, at) != (ssize_t)sizeof ph)
                return (long long)end; /* the table itself is cut: end already says so */
            off = ph.p_offset, filesz = ph.p_filesz;
        } else {
            Elf32_Phdr ph;
            if (pread(fd, &ph, sizeof ph, at) != (ssize_t)sizeof ph)
                return (long long)end;
            off = ph.p_offset, filesz = ph.p_filesz;
        }
        if (off + filesz > end)
            end = off + filesz;
    }
    return (long long)end;
}

/* The record predates size/digest fields: the binary must be as long as its own ELF
 * headers say, and run and say what the build saw it say. */
static int check_runs(const char *cache_dir, const struct rl_kv *rec, const char *server, long long size, char *why,
                      size_t len)
{
    char seen[16];
    if (rl_memo_get(cache_dir, "binary-ok", server, seen, sizeof seen) == 0)
        return 0;
    int fd = open(server, O_RDONLY | O_CLOEXEC);
    long long extent = fd >= 0 ? elf_extent(fd) : -1;
    if (fd >= 0)
        close(fd);
    if (extent > size) {
        snprintf(why, len, "bin/%s is %lld bytes, but its ELF headers describe %lld (cut short)", base(server), size,
                 extent);
        return -1;
    }
    char line[512];
    if (rl_run_version(server, line, sizeof line, 10000) < 0) {
        snprintf(why, len, "bin/%s does not run (`%s --version` failed or timed out)", base(server), base(server));
        return -1;
    }
    line[strcspn(line, "\r\n")] = '\0';
    const char *want = rl_kv_get(rec, "version_line");
    if (want && *want && strcmp(line, want) != 0) {
        snprintf(why, len, "bin/%s --version says \"%.120s\", its build record \"%.120s\"", base(server), line, want);
        return -1;
    }
    rl_memo_put(cache_dir, "binary-ok", server, "yes");
    return 0;
}

int rl_cache_check_binary(const char *cache_dir, const struct rl_kv *rec, const char *server, char *why, size_t len)
{
    struct stat st;
    if (stat(server, &st) < 0 || access(server, X_OK) < 0) {
        snprintf(why, len, "bin/%s: %s", base(server), strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, len, "bin/%s is not a regular file", base(server));
        return -1;
    }
    long long want_size = rl_kv_get_ll(rec, "server_size", -1);
    const char *want_sha = rl_kv_get(rec, "server_sha256");
    if (want_size < 0 && !want_sha)
        return check_runs(cache_dir, rec, server, (long long)st.st_size, why, len);
    if (want_size >= 0 && (long long)st.st_size != want_size) {
        snprintf(why, len, "bin/%s is %lld bytes, its build record says %lld (truncated or replaced)", base(server),
                 (long long)st.st_size, want_size);
        return -1;
    }
    if (!want_sha)
        return 0;
    char sha[65];
    if (rl_memo_get(cache_dir, "binary-sha256", server, sha, sizeof sha) < 0) {
        if (rl_sha256_file(server, sha) < 0) {
            snprintf(why, len, "bin/%s cannot be read: %s", base(server), strerror(errno));
            return -1;
        }
        rl_memo_put(cache_dir, "binary-sha256", server, sha);
    }
    if (strcmp(sha, want_sha) != 0) {
        snprintf(why, len, "bin/%s has SHA-256 %.16s…, its build record %.16s… (changed after the build)",
                 base(server), sha, want_sha);
        return -1;
    }
    return 0;
}
