/* admin: read-only queries: transactions, batches, keys, audit, accounts (see admin.h). */
#include <stdio.h>
#include <string.h>

#include "crypto/keyblock.h"
#include "error.h"
#include "host/admin_int.h"
#include "host/keystore.h"
#include "host/settle.h"

int admin__collect(struct store_stmt *st, json_t *(*row)(struct store_stmt *st), json_t **out)
{
    json_t *arr = json_array();
    int rc = arr != NULL ? POS_OK : POS_ERR_NOMEM;

    *out = NULL;
    while (rc == POS_OK) {
        rc = store_step(st);
        if (rc == STORE_DONE) {
            rc = POS_OK;
            break;
        }
        if (rc != STORE_ROW)
            break;
        rc = json_array_append_new(arr, row(st)) == 0 ? POS_OK : POS_ERR_NOMEM;
        if (rc != POS_OK)
            store_reset(st);
    }
    if (rc != POS_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return POS_OK;
}

/* Column col as a JSON string, or null for SQL NULL. */
static json_t *admin__col_or_null(struct store_stmt *st, int col)
{
    return store_column_is_null(st, col) ? json_null() : admin__col_text(st, col);
}

/* ---- keys and audit -------------------------------------------------------- */

static int admin__key_json(void *arg, const struct keystore_entry *e)
{
    const char *un = keyblock_usage_name(e->usage);
    json_t *j;

    j = json_pack("{s:I,s:s,s:s,s:s,s:s%,s:s%,s:b,s:s,s:I}", "id", (json_int_t)e->id, "name",
                  e->name, "usage", e->usage, "usage_name", un != NULL ? un : "", "algorithm",
                  &e->algorithm, (size_t)1, "mode", &e->mode, (size_t)1, "exportable",
                  e->exportability == 'E', "kcv", e->kcv, "created_at", (json_int_t)e->created_at);
    return json_array_append_new((json_t *)arg, j) == 0 ? POS_OK : POS_ERR_NOMEM;
}

int admin__keys_json(struct store *s, json_t **out)
{
    json_t *arr = json_array();
    int rc;

    *out = NULL;
    if (arr == NULL)
        return POS_ERR_NOMEM;
    rc = keystore_list(s, admin__key_json, arr);
    if (rc != POS_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return POS_OK;
}

int admin_keys(struct admin *a, json_t **out)
{
    if (a == NULL || out == NULL)
        return POS_ERR_INVAL;
    return admin__keys_json(a->s, out);
}

static json_t *admin__audit_json(struct store_stmt *st)
{
    const char *detail = store_column_text(st, 5, NULL);
    json_t *dj = detail != NULL ? json_loads(detail, 0, NULL) : NULL;

    if (dj == NULL)
        dj = json_string(detail != NULL ? detail : "");
    return json_pack("{s:I,s:I,s:o,s:o,s:o,s:o}", "id", (json_int_t)store_column_int64(st, 0), "at",
                     (json_int_t)store_column_int64(st, 1), "actor", admin__col_text(st, 2),
                     "action", admin__col_text(st, 3), "object", admin__col_text(st, 4), "detail",
                     dj);
}

static int64_t admin__limit(int64_t limit)
{
    if (limit <= 0)
        return ADMIN_TXNS_DEFAULT;
    return limit > ADMIN_TXNS_MAX ? ADMIN_TXNS_MAX : limit;
}

int admin_audit(struct admin *a, int64_t limit, json_t **out)
{
    struct store_stmt *st;
    int rc;

    if (a == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = store_prepare(a->s,
                       "SELECT id, at, actor, action, object, detail FROM audit_log"
                       " ORDER BY id DESC LIMIT ?",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, admin__limit(limit));
    return admin__collect(st, admin__audit_json, out);
}

/* ---- transactions ---------------------------------------------------------- */

/* The RRN the host gave: stored when a terminal sent one (advices),
 * otherwise the journal row's id as 12 digits (engine.c). Back-office
 * movements (no terminal) have none. */
static json_t *admin__rrn(struct store_stmt *st)
{
    char rrn[13];

    if (!store_column_is_null(st, 9))
        return admin__col_text(st, 9);
    if (store_column_is_null(st, 14))
        return json_null();
    snprintf(rrn, sizeof(rrn), "%012llu",
             (unsigned long long)((uint64_t)store_column_int64(st, 0) % 1000000000000ULL));
    return json_string(rrn);
}

static json_t *admin__txn_json(struct store_stmt *st)
{
    uint16_t cur = (uint16_t)store_column_int64(st, 6);
    json_t *j;

    j = json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o}", "id",
                  (json_int_t)store_column_int64(st, 0), "created_at",
                  (json_int_t)store_column_int64(st, 1), "kind", admin__col_text(st, 2), "mti",
                  admin__col_text(st, 3), "proc_code", admin__col_text(st, 4), "amount",
                  admin__money(store_column_int64(st, 5), cur), "currency", admin__alpha(cur), "rc",
                  admin__col_text(st, 7), "auth_code", admin__col_or_null(st, 8), "rrn",
                  admin__rrn(st), "stan", admin__col_or_null(st, 10), "reversed",
                  store_column_int64(st, 12) != 0, "reason", admin__col_or_null(st, 13), "tid",
                  admin__col_or_null(st, 14), "mid", admin__col_or_null(st, 15), "pan",
                  admin__col_or_null(st, 16));
    if (j == NULL)
        return NULL;
    json_object_set_new(j, "batch_no",
                        store_column_is_null(st, 11) ? json_null()
                                                     : json_integer(store_column_int64(st, 11)));
    json_object_set_new(j, "card_id",
                        store_column_is_null(st, 17) ? json_null()
                                                     : json_integer(store_column_int64(st, 17)));
    json_object_set_new(j, "original_id",
                        store_column_is_null(st, 18) ? json_null()
                                                     : json_integer(store_column_int64(st, 18)));
    return j;
}

/* Does table have a row with this id? */
static int admin__exists(struct admin *a, const char *sql, int64_t id, const char *what,
                         struct pos_errdetail *d)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(a->s, sql, &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc == STORE_ROW)
        return store_reset(st);
    if (rc == STORE_DONE)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no %s %lld", what,
                                 (long long)id);
    return rc;
}

int admin_txns(struct admin *a, const struct admin_txn_filter *f, json_t **out,
               struct pos_errdetail *d)
{
    char sql[1024];
    int64_t ids[4];
    size_t n = 0, off, i;
    struct store_stmt *st;
    int rc = POS_OK;

    if (a == NULL || f == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    off = (size_t)snprintf(
        sql, sizeof(sql), "%s",
        "SELECT t.id, t.created_at, t.kind, t.mti, t.proc_code, t.amount, t.currency, t.rc,"
        " t.auth_code, t.rrn, t.stan, t.batch_no, t.reversed, t.reason, te.tid, m.mid,"
        " c.pan_masked, t.card_id, t.original_id FROM txns t"
        " LEFT JOIN terminals te ON te.id = t.terminal_id"
        " LEFT JOIN merchants m ON m.id = t.merchant_id"
        " LEFT JOIN cards c ON c.id = t.card_id WHERE 1 = 1");
    if (f->tid != NULL) {
        rc = admin__terminal_id(a, f->tid, &ids[n++], d);
        off += (size_t)snprintf(sql + off, sizeof(sql) - off, " AND t.terminal_id = ?");
    }
    if (rc == POS_OK && f->mid != NULL) {
        rc = admin__merchant_id(a, f->mid, &ids[n++], NULL, d);
        off += (size_t)snprintf(sql + off, sizeof(sql) - off, " AND t.merchant_id = ?");
    }
    if (rc == POS_OK && f->card_id != 0) {
        rc = admin__exists(a, "SELECT 1 FROM cards WHERE id = ?", f->card_id, "card", d);
        ids[n++] = f->card_id;
        off += (size_t)snprintf(sql + off, sizeof(sql) - off, " AND t.card_id = ?");
    }
    if (rc == POS_OK && f->account_id != 0) {
        rc = admin__exists(a, "SELECT 1 FROM accounts WHERE id = ?", f->account_id, "account", d);
        ids[n++] = f->account_id;
        off += (size_t)snprintf(sql + off, sizeof(sql) - off,
                                " AND EXISTS (SELECT 1 FROM postings p WHERE p.txn_id = t.id"
                                " AND p.account_id = ?)");
    }
    snprintf(sql + off, sizeof(sql) - off, " ORDER BY t.id DESC LIMIT ?");
    if (rc == POS_OK)
        rc = store_prepare(a->s, sql, &st);
    if (rc != POS_OK)
        return rc;
    for (i = 0; i < n; i++)
        store_bind_int64(st, (int)i + 1, ids[i]);
    store_bind_int64(st, (int)n + 1, admin__limit(f->limit));
    return admin__collect(st, admin__txn_json, out);
}

/* ---- batches --------------------------------------------------------------- */

static int admin__batch_row(struct admin *a, struct store_stmt *st, json_t *arr)
{
    struct settle_totals t;
    uint16_t cur = (uint16_t)store_column_int64(st, 5);
    json_t *j;
    int rc;

    rc = settle_totals(a->s, store_column_int64(st, 0), store_column_int64(st, 3), &t);
    if (rc != POS_OK)
        return rc;
    j = json_pack("{s:o,s:o,s:I,s:o,s:s,s:I,s:o,s:I,s:o}", "tid", admin__col_text(st, 1), "mid",
                  admin__col_text(st, 2), "batch_no", (json_int_t)store_column_int64(st, 3),
                  "terminal_status", admin__col_text(st, 4), "currency", admin__alpha(cur),
                  "debit_count", (json_int_t)t.debit_count, "debit_amount",
                  admin__money(t.debit_amount, cur), "credit_count", (json_int_t)t.credit_count,
                  "credit_amount", admin__money(t.credit_amount, cur));
    return json_array_append_new(arr, j) == 0 ? POS_OK : POS_ERR_NOMEM;
}

int admin_batches(struct admin *a, json_t **out)
{
    struct store_stmt *st;
    json_t *arr;
    int rc;

    if (a == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    arr = json_array();
    if (arr == NULL)
        return POS_ERR_NOMEM;
    rc = store_prepare(a->s,
                       "SELECT te.id, te.tid, m.mid, te.batch_no, te.status, m.currency"
                       " FROM terminals te JOIN merchants m ON m.id = te.merchant_id"
                       " WHERE te.status <> 'closed' ORDER BY te.id",
                       &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = admin__batch_row(a, st, arr);
        if (rc != POS_OK)
            store_reset(st);
    }
    if (rc == STORE_DONE)
        rc = POS_OK;
    if (rc != POS_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return POS_OK;
}

/* ---- accounts -------------------------------------------------------------- */

static json_t *admin__account_card_json(struct store_stmt *st)
{
    return json_pack("{s:I,s:o,s:o,s:o}", "id", (json_int_t)store_column_int64(st, 0), "pan",
                     admin__col_text(st, 1), "expiry", admin__col_text(st, 2), "status",
                     admin__col_text(st, 3));
}

/* The account's name and creation time. */
static int admin__account_meta(struct admin *a, int64_t id, json_t *j)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(a->s, "SELECT name, created_at FROM accounts WHERE id = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_NOT_FOUND : rc;
    json_object_set_new(j, "name", admin__col_text(st, 0));
    json_object_set_new(j, "created_at", json_integer(store_column_int64(st, 1)));
    return store_reset(st);
}

int admin_account_show(struct admin *a, int64_t id, json_t **out, struct pos_errdetail *d)
{
    struct ledger_account acc;
    struct store_stmt *st;
    int64_t avail = 0;
    json_t *j = NULL, *cards = NULL;
    int rc;

    if (a == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = ledger_account_get(a->s, id, &acc);
    if (rc == POS_ERR_NOT_FOUND)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no account %lld", (long long)id);
    if (rc == POS_OK && ledger_available(&acc, &avail) != POS_OK)
        avail = 0;
    if (rc == POS_OK) {
        j = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)acc.id, "kind",
                      acc.kind, "status", acc.status, "currency", admin__alpha(acc.currency),
                      "balance", admin__money(acc.balance, acc.currency), "held",
                      admin__money(acc.held, acc.currency), "credit_limit",
                      admin__money(acc.credit_limit, acc.currency), "available",
                      admin__money(avail, acc.currency));
        rc = j != NULL ? admin__account_meta(a, id, j) : POS_ERR_NOMEM;
    }
    if (rc == POS_OK)
        rc = store_prepare(a->s,
                           "SELECT id, pan_masked, expiry, status FROM cards WHERE account_id = ?"
                           " ORDER BY id",
                           &st);
    if (rc == POS_OK) {
        store_bind_int64(st, 1, id);
        rc = admin__collect(st, admin__account_card_json, &cards);
    }
    if (rc == POS_OK) {
        json_object_set_new(j, "cards", cards);
        *out = j;
        return POS_OK;
    }
    json_decref(j);
    return rc;
}
