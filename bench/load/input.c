/* pos-load: reading terminals and cards (see load.h, docs/load.md). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/keyblock.h"
#include "error.h"
#include "hex.h"
#include "load.h"
#include "mem.h"
#include "money.h"

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int copy_str(char *dst, size_t cap, const char *s, const char *what, const char *where)
{
    if (s == NULL || strlen(s) >= cap || s[0] == '\0') {
        fprintf(stderr, "pos-load: %s: bad or missing \"%s\"\n", where, what);
        return -1;
    }
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

static int hexkey(const char *hex, uint8_t *out, size_t want, const char *what, const char *where)
{
    size_t n = 0;

    if (hex == NULL || strlen(hex) != 2 * want ||
        pos_hex_decode(hex, strlen(hex), out, want, &n) != POS_OK || n != want) {
        fprintf(stderr, "pos-load: %s: \"%s\" must be %zu hex digits\n", where, what, 2 * want);
        return -1;
    }
    return 0;
}

static int read_ktk(const char *file, uint8_t ktk[16])
{
    char buf[80];
    size_t len;
    FILE *f;
    int rc = -1;

    if (file == NULL) {
        fprintf(stderr, "pos-load: a provisioning key block needs --ktk FILE\n");
        return -1;
    }
    f = fopen(file, "r");
    if (f == NULL) {
        perror("pos-load: --ktk");
        return -1;
    }
    if (fgets(buf, sizeof(buf), f) != NULL) {
        len = strcspn(buf, "\r\n");
        buf[len] = '\0';
        rc = hexkey(buf, ktk, 16, "KTK", file);
    }
    fclose(f);
    pos_wipe(buf, sizeof(buf));
    return rc;
}

/* One terminal object into *t. */
static int term_parse(json_t *o, const char *where, const char *ktk_file, struct load_term_def *t)
{
    const struct currency *cur = NULL;
    json_t *key = json_object_get(o, "key"), *b = json_object_get(o, "batch_no");
    const char *c = jstr(o, "currency"), *block;
    uint8_t ktk[16];
    struct keyblock_header h;
    size_t n = 0;
    bool dukpt;
    int rc = -1;

    memset(t, 0, sizeof(*t));
    if (copy_str(t->tid, sizeof(t->tid), jstr(o, "tid"), "tid", where) ||
        copy_str(t->mid, sizeof(t->mid), jstr(o, "mid"), "mid", where) ||
        copy_str(t->dialect, sizeof(t->dialect), jstr(o, "dialect"), "dialect", where) ||
        copy_str(t->scheme, sizeof(t->scheme), jstr(o, "key_scheme"), "key_scheme", where))
        return -1;
    if (c == NULL || money_currency_parse(c, strlen(c), &cur, NULL) != POS_OK) {
        fprintf(stderr, "pos-load: %s: bad or missing \"currency\"\n", where);
        return -1;
    }
    money_currency_numeric_format(cur, t->currency);
    t->batch = json_is_integer(b) && json_integer_value(b) > 0 && json_integer_value(b) <= 999999
                   ? (uint32_t)json_integer_value(b)
                   : 1;
    dukpt = strcmp(t->scheme, "dukpt-tdes") == 0;
    if (!dukpt && strcmp(t->scheme, "mksk-tdes") != 0)
        return 0; /* another scheme: kept, filtered out by the caller */
    if (dukpt && hexkey(jstr(o, "ksn"), t->ksn, 10, "ksn", where))
        return -1;
    if (!json_is_object(key)) /* test files: clear keys */
        return hexkey(jstr(o, dukpt ? "ipek" : "tmk"), t->key, 16, dukpt ? "ipek" : "tmk", where);
    block = jstr(key, "block");
    if (block == NULL || read_ktk(ktk_file, ktk) != 0)
        goto out;
    memset(&h, 0, sizeof(h));
    if (keyblock_unwrap_for(ktk, 16, block, strlen(block), dukpt ? "B1" : "K0", dukpt ? 'X' : 'D',
                            &h, t->key, sizeof(t->key), &n, NULL) != POS_OK ||
        n != 16) {
        fprintf(stderr, "pos-load: %s: the key block does not open under the KTK for %s\n", where,
                dukpt ? "B1/X" : "K0/D");
        goto out;
    }
    rc = 0;
out:
    pos_wipe(ktk, sizeof(ktk));
    if (rc != 0)
        pos_wipe(t->key, sizeof(t->key));
    return rc;
}

static int keep(const struct load_term_def *t, const char *dialect, const char *scheme)
{
    if (strcmp(t->scheme, "mksk-tdes") != 0 && strcmp(t->scheme, "dukpt-tdes") != 0)
        return 0;
    return (dialect == NULL || strcmp(t->dialect, dialect) == 0) &&
           (scheme == NULL || strcmp(t->scheme, scheme) == 0);
}

static int push(json_t *o, const char *where, const char *ktk, const char *dialect,
                const char *scheme, struct load_term_def **v, size_t *n, size_t *cap)
{
    struct load_term_def t;

    if (term_parse(o, where, ktk, &t) != 0)
        return -1;
    if (keep(&t, dialect, scheme)) {
        if (*n == *cap) {
            size_t nc = *cap ? 2 * *cap : 64;
            struct load_term_def *nv = realloc(*v, nc * sizeof(**v));
            if (nv == NULL)
                return -1;
            *v = nv;
            *cap = nc;
        }
        (*v)[(*n)++] = t;
    }
    pos_wipe(&t, sizeof(t));
    return 0;
}

static int by_tid(const void *a, const void *b)
{
    return strcmp(((const struct load_term_def *)a)->tid, ((const struct load_term_def *)b)->tid);
}

int load_terms_read(const char *dir, const char *file, const char *ktk_file, const char *dialect,
                    const char *scheme, struct load_term_def **out, size_t *n)
{
    struct load_term_def *v = NULL;
    size_t cap = 0, i;
    json_error_t je;
    json_t *j = NULL;
    int rc = -1;

    *n = 0;
    if (file != NULL) {
        j = json_load_file(file, 0, &je);
        if (j == NULL) {
            fprintf(stderr, "pos-load: %s: line %d: %s\n", file, je.line, je.text);
            goto out;
        }
        if (json_is_object(j) && push(j, file, ktk_file, dialect, scheme, &v, n, &cap) != 0)
            goto out;
        for (i = 0; json_is_array(j) && i < json_array_size(j); i++)
            if (push(json_array_get(j, i), file, ktk_file, dialect, scheme, &v, n, &cap) != 0)
                goto out;
    } else {
        DIR *dp = opendir(dir);
        struct dirent *e;
        char path[4096];
        if (dp == NULL) {
            perror("pos-load: --provision-dir");
            goto out;
        }
        while ((e = readdir(dp)) != NULL) {
            size_t l = strlen(e->d_name);
            if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            j = json_load_file(path, 0, &je);
            if (j == NULL || push(j, path, ktk_file, dialect, scheme, &v, n, &cap) != 0) {
                if (j == NULL)
                    fprintf(stderr, "pos-load: %s: %s\n", path, je.text);
                closedir(dp);
                goto out;
            }
            json_decref(j);
            j = NULL;
        }
        closedir(dp);
    }
    if (*n > 1)
        qsort(v, *n, sizeof(*v), by_tid);
    rc = 0;
out:
    json_decref(j);
    if (rc != 0) {
        load_terms_free(v, *n);
        v = NULL;
        *n = 0;
    }
    *out = v;
    return rc;
}

void load_terms_free(struct load_term_def *t, size_t n)
{
    if (t != NULL)
        pos_wipe(t, n * sizeof(*t));
    free(t);
}

static int card_parse(json_t *o, const char *where, struct load_card *c)
{
    const char *pin = jstr(o, "pin"), *t2 = jstr(o, "track2"), *pan = jstr(o, "pan");
    const char *exp = jstr(o, "expiry");

    memset(c, 0, sizeof(*c));
    if (pin == NULL || strlen(pin) < 4 || strlen(pin) > 12) {
        fprintf(stderr, "pos-load: %s: a card without a 4..12 digit \"pin\"\n", where);
        return -1;
    }
    memcpy(c->pin, pin, strlen(pin) + 1);
    if (t2 != NULL && strlen(t2) < sizeof(c->track2)) {
        memcpy(c->track2, t2, strlen(t2) + 1);
    } else if (pan != NULL && exp != NULL && strlen(pan) < sizeof(c->pan) && strlen(exp) == 4) {
        memcpy(c->pan, pan, strlen(pan) + 1);
        memcpy(c->expiry, exp, 5);
    } else {
        fprintf(stderr, "pos-load: %s: a card needs \"track2\" or \"pan\" and \"expiry\"\n", where);
        return -1;
    }
    return 0;
}

int load_cards_read(const char *file, struct load_card **out, size_t *n)
{
    struct load_card *v = NULL;
    size_t cap = 0, i, count = 0;
    json_error_t je;
    json_t *j = NULL, *arr = NULL;
    FILE *f = NULL;
    char line[8192];
    int rc = -1;

    j = json_load_file(file, 0, &je);
    if (json_is_array(j)) {
        arr = j;
        j = NULL;
    } else {
        json_decref(j);
        j = NULL;
        f = fopen(file, "r");
        if (f == NULL) {
            perror("pos-load: --cards");
            goto out;
        }
        arr = json_array();
        while (fgets(line, sizeof(line), f) != NULL) {
            json_t *o = json_loads(line, JSON_DISABLE_EOF_CHECK, &je);
            if (o != NULL)
                json_array_append_new(arr, o);
        }
        pos_wipe(line, sizeof(line));
    }
    for (i = 0; i < json_array_size(arr); i++) {
        if (count == cap) {
            size_t nc = cap ? 2 * cap : 64;
            struct load_card *nv = realloc(v, nc * sizeof(*v));
            if (nv == NULL)
                goto out;
            v = nv;
            cap = nc;
        }
        if (card_parse(json_array_get(arr, i), file, &v[count]) != 0)
            goto out;
        count++;
    }
    if (count == 0) {
        fprintf(stderr, "pos-load: %s: no cards\n", file);
        goto out;
    }
    rc = 0;
out:
    if (f != NULL)
        fclose(f);
    json_decref(arr);
    if (rc != 0) {
        load_cards_free(v, count);
        v = NULL;
        count = 0;
    }
    *out = v;
    *n = count;
    return rc;
}

void load_cards_free(struct load_card *c, size_t n)
{
    if (c != NULL)
        pos_wipe(c, n * sizeof(*c));
    free(c);
}
