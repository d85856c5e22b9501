"""The database schema, as an ordered list of migrations; a database's user_version says how far
it has come, and opening it applies the rest in place."""

from __future__ import annotations

from ..values import DeliveryStatus, FailureKind

# Times are UTC ISO-8601 text to the second ("2020-05-29T03:59:00+00:00", text.dates.to_iso),
# so they sort as text.
MIGRATIONS: tuple[str, ...] = (
    # 1: sources and the articles they yield.
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        last_success_at TEXT,
        last_error TEXT,
        last_error_at TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_poll_at TEXT,
        seeded INTEGER NOT NULL DEFAULT 0,
        last_item_count INTEGER
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        image_url TEXT,
        attachments TEXT NOT NULL DEFAULT '[]',
        published_at TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        story_key TEXT NOT NULL,
        search_text TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX articles_published ON articles(published_at);
    CREATE INDEX articles_story ON articles(story_key);
    -- An article's identity within each source that carries it (a repost is one article).
    CREATE TABLE article_keys (
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (source_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX article_keys_article ON article_keys(article_id);
    CREATE TABLE article_categories (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        category TEXT NOT NULL,
        PRIMARY KEY (article_id, category)
    ) WITHOUT ROWID;
    CREATE INDEX article_categories_category ON article_categories(category, article_id);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        search_text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF search_text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO articles_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END;
    """,
    # 2: residents, their subscriptions, broadcasts, the delivery outbox, Telegram's photo ids.
    """
    CREATE TABLE chats (
        id INTEGER PRIMARY KEY,             -- Telegram chat id
        type TEXT NOT NULL DEFAULT 'private',
        language TEXT NOT NULL DEFAULT 'vi',
        active INTEGER NOT NULL DEFAULT 1,
        from_config INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE subscriptions (
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        category TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, category)
    ) WITHOUT ROWID;
    CREATE INDEX subscriptions_category ON subscriptions(category, chat_id);
    CREATE TABLE broadcasts (
        id INTEGER PRIMARY KEY,
        admin_id INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        text TEXT NOT NULL,                 -- Telegram HTML, as previewed
        photo TEXT,                         -- file_id of the photo, if any
        audience TEXT NOT NULL,             -- "all", "category:<key>" or "admin"
        urgent INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'draft'
            CHECK (status IN ('draft', 'sending', 'done', 'cancelled')),
        recipients INTEGER,
        started_at TEXT,
        finished_at TEXT
    );
    -- The outbox: one row per message owed to a chat, a post or a broadcast.
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        article_id INTEGER REFERENCES articles(id) ON DELETE CASCADE,
        broadcast_id INTEGER REFERENCES broadcasts(id) ON DELETE CASCADE,
        priority INTEGER NOT NULL DEFAULT 0,   -- higher goes first (urgent notices)
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sent', 'failed', 'blocked', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        message_id INTEGER,
        error TEXT,
        CHECK ((article_id IS NULL) != (broadcast_id IS NULL)),
        UNIQUE (chat_id, article_id),
        UNIQUE (chat_id, broadcast_id)
    );
    CREATE INDEX deliveries_due ON deliveries(not_before, chat_id) WHERE status = 'pending';
    CREATE INDEX deliveries_broadcast ON deliveries(broadcast_id, status)
        WHERE broadcast_id IS NOT NULL;
    CREATE INDEX deliveries_sent_at ON deliveries(sent_at) WHERE sent_at IS NOT NULL;
    CREATE TABLE telegram_files (
        url TEXT PRIMARY KEY,
        file_id TEXT NOT NULL,
        stored_at TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 3: an article's deliveries, for its fan-out report (and for deleting it). Not by
    # status: an index that every "sent" must update would slow each send's commit.
    """
    CREATE INDEX deliveries_article ON deliveries(article_id) WHERE article_id IS NOT NULL;
    """,
    # 4: the archive's search index (issue 6), in place of articles_fts. Its rowid, search_key,
    # is the minute of publication shifted above the article id, so newest-first is the index's
    # own order and a search reads only the matches it shows instead of sorting them all (ids
    # stay below 2**26). "folded" holds search_text (no marks, đ as d: vntext.fold); "exact"
    # holds title and summary as written, case-folded by the tokenizer, to rank a query typed
    # with diacritics. Contentless and detail=column keep it small; prefix='2' makes a
    # two-letter last word cheap.
    """
    DROP TRIGGER articles_ai;
    DROP TRIGGER articles_ad;
    DROP TRIGGER articles_au;
    DROP TABLE articles_fts;
    ALTER TABLE articles ADD COLUMN search_key INTEGER GENERATED ALWAYS AS (
        ((COALESCE(CAST(strftime('%s', published_at) AS INTEGER), 0) / 60) << 26) + id
    ) VIRTUAL;
    CREATE VIRTUAL TABLE archive_fts USING fts5(
        folded, exact, content='', detail=column, prefix='2',
        tokenize='unicode61 remove_diacritics 0'
    );
    CREATE TRIGGER archive_ai AFTER INSERT ON articles BEGIN
        INSERT INTO archive_fts(rowid, folded, exact)
        VALUES (new.search_key, new.search_text, new.title || ' ' || new.summary);
    END;
    CREATE TRIGGER archive_ad AFTER DELETE ON articles BEGIN
        INSERT INTO archive_fts(archive_fts, rowid, folded, exact)
        VALUES ('delete', old.search_key, old.search_text, old.title || ' ' || old.summary);
    END;
    CREATE TRIGGER archive_au AFTER UPDATE OF search_text, title, summary, published_at
    ON articles BEGIN
        INSERT INTO archive_fts(archive_fts, rowid, folded, exact)
        VALUES ('delete', old.search_key, old.search_text, old.title || ' ' || old.summary);
        INSERT INTO archive_fts(rowid, folded, exact)
        VALUES (new.search_key, new.search_text, new.title || ' ' || new.summary);
    END;
    -- In key order, so the index is written as one run rather than merged row by row.
    INSERT INTO archive_fts(rowid, folded, exact)
        SELECT search_key, search_text, title || ' ' || summary FROM articles ORDER BY 1;
    """,
    # 5: editors and operators (issue 7). A source's alert state is kept so a restart neither
    # repeats an alert nor forgets to say the source recovered; a broadcast remembers the chat
    # and message of its progress, so a restart resumes editing it. The partial index holds
    # only the few rows that never arrived, for the statistics of failures by day.
    """
    ALTER TABLE sources ADD COLUMN alerted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE broadcasts ADD COLUMN chat_id INTEGER;
    ALTER TABLE broadcasts ADD COLUMN progress_message_id INTEGER;
    CREATE INDEX deliveries_undelivered ON deliveries(created_at)
        WHERE status IN ('failed', 'blocked');
    """,
    # 6: residents' comfort (issue 8): keyword alerts, and each chat's delivery timing and
    # chosen language. An alert is looked up by its longest folded word ("key") among an
    # article's words, then checked whole in Python. A language chosen in /settings wins
    # over the Telegram client's language that activating a chat writes into chats.
    """
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        words TEXT NOT NULL,                -- as typed: NFC, case-folded, one space apart
        key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (chat_id, words)
    );
    CREATE INDEX alerts_key ON alerts(key);
    CREATE TABLE chat_settings (
        chat_id INTEGER PRIMARY KEY
            REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        digest_hour INTEGER,                -- Vietnam time; NULL: every post at once
        quiet_start INTEGER,                -- minutes after midnight, Vietnam time; NULL: none
        quiet_end INTEGER,
        language TEXT,                      -- chosen in /settings; NULL: the Telegram client's
        updated_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER chats_language_chosen AFTER UPDATE OF language ON chats
    WHEN (SELECT language FROM chat_settings WHERE chat_id = new.id) != new.language
    BEGIN
        UPDATE chats SET language = (SELECT language FROM chat_settings WHERE chat_id = new.id)
        WHERE id = new.id;
    END;
    """,
    # 7: one time format (issue 11). The outbox wrote its times with microseconds
    # ("...T03:59:00.250000+00:00") beside everything else's seconds; they now hold seconds
    # too. A not_before is rounded up, so no retry goes earlier than Telegram allowed; the
    # other times are cut. And why a source last failed, as a values.FailureKind: the only
    # kind a stored error can be told by is a layout change, whose wording said so.
    f"""
    UPDATE deliveries SET not_before = CASE
            WHEN CAST(substr(not_before, 21, 6) AS INTEGER) > 0
            THEN strftime('%Y-%m-%dT%H:%M:%S', substr(not_before, 1, 19), '+1 second')
            ELSE substr(not_before, 1, 19) END || substr(not_before, 27)
        WHERE substr(not_before, 20, 1) = '.';
    UPDATE deliveries SET created_at = substr(created_at, 1, 19) || substr(created_at, 27)
        WHERE substr(created_at, 20, 1) = '.';
    UPDATE deliveries SET sent_at = substr(sent_at, 1, 19) || substr(sent_at, 27)
        WHERE substr(sent_at, 20, 1) = '.';
    UPDATE telegram_files SET stored_at = substr(stored_at, 1, 19) || substr(stored_at, 27)
        WHERE substr(stored_at, 20, 1) = '.';
    ALTER TABLE sources ADD COLUMN last_error_kind TEXT;
    UPDATE sources SET last_error_kind = '{FailureKind.LAYOUT}'
        WHERE instr(lower(last_error), 'layout') > 0;
    """,
    # 8: how well a source is read (issue 13). field_marks holds, for each field residents
    # see (lead, photo, date), whether each of the source's last articles had it: a JSON
    # object of "1"/"0" strings, oldest first, a few dozen marks each. degraded names the
    # fields the admins were told are missing (comma-separated), so a restart neither
    # repeats that alert nor forgets to say the source reads them again.
    """
    ALTER TABLE sources ADD COLUMN field_marks TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE sources ADD COLUMN degraded TEXT NOT NULL DEFAULT '';
    """,
    # 9: the archive holds each article's text once (issue 15). articles.search_text, the
    # folded copy of title, summary and body, goes: the index is written from Python
    # (store/articles.py), which folds the text as it stores it. And the index's rowid,
    # search_key, becomes a stored number: the minute of publication times 64 plus the
    # article's place among that minute's articles (1 + the greatest key below the next
    # minute, so a 65th article of one minute borrows the next minute's room). Newest first
    # stays the index's own order, within a minute by id as before, but consecutive keys are
    # now minutes*64 apart instead of minutes*2**26: the index is less than two thirds the
    # size. Keys are given here in (minute, id) order by the same rule. article_categories
    # carries the key too, so narrowing a search to a category reads one index range.
    """
    DROP TRIGGER archive_ai;
    DROP TRIGGER archive_ad;
    DROP TRIGGER archive_au;
    DROP TABLE archive_fts;
    CREATE TEMP TABLE archive_order (
        n INTEGER PRIMARY KEY, id INTEGER NOT NULL, minute INTEGER NOT NULL
    );
    INSERT INTO archive_order(id, minute)
        SELECT id, COALESCE(CAST(strftime('%s', published_at) AS INTEGER), 0) / 60 AS minute
        FROM articles ORDER BY minute, id;
    CREATE TEMP TABLE archive_keys (id INTEGER PRIMARY KEY, key INTEGER NOT NULL);
    WITH RECURSIVE keyed(n, id, key) AS (
        SELECT n, id, minute << 6 FROM archive_order WHERE n = 1
        UNION ALL
        SELECT o.n, o.id, max(k.key + 1, o.minute << 6)
        FROM keyed k JOIN archive_order o ON o.n = k.n + 1
    )
    INSERT INTO archive_keys(id, key) SELECT id, key FROM keyed;
    ALTER TABLE articles DROP COLUMN search_key;
    ALTER TABLE articles ADD COLUMN search_key INTEGER;
    UPDATE articles SET search_key = (SELECT key FROM archive_keys k WHERE k.id = articles.id);
    CREATE UNIQUE INDEX articles_search ON articles(search_key);
    ALTER TABLE article_categories ADD COLUMN search_key INTEGER;
    UPDATE article_categories
        SET search_key = (SELECT search_key FROM articles WHERE id = article_id);
    DROP INDEX article_categories_category;
    CREATE INDEX article_categories_category ON article_categories(category, search_key);
    -- columnsize=0: no per-row token counts, which only ranking by bm25() would read.
    CREATE VIRTUAL TABLE archive_fts USING fts5(
        folded, exact, content='', columnsize=0, detail=column, prefix='2',
        tokenize='unicode61 remove_diacritics 0'
    );
    INSERT INTO archive_fts(rowid, folded, exact)
        SELECT search_key, search_text, title || ' ' || summary FROM articles ORDER BY 1;
    ALTER TABLE articles DROP COLUMN search_text;
    DROP TABLE archive_order;
    DROP TABLE archive_keys;
    """,
    # 10: fan-out without a stall (issue 15). A new post's outbox rows are written after its
    # unit of work, a batch of chat ids at a time, from a record of what the planner decided
    # (store/fanout.py); "reached" is the last chat id whose rows are written. And each
    # outbox row keeps the time that orders it among its chat's rows (ordered_at: the post's
    # publication or the broadcast's queueing, in Unix seconds), so the sender finds the
    # chats' heads by walking an index in sending order instead of ranking every pending row.
    # A row inserted without it (a broadcast) gets it from the trigger.
    """
    CREATE TABLE fanouts (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        plan TEXT NOT NULL,                 -- JSON: the planner's slots and alerted chats
        reached INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    ALTER TABLE deliveries ADD COLUMN ordered_at INTEGER;
    UPDATE deliveries SET ordered_at = COALESCE(
        CAST(strftime('%s', (SELECT published_at FROM articles WHERE id = article_id)) AS INTEGER),
        CAST(strftime('%s', created_at) AS INTEGER), 0)
    WHERE status = 'pending';
    CREATE TRIGGER deliveries_ordered AFTER INSERT ON deliveries WHEN new.ordered_at IS NULL
    BEGIN
        UPDATE deliveries SET ordered_at = COALESCE(
            CAST(strftime('%s', (SELECT published_at FROM articles WHERE id = new.article_id))
                AS INTEGER),
            CAST(strftime('%s', new.created_at) AS INTEGER), 0)
        WHERE id = new.id;
    END;
    -- The sending order (store/outbox.py), over every pending row and within each chat.
    CREATE INDEX deliveries_queue ON deliveries(priority DESC, ordered_at, id, chat_id, not_before)
        WHERE status = 'pending';
    CREATE INDEX deliveries_chat_queue ON deliveries(chat_id, priority DESC, ordered_at, id)
        WHERE status = 'pending';
    """,
    # 11: retention (issue 15). Settled outbox rows older than [retention] keeps them are
    # folded into totals and deleted (store/retention.py). delivery_days holds, per Vietnam day
    # and kind of row, what /stats counts: sent by the day sent, the rest by the day queued.
    # broadcast_totals holds what a broadcast's report counts. Once an article's rows may be
    # gone, UNIQUE(chat_id, article_id) can no longer tell who had it, so retention keeps the
    # highest article id it folded and a trigger drops any new row for an article up to it: a
    # repost of a story that old is not news, and must not reach everyone a second time.
    # Cancelled rows get an index to be found by age, as failed and blocked ones have.
    f"""
    CREATE TABLE delivery_days (
        day TEXT NOT NULL,                  -- Vietnam date: YYYY-MM-DD
        kind TEXT NOT NULL CHECK (kind IN ('article', 'broadcast')),
        sent INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        blocked INTEGER NOT NULL DEFAULT 0,
        cancelled INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, kind)
    ) WITHOUT ROWID;
    CREATE TABLE broadcast_totals (
        broadcast_id INTEGER PRIMARY KEY REFERENCES broadcasts(id) ON DELETE CASCADE,
        sent INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        blocked INTEGER NOT NULL DEFAULT 0,
        cancelled INTEGER NOT NULL DEFAULT 0,
        first_queued TEXT NOT NULL,
        last_sent TEXT
    );
    CREATE TABLE retention (
        only INTEGER PRIMARY KEY CHECK (only = 1),
        articles_through INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO retention(only) VALUES (1);
    CREATE TRIGGER deliveries_folded_article BEFORE INSERT ON deliveries
    WHEN new.article_id <= (SELECT articles_through FROM retention)
    BEGIN
        SELECT RAISE(IGNORE);
    END;
    CREATE INDEX deliveries_cancelled ON deliveries(created_at)
        WHERE status = '{DeliveryStatus.CANCELLED}';
    """,
    # 12: the whole article (issue 14): its body as blocks in reading order (JSON, deflated
    # since; see store/articles.encode_blocks). NULL for a row stored before, completed by a
    # backfill; a row with blocks keeps its text there only (body is '').
    """
    ALTER TABLE articles ADD COLUMN blocks TEXT;
    """,
    # 13: the Telegraph page of each article published there (issue 14), written once the
    # page exists. An article without a row is not published yet (store/telegraph.py).
    """
    CREATE TABLE telegraph_pages (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        path TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
    # 14: links that keep working (issue 14). What the last check of an article's original
    # page found (sources/linkcheck.py): dead (404/410, or its host gone) or not, a short
    # status ("404", "no such host", "200", "timed out", ...), and when, for the TTL.
    """
    CREATE TABLE link_checks (
        url TEXT PRIMARY KEY,
        dead INTEGER NOT NULL,
        status TEXT NOT NULL,
        checked_at TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 15: attached files kept whole (issue 14), outside the database (store/files.py):
    # archived_files says which link's file is kept where (a path inside the files
    # directory, named by its SHA-256); file_downloads holds the links still to download,
    # written with their article. next_try_at NULL: polls try no more (over the size cap,
    # not a PDF); a backfill tries every row again.
    """
    CREATE TABLE archived_files (
        url TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        stored_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE file_downloads (
        url TEXT PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        tries INTEGER NOT NULL DEFAULT 0,
        next_try_at TEXT,
        last_error TEXT
    ) WITHOUT ROWID;
    CREATE INDEX file_downloads_due ON file_downloads(next_try_at)
        WHERE next_try_at IS NOT NULL;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
