/* lmk: the local master key (see lmk.h). */
#include "crypto/lmk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "crypto/kcv.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

#define LMK__HEX_LEN  (2 * LMK_KEY_LEN)
#define LMK__FILE_MAX 256 /* the file holds 64 hex digits and whitespace */

static bool lmk__space(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

void lmk_clear(struct lmk *l)
{
    if (l != NULL)
        pos_wipe(l, sizeof(*l));
}

int lmk_load_hex(struct lmk *l, const char *hex, size_t len, struct pos_errdetail *d)
{
    size_t n = 0;
    int rc;

    if (l == NULL || hex == NULL)
        return POS_ERR_INVAL;
    lmk_clear(l);
    while (len > 0 && lmk__space(hex[0])) {
        hex++;
        len--;
    }
    while (len > 0 && lmk__space(hex[len - 1]))
        len--;
    if (len != LMK__HEX_LEN)
        return pos_errdetail_set(d, POS_ERR_KEY_LENGTH, -1, POS_NO_OFFSET,
                                 "local master key must be 64 hex digits (AES-256), got %zu "
                                 "characters",
                                 len);
    rc = pos_hex_decode(hex, len, l->key, sizeof(l->key), &n);
    if (rc != POS_OK) {
        lmk_clear(l);
        return pos_errdetail_set(d, POS_ERR_HEX, -1, POS_NO_OFFSET, "local master key is not hex");
    }
    l->loaded = true;
    return POS_OK;
}

int lmk_load_env(struct lmk *l, const char *var, struct pos_errdetail *d)
{
    const char *v;

    if (l == NULL)
        return POS_ERR_INVAL;
    lmk_clear(l);
    if (var == NULL)
        var = LMK_ENV_DEFAULT;
    v = getenv(var);
    if (v == NULL || v[0] == '\0')
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET,
                                 "environment variable %s is not set", var);
    return lmk_load_hex(l, v, strlen(v), d);
}

/* The permission rule: a regular file, owned by us, no group/other bits. */
static int lmk__check_stat(const struct stat *st, const char *path, struct pos_errdetail *d)
{
    if (!S_ISREG(st->st_mode))
        return pos_errdetail_set(d, POS_ERR_KEY, -1, POS_NO_OFFSET,
                                 "%s: local master key file is not a regular file", path);
    if (st->st_uid != geteuid())
        return pos_errdetail_set(d, POS_ERR_KEY, -1, POS_NO_OFFSET,
                                 "%s: local master key file is owned by uid %ld, not by this "
                                 "user",
                                 path, (long)st->st_uid);
    if ((st->st_mode & 077) != 0)
        return pos_errdetail_set(d, POS_ERR_KEY, -1, POS_NO_OFFSET,
                                 "%s: local master key file has mode %04o, readable by others: "
                                 "chmod 600 it",
                                 path, (unsigned)(st->st_mode & 07777));
    return POS_OK;
}

int lmk_load_file(struct lmk *l, const char *path, struct pos_errdetail *d)
{
    char buf[LMK__FILE_MAX];
    struct stat st;
    size_t n = 0;
    int fd = -1, rc;

    if (l == NULL || path == NULL)
        return POS_ERR_INVAL;
    lmk_clear(l);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0) {
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "%s: %s", path, strerror(errno));
        goto out;
    }
    rc = lmk__check_stat(&st, path, d);
    if (rc != POS_OK)
        goto out;
    for (;;) {
        ssize_t got = read(fd, buf + n, sizeof(buf) - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "%s: %s", path,
                                   strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n == sizeof(buf)) {
            rc = pos_errdetail_set(d, POS_ERR_KEY_LENGTH, -1, POS_NO_OFFSET,
                                   "%s: too long for a local master key file", path);
            goto out;
        }
    }
    rc = lmk_load_hex(l, buf, n, d);
out:
    if (fd >= 0)
        close(fd);
    pos_wipe(buf, sizeof(buf));
    return rc;
}

static int lmk__write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

int lmk_create_file(struct lmk *l, const char *path, struct pos_errdetail *d)
{
    char hex[LMK__HEX_LEN + 2];
    int fd = -1, rc = POS_OK;

    if (l == NULL || path == NULL)
        return POS_ERR_INVAL;
    lmk_clear(l);
    if (RAND_priv_bytes(l->key, LMK_KEY_LEN) != 1) {
        rc = POS_ERR_CRYPTO;
        goto out;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "%s: %s", path, strerror(errno));
        goto out;
    }
    pos_hex_encode(l->key, LMK_KEY_LEN, hex, sizeof(hex));
    hex[LMK__HEX_LEN] = '\n';
    if (fchmod(fd, 0600) != 0 || lmk__write_all(fd, hex, LMK__HEX_LEN + 1) != 0 || fsync(fd) != 0) {
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "%s: %s", path, strerror(errno));
        goto out;
    }
    l->loaded = true;
out:
    if (fd >= 0 && close(fd) != 0 && rc == POS_OK)
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "%s: %s", path, strerror(errno));
    if (rc != POS_OK) {
        if (fd >= 0)
            unlink(path);
        lmk_clear(l);
    }
    pos_wipe(hex, sizeof(hex));
    return rc;
}

int lmk_kcv(const struct lmk *l, uint8_t kcv[3])
{
    if (l == NULL || !l->loaded)
        return POS_ERR_KEY;
    return kcv_compute(BLOCK_AES, l->key, LMK_KEY_LEN, kcv, 3);
}

int lmk_wrap(const struct lmk *l, const struct keyblock_params *p, const uint8_t *key,
             size_t key_len, char *out, size_t cap, size_t *out_len, struct pos_errdetail *d)
{
    struct keyblock_params q;

    if (l == NULL || !l->loaded)
        return pos_errdetail_set(d, POS_ERR_KEY, -1, POS_NO_OFFSET, "no local master key loaded");
    if (p == NULL)
        return POS_ERR_INVAL;
    q = *p;
    q.version = 'D';
    return keyblock_wrap(l->key, LMK_KEY_LEN, &q, key, key_len, out, cap, out_len, d);
}

int lmk_unwrap_for(const struct lmk *l, const char *block, size_t len, const char *usage, char mode,
                   struct keyblock_header *h, uint8_t *key, size_t key_cap, size_t *key_len,
                   struct pos_errdetail *d)
{
    if (l == NULL || !l->loaded)
        return pos_errdetail_set(d, POS_ERR_KEY, -1, POS_NO_OFFSET, "no local master key loaded");
    if (block == NULL || len < 1)
        return POS_ERR_INVAL;
    if (block[0] != 'D')
        return pos_errdetail_set(d, POS_ERR_KEYBLOCK, -1, 0,
                                 "stored keys must be version D key blocks");
    return keyblock_unwrap_for(l->key, LMK_KEY_LEN, block, len, usage, mode, h, key, key_cap,
                               key_len, d);
}
