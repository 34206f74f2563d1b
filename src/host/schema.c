/* schema: the host's tables (see schema.h for the conventions). */
#include "host/schema.h"

/* Version 1: the books, the parties and the journal. */
static const char *const schema_v1[] = {
    /* Every key the host keeps: a TR-31 key block under the local master
     * key, its usage and check value. name: "pvk", "cvk", "pan-data",
     * "pan-hash", "bdk:<id>", "tmk:<tid>" ... */
    "CREATE TABLE keys ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " usage TEXT NOT NULL,"
    " kcv TEXT NOT NULL,"
    " block TEXT NOT NULL,"
    " created_at INTEGER NOT NULL)",

    /* Accounts of the ledger. kind: debit (cardholder, balance), credit
     * (cardholder, limit), prepaid, wallet, merchant (settlement), fee
     * (fee income), funding (where top-ups come from), clearing (merchant
     * payouts go to), suspense. balance and held are caches: balance is the
     * sum of the account's postings, held the sum of its active holds;
     * ledger_check proves both. */
    "CREATE TABLE accounts ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('debit','credit','prepaid','wallet','merchant','fee',"
    "'funding','clearing','suspense')),"
    " name TEXT NOT NULL,"
    " currency INTEGER NOT NULL CHECK (currency > 0 AND currency < 1000),"
    " balance INTEGER NOT NULL DEFAULT 0,"
    " held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),"
    " credit_limit INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),"
    " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','frozen','closed')),"
    " created_at INTEGER NOT NULL)",

    "CREATE TABLE merchants ("
    " id INTEGER PRIMARY KEY,"
    " mid TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " city TEXT NOT NULL DEFAULT '',"
    " country TEXT NOT NULL DEFAULT 'CN',"
    " mcc TEXT NOT NULL,"
    " currency INTEGER NOT NULL,"
    " mdr_bps INTEGER NOT NULL CHECK (mdr_bps >= 0 AND mdr_bps <= 10000),"
    " account_id INTEGER NOT NULL REFERENCES accounts(id),"
    " payout_account TEXT NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','closed')),"
    " created_at INTEGER NOT NULL)",

    /* key_scheme: mksk-tdes, mksk-sm4, mksk-aes (master/session: TMK, with
     * PIN and MAC working keys set at sign-on), dukpt-tdes, dukpt-aes (a BDK
     * and the terminal's initial KSN). */
    "CREATE TABLE terminals ("
    " id INTEGER PRIMARY KEY,"
    " tid TEXT NOT NULL UNIQUE,"
    " merchant_id INTEGER NOT NULL REFERENCES merchants(id),"
    " dialect TEXT NOT NULL,"
    " key_scheme TEXT NOT NULL,"
    " tmk_key_id INTEGER REFERENCES keys(id),"
    " bdk_key_id INTEGER REFERENCES keys(id),"
    " initial_ksn TEXT,"
    " pik_block TEXT,"
    " mak_block TEXT,"
    " signed_on_at INTEGER,"
    " batch_no INTEGER NOT NULL DEFAULT 1,"
    " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','closed')),"
    " created_at INTEGER NOT NULL)",

    /* Cards: the PAN only as AES-256-GCM ciphertext under the data key,
     * its HMAC-SHA-256 under the hash key (the lookup key) and masked. The
     * PIN is never stored: pvv is the Visa PIN verification value. */
    "CREATE TABLE cards ("
    " id INTEGER PRIMARY KEY,"
    " pan_hash BLOB NOT NULL UNIQUE,"
    " pan_enc BLOB NOT NULL,"
    " pan_masked TEXT NOT NULL,"
    " account_id INTEGER NOT NULL REFERENCES accounts(id),"
    " expiry TEXT NOT NULL,"
    " service_code TEXT NOT NULL,"
    " pvki INTEGER NOT NULL,"
    " pvv TEXT NOT NULL,"
    " pin_tries INTEGER NOT NULL DEFAULT 0,"
    " pin_try_limit INTEGER NOT NULL DEFAULT 3,"
    " daily_limit INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','blocked','lost','stolen',"
    "'closed')),"
    " created_at INTEGER NOT NULL)",
    "CREATE INDEX cards_account ON cards(account_id)",

    /* What a card spent on a day (UTC day number), for daily limits. */
    "CREATE TABLE card_daily ("
    " card_id INTEGER NOT NULL REFERENCES cards(id),"
    " day INTEGER NOT NULL,"
    " amount INTEGER NOT NULL DEFAULT 0,"
    " count INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (card_id, day))",

    /* The journal: one row per financial request the host answered, and per
     * money movement of the back office (top-up, fee, payout: no terminal).
     * (terminal_id, stan, tx_time, mti_class) identifies a request: a
     * retransmission finds its row and gets the same answer. original_id
     * ties a void, reversal, completion or refund to what it acts on. */
    "CREATE TABLE txns ("
    " id INTEGER PRIMARY KEY,"
    " terminal_id INTEGER REFERENCES terminals(id),"
    " stan TEXT,"
    " tx_time TEXT,"
    " mti_class TEXT,"
    " mti TEXT NOT NULL,"
    " proc_code TEXT NOT NULL DEFAULT '',"
    " kind TEXT NOT NULL,"
    " card_id INTEGER REFERENCES cards(id),"
    " merchant_id INTEGER REFERENCES merchants(id),"
    " amount INTEGER NOT NULL DEFAULT 0,"
    " currency INTEGER NOT NULL,"
    " rc TEXT NOT NULL,"
    " auth_code TEXT,"
    " rrn TEXT,"
    " batch_no INTEGER,"
    " original_id INTEGER REFERENCES txns(id),"
    " orig_stan TEXT,"
    " orig_tx_time TEXT,"
    " reversed INTEGER NOT NULL DEFAULT 0,"
    " reason TEXT,"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (terminal_id, stan, tx_time, mti_class))",
    "CREATE INDEX txns_original ON txns(original_id)",
    "CREATE INDEX txns_orig_key ON txns(terminal_id, orig_stan)",
    "CREATE INDEX txns_batch ON txns(terminal_id, batch_no)",
    "CREATE INDEX txns_card ON txns(card_id)",

    "CREATE TABLE postings ("
    " id INTEGER PRIMARY KEY,"
    " txn_id INTEGER NOT NULL REFERENCES txns(id),"
    " account_id INTEGER NOT NULL REFERENCES accounts(id),"
    " amount INTEGER NOT NULL)",
    "CREATE INDEX postings_txn ON postings(txn_id)",
    "CREATE INDEX postings_account ON postings(account_id)",

    /* Pre-authorization holds: reduce available funds without posting. */
    "CREATE TABLE holds ("
    " id INTEGER PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES accounts(id),"
    " txn_id INTEGER NOT NULL REFERENCES txns(id),"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','completed','cancelled',"
    "'expired')),"
    " created_at INTEGER NOT NULL)",
    "CREATE INDEX holds_account ON holds(account_id, status)",

    "CREATE TABLE batches ("
    " id INTEGER PRIMARY KEY,"
    " terminal_id INTEGER NOT NULL REFERENCES terminals(id),"
    " batch_no INTEGER NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),"
    " opened_at INTEGER NOT NULL,"
    " closed_at INTEGER,"
    " UNIQUE (terminal_id, batch_no))",

    /* Every administrative change: who, what, on what, when. Never secrets. */
    "CREATE TABLE audit_log ("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " object TEXT NOT NULL,"
    " detail TEXT NOT NULL DEFAULT '')",
    NULL,
};

/* Version 2: smaller journal indexes. A purchase has no original and no
 * original STAN, yet every purchase put an entry into txns_orig_key under
 * its terminal (one more page dirtied per purchase) and into
 * txns_original; both become partial, over the rows that have one. The
 * queries that use them (orig_stan = ?, original_id = ?) imply IS NOT NULL,
 * which is what lets SQLite use a partial index
 * (https://sqlite.org/partialindex.html, section 3). */
static const char *const schema_v2[] = {
    "DROP INDEX txns_orig_key",
    "CREATE INDEX txns_orig_key ON txns(terminal_id, orig_stan) WHERE orig_stan IS NOT NULL",
    "DROP INDEX txns_original",
    "CREATE INDEX txns_original ON txns(original_id) WHERE original_id IS NOT NULL",
    NULL,
};

/* Version 3: no index of postings by account. Every purchase put two
 * entries into it, one under the cardholder's account (a page of its own
 * per card account), for a single reader: pos admin check, which now sums
 * postings per account in one grouped scan instead. About 7 % of the
 * writer's instructions per purchase (bench-engine under callgrind). An
 * account statement query, when one is wanted, should bring its own
 * access path (accounts are never deleted, so the foreign key needs no
 * index either). */
static const char *const schema_v3[] = {
    "DROP INDEX postings_account",
    NULL,
};

static const struct store_migration schema_list[] = {
    {1, "books, parties and journal", schema_v1},
    {2, "partial journal indexes for originals", schema_v2},
    {3, "no postings index by account", schema_v3},
};

const struct store_migration *schema_migrations(size_t *n)
{
    *n = sizeof(schema_list) / sizeof(schema_list[0]);
    return schema_list;
}
