/*
 * migrate: applies versioned migrations, one transaction each, and records
 * them in schema_version. The version is read again inside each migration's
 * write transaction, so concurrent migrators apply each migration once.
 */
#include "store/migrate.h"

#include "store/store_int.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

static const char migrate_table_sql[] = "CREATE TABLE IF NOT EXISTS schema_version ("
                                        " version INTEGER PRIMARY KEY,"
                                        " name TEXT NOT NULL,"
                                        " applied_at INTEGER NOT NULL)";

int store_migrate_version(struct store *s, int64_t *version)
{
    struct store_stmt *st;
    bool exists = false;
    int rc;

    *version = 0;
    rc = store_table_exists(s, "schema_version", &exists);
    if (rc != POS_OK || !exists)
        goto out;
    rc = store_prepare(s, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &st);
    if (rc != POS_OK)
        goto out;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *version = store_column_int64(st, 0);
        rc = store_reset(st);
    } else if (rc == STORE_DONE) {
        rc = POS_OK;
    }
out:
    return rc;
}

static int migrate_check_list(const struct store_migration *list, size_t n, struct pos_errdetail *d)
{
    int64_t prev = 0;
    size_t i;

    if (list == NULL && n != 0)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no migration list");
    for (i = 0; i < n; i++) {
        if (list[i].version <= prev)
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, i,
                                     "migration %zu: version %" PRId64 " not above %" PRId64, i,
                                     list[i].version, prev);
        if (list[i].sql == NULL || list[i].sql[0] == NULL)
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, i,
                                     "migration %" PRId64 ": no statements", list[i].version);
        prev = list[i].version;
    }
    return POS_OK;
}

static int migrate_newer(int64_t cur, int64_t known, struct pos_errdetail *d)
{
    return pos_errdetail_set(
        d, POS_ERR_SCHEMA, -1, POS_NO_OFFSET,
        "database at schema version %" PRId64 ", this program knows up to %" PRId64, cur, known);
}

/* Applies m in one transaction unless a concurrent migrator already did. */
static int migrate_one(struct store *s, const struct store_migration *m, int64_t known,
                       struct pos_errdetail *d)
{
    struct store_stmt *st;
    const char *name = m->name != NULL ? m->name : "";
    bool open = false;
    int64_t cur;
    size_t j;
    int rc;

    rc = store_begin(s);
    if (rc != POS_OK)
        goto fail;
    open = true;
    rc = store_migrate_version(s, &cur);
    if (rc != POS_OK)
        goto fail;
    if (cur > known) {
        rc = migrate_newer(cur, known, d);
        goto out;
    }
    if (cur >= m->version)
        goto out; /* done meanwhile by another process */
    for (j = 0; m->sql[j] != NULL; j++) {
        rc = store_exec(s, m->sql[j]);
        if (rc != POS_OK) {
            pos_errdetail_set(d, rc, -1, j, "migration %" PRId64 " (%s), statement %zu: %s",
                              m->version, name, j, store_error(s)->what);
            goto out;
        }
    }
    rc = store_prepare(s, "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                       &st);
    if (rc == POS_OK)
        rc = store_bind_int64(st, 1, m->version);
    if (rc == POS_OK)
        rc = store_bind_text(st, 2, name, strlen(name));
    if (rc == POS_OK)
        rc = store_bind_int64(st, 3, (int64_t)time(NULL));
    if (rc == POS_OK)
        rc = store_step(st);
    if (rc != STORE_DONE) {
        rc = rc < 0 ? rc : store__unexpected_row(s);
        goto fail;
    }
    rc = store_commit(s);
    if (rc != POS_OK)
        goto fail;
    open = false;
    goto out;
fail:
    pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "migration %" PRId64 " (%s): %s", m->version, name,
                      store_error(s)->what);
out:
    if (open)
        store_rollback(s);
    return rc;
}

int store_migrate(struct store *s, const struct store_migration *list, size_t n, int64_t *version,
                  struct pos_errdetail *d)
{
    int64_t cur = 0, known;
    size_t i;
    int rc;

    pos_errdetail_init(d);
    if (version != NULL)
        *version = 0;
    rc = migrate_check_list(list, n, d);
    if (rc != POS_OK)
        goto out;
    if (store_is_in_transaction(s)) {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "a transaction is open");
        goto out;
    }
    known = n > 0 ? list[n - 1].version : 0;
    rc = store_exec(s, migrate_table_sql);
    if (rc == POS_OK)
        rc = store_migrate_version(s, &cur);
    if (rc != POS_OK) {
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "schema_version: %s", store_error(s)->what);
        goto out;
    }
    if (cur > known) {
        rc = migrate_newer(cur, known, d);
        goto out;
    }
    for (i = 0; i < n && rc == POS_OK; i++) {
        if (list[i].version > cur)
            rc = migrate_one(s, &list[i], known, d);
    }
    if (rc == POS_OK && version != NULL)
        rc = store_migrate_version(s, version);
out:
    return rc;
}
