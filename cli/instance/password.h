/* An instance's password (up --password / --password-file): checked so it cannot break
 * out of its redis.conf line, kept 0600 in the instance's state directory (never in the
 * record, never printed), and read back by status, down and bench so that nobody has to
 * repeat it on their command lines, where `ps` would show it. */
#ifndef RL_INSTANCE_PASSWORD_H
#define RL_INSTANCE_PASSWORD_H
#include <stddef.h>

#include "cli/instance/instance.h"

#define RL_PASSWORD_MAX 255

/* 1..RL_PASSWORD_MAX bytes without control characters: a newline would end the
 * requirepass line and start a directive of the password's choosing. origin names the
 * option in the message ("--password"). The message never quotes the password. Pure. */
int rl_password_check(const char *pw, const char *origin, char *err, size_t errlen);
/* Reads --password-file: its one line, a trailing "\n" or "\r\n" dropped, then checked
 * as above. Returns 0, or -1 with err. */
int rl_password_read_file(const char *path, char *out, size_t len, char *err, size_t errlen);
/* Writes pw to in->secret (0600, through a mkstemp file renamed into place), or removes
 * that file when pw is empty so a restart without a password leaves none behind.
 * Returns 0, or -1 with err. */
int rl_password_store(const struct rl_instance *in, const char *pw, char *err, size_t errlen);
/* What a client of the instance must AUTH with: its password file, else the requirepass
 * of its redis.conf (--set requirepass=… before the file existed), else "". */
void rl_password_load(const struct rl_instance *in, char *out, size_t len);

#endif
