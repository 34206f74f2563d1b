/* tstore: open and migrate the terminal's database; settings. */
#include "term/tstore.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/migrate.h"
#include "term/tschema.h"

const char *tstore_path(const char *flag)
{
    const char *env;

    if (flag != NULL)
        return flag;
    env = getenv(TSTORE_ENV);
    if (env != NULL && env[0] != '\0')
        return env;
    return TSTORE_DEFAULT_PATH;
}

int tstore_open(const char *path, struct store **out, struct pos_errdetail *d)
{
    const struct store_migration *list;
    struct store *db = NULL;
    size_t n;
    int rc;

    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no database path");
    rc = store_open(path, NULL, &db, d);
    if (rc != POS_OK)
        goto out;
    list = tschema_migrations(&n);
    rc = store_migrate(db, list, n, NULL, d);
    if (rc != POS_OK)
        goto out;
    *out = db;
    db = NULL;
out:
    store_close(db);
    return rc;
}

void tstore_close(struct store *db)
{
    store_close(db);
}

int64_t tstore_now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tstore_setting_get(struct store *db, const char *key, char *out, size_t cap, bool *found)
{
    struct store_stmt *st;
    const char *v;
    size_t len = 0;
    int rc;

    if (found != NULL)
        *found = false;
    if (cap == 0 || key == NULL)
        return POS_ERR_INVAL;
    out[0] = '\0';
    rc = store_prepare(db, "SELECT value FROM settings WHERE key = ?", &st);
    if (rc != POS_OK)
        return rc;
    rc = store_bind_text(st, 1, key, strlen(key));
    if (rc == POS_OK)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        v = store_column_text(st, 0, &len);
        if (v == NULL || len >= cap) {
            rc = v == NULL ? POS_ERR_DB : POS_ERR_NOSPACE;
        } else {
            memcpy(out, v, len + 1);
            if (found != NULL)
                *found = true;
            rc = POS_OK;
        }
        store_reset(st);
    }
    return rc == STORE_DONE ? POS_OK : rc;
}

static bool tstore_key_ok(const char *key)
{
    size_t i, n = key != NULL ? strlen(key) : 0;

    if (n == 0 || n > TSTORE_SETTING_KEY_MAX)
        return false;
    for (i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

int tstore_setting_set(struct store *db, const char *key, const char *value)
{
    struct store_stmt *st;
    size_t i, n;
    int rc;

    if (!tstore_key_ok(key) || value == NULL)
        return POS_ERR_INVAL;
    n = strlen(value);
    if (n > TSTORE_SETTING_VALUE_MAX)
        return POS_ERR_INVAL;
    for (i = 0; i < n; i++)
        if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
            return POS_ERR_INVAL;
    rc = store_prepare(db,
                       "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                       " updated_at = excluded.updated_at",
                       &st);
    if (rc != POS_OK)
        return rc;
    rc = store_bind_text(st, 1, key, strlen(key));
    if (rc == POS_OK)
        rc = store_bind_text(st, 2, value, n);
    if (rc == POS_OK)
        rc = store_bind_int64(st, 3, tstore_now_ms());
    if (rc == POS_OK)
        rc = store_step(st);
    return rc == STORE_DONE ? POS_OK : (rc == STORE_ROW ? POS_ERR_DB : rc);
}

int tstore_setting_bool(struct store *db, const char *key, bool def, bool *out)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};
    char v[TSTORE_SETTING_VALUE_MAX + 1];
    bool found;
    size_t i;
    int rc;

    rc = tstore_setting_get(db, key, v, sizeof(v), &found);
    if (rc != POS_OK)
        return rc;
    if (!found) {
        *out = def;
        return POS_OK;
    }
    for (i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = true;
            return POS_OK;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = false;
            return POS_OK;
        }
    }
    return POS_ERR_SYNTAX;
}

int tstore_setting_int(struct store *db, const char *key, int64_t def, int64_t *out)
{
    char v[TSTORE_SETTING_VALUE_MAX + 1];
    int64_t x = 0;
    bool found;
    size_t i, n;
    int rc;

    rc = tstore_setting_get(db, key, v, sizeof(v), &found);
    if (rc != POS_OK)
        return rc;
    if (!found) {
        *out = def;
        return POS_OK;
    }
    n = strlen(v);
    if (n == 0 || n > 18)
        return POS_ERR_SYNTAX;
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return POS_ERR_SYNTAX;
        x = x * 10 + (v[i] - '0');
    }
    *out = x;
    return POS_OK;
}

int tstore_currency(struct store *db, const struct currency **out)
{
    char v[TSTORE_SETTING_VALUE_MAX + 1];
    bool found;
    int rc;

    rc = tstore_setting_get(db, "currency", v, sizeof(v), &found);
    if (rc != POS_OK)
        return rc;
    if (!found) {
        *out = money_currency_by_alpha("CNY", 3);
        return *out != NULL ? POS_OK : POS_ERR_CURRENCY;
    }
    return money_currency_parse(v, strlen(v), out, NULL);
}
