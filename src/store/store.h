/*
 * store: the host's storage interface, one database connection per handle.
 *
 * A backend-neutral SQL interface: struct store is an opaque connection and
 * every call goes through a table of function pointers (struct store_ops in
 * store_int.h) so the SQLite backend (sqlite.c, now) and a PostgreSQL backend
 * (pg.c, later, with libpq) implement the same contract. Nothing here names
 * a SQLite type or relies on a SQLite-only behaviour.
 *
 * The portable SQL subset callers write (docs/storage.md has the details):
 * `?` positional placeholders (a PostgreSQL backend rewrites them to $1..$n),
 * the types INTEGER (64-bit signed), TEXT (UTF-8) and BLOB, `INSERT ... ON
 * CONFLICT (...) DO NOTHING | DO UPDATE SET ...`, `RETURNING`, and the
 * transaction statements of ISO/IEC 9075-2:2016 (SQL/Foundation) clause 17:
 * 17.5 <savepoint statement>, 17.6 <release savepoint statement>, 17.7
 * <commit statement>, 17.8 <rollback statement> (with TO SAVEPOINT).
 *
 * Threads: a struct store is not thread-safe. Use one per thread (readers
 * open their own, read-only, connections; writes go through the group-commit
 * writer, writer.h). A connection may move between threads while no other
 * thread uses it.
 *
 * Errors: every function returning int returns POS_OK (0) or a negative
 * enum pos_err: POS_ERR_CONSTRAINT (unique, primary key, foreign key, check,
 * not-null violations), POS_ERR_BUSY (the database stayed locked past the
 * busy timeout), POS_ERR_DB (any other database failure), POS_ERR_NOMEM,
 * POS_ERR_INVAL (misuse: bad argument, wrong state), POS_ERR_RANGE (a bind
 * or column index out of range), POS_ERR_LENGTH (a value too large). The
 * database's own message for the last failure is kept in store_error(s)->what;
 * it names tables, columns and constraints, never bound parameter values
 * (they may be secrets).
 */
#ifndef POS_STORE_H
#define POS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct store;      /* one connection (opaque; store_open / store_close) */
struct store_stmt; /* a prepared statement, owned by its connection's cache */

/* store_step results besides negative errors. */
enum store_step_result {
    STORE_DONE = 0, /* the statement has finished (and was reset) */
    STORE_ROW = 1,  /* a result row is ready for the column getters */
};

struct store_options {
    bool read_only;        /* a reader's connection: no writes, no schema change */
    bool no_create;        /* fail (POS_ERR_DB) if the database does not exist */
    int busy_timeout_ms;   /* wait this long for a lock before POS_ERR_BUSY */
    int cache_kib;         /* page cache size of this connection, KiB */
    size_t stmt_cache_max; /* most distinct SQL texts store_prepare caches */
    unsigned page_size;    /* a new database's page size (512..65536, a power of
                            * two; 0: the backend's default); ignored for an
                            * existing one */
};

#define STORE_DEFAULT_BUSY_TIMEOUT_MS 5000
#define STORE_DEFAULT_CACHE_KIB       16384
#define STORE_DEFAULT_STMT_CACHE_MAX  256
#define STORE_SAVEPOINT_NAME_MAX      32

/* Fills *o with the defaults: read-write, create if missing, busy timeout
 * STORE_DEFAULT_BUSY_TIMEOUT_MS, cache STORE_DEFAULT_CACHE_KIB, statement
 * cache STORE_DEFAULT_STMT_CACHE_MAX. */
void store_options_init(struct store_options *o);

/* Opens a connection. url is "sqlite:PATH" or a bare PATH (an SQLite file;
 * "sqlite::memory:" is a private in-memory database, for tests), or
 * "postgresql://..." / "postgres://..." (POS_ERR_UNSUPPORTED until the
 * PostgreSQL backend exists). opt may be NULL (defaults). On POS_OK *out is a
 * new connection the caller owns (store_close); on failure *out is NULL and
 * d (may be NULL) says why. SQLite connections run in WAL mode with
 * synchronous=FULL (a COMMIT returns only once it is on disk) and
 * foreign_keys=ON. */
int store_open(const char *url, const struct store_options *opt, struct store **out,
               struct pos_errdetail *d);

/* Closes s and every statement in its cache; an open transaction is rolled
 * back. store_close(NULL) is a no-op. */
void store_close(struct store *s);

/* The backend's name: "sqlite" (or "postgresql"). */
const char *store_backend(const struct store *s);

/* The detail of the last failure on s (never NULL; what is "" after none). */
const struct pos_errdetail *store_error(const struct store *s);

/* Runs one or more ';'-separated statements without parameters, discarding
 * any rows (schema changes, pragmas of the backend's own dialect). */
int store_exec(struct store *s, const char *sql);

/* Sets *out to the prepared statement for sql (one statement, `?`
 * placeholders), from the connection's cache when the same text was prepared
 * before: the statement is then reset and its bindings cleared. Fails with
 * POS_ERR_DB for bad SQL, POS_ERR_NOSPACE when the cache already holds
 * stmt_cache_max texts, POS_ERR_NOMEM (and *out NULL). The statement belongs
 * to s and lives until store_close; the same SQL text is one statement, so do
 * not nest two uses of the same text. */
int store_prepare(struct store *s, const char *sql, struct store_stmt **out);

/* Binds parameter idx (1-based) of st. Text and blob bytes are copied;
 * text need not be NUL-terminated; a NULL pointer with len 0 binds the
 * empty value (never SQL NULL: use store_bind_null). */
int store_bind_int64(struct store_stmt *st, int idx, int64_t v);
int store_bind_text(struct store_stmt *st, int idx, const char *text, size_t len);
int store_bind_blob(struct store_stmt *st, int idx, const void *blob, size_t len);
int store_bind_null(struct store_stmt *st, int idx);

/* Runs st to its next row: STORE_ROW, STORE_DONE, or a negative error. After
 * STORE_DONE or an error the statement is already reset (bindings kept);
 * after STORE_ROW call store_reset once you have read what you need (a
 * statement left between rows holds its read snapshot open). */
int store_step(struct store_stmt *st);

/* Resets st so it can run again (bindings kept). */
int store_reset(struct store_stmt *st);

/* Columns of the current row, 0-based. Values are valid until the next
 * store_step / store_reset of st. An index out of range reads as NULL.
 * store_column_text returns a NUL-terminated string (NULL for SQL NULL) and
 * its length without the NUL in *len (may be NULL); store_column_blob returns
 * the bytes (NULL for SQL NULL; non-NULL for an empty blob) and their count. */
int store_column_count(struct store_stmt *st);
bool store_column_is_null(struct store_stmt *st, int col);
int64_t store_column_int64(struct store_stmt *st, int col);
const char *store_column_text(struct store_stmt *st, int col, size_t *len);
const uint8_t *store_column_blob(struct store_stmt *st, int col, size_t *len);

/* Rows changed by the last INSERT/UPDATE/DELETE, and the integer key of the
 * last inserted row on this connection (RETURNING is portable and the
 * default choice; this is cheaper on SQLite for hot paths). */
int64_t store_changes(struct store *s);
int64_t store_last_insert_id(struct store *s);

/* Sets *exists to whether a table called name exists (the backend's catalog:
 * sqlite_master, information_schema). */
int store_table_exists(struct store *s, const char *name, bool *exists);

/* Transactions. store_begin starts a write transaction that takes the write
 * lock at once (SQLite BEGIN IMMEDIATE), so it never fails later for a lock
 * upgrade. While the group-commit writer runs a unit on s these three fail
 * with POS_ERR_INVAL: the writer owns the transaction. */
int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);
bool store_is_in_transaction(struct store *s);

/* Savepoints (SQL clause 17.5-17.8). name is an identifier of 1 to
 * STORE_SAVEPOINT_NAME_MAX characters [A-Za-z_][A-Za-z0-9_]* (else
 * POS_ERR_INVAL). store_rollback_to undoes the work since the savepoint and
 * leaves it open (release it afterwards); store_release forgets it, keeping
 * the work. */
int store_savepoint(struct store *s, const char *name);
int store_release(struct store *s, const char *name);
int store_rollback_to(struct store *s, const char *name);

#endif
