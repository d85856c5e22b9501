"""The database schema, as an ordered list of migrations; a database's user_version says how far
it has come, and opening it applies the rest in place."""

from __future__ import annotations

# Times are UTC ISO-8601 text ("2020-05-29T03:59:00+00:00"), so they sort as text.
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
)

SCHEMA_VERSION = len(MIGRATIONS)
