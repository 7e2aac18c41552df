-- b2bgw store, PostgreSQL. Times are Unix nanoseconds (BIGINT): timestamptz keeps
-- only microseconds, and the pickup ledger compares remote mtimes exactly.

-- Messages and lineage: file → interchange → group → set → document →
-- Odoo record → acknowledgment. parent_id 0 marks a root; root_id is the
-- root of the tree (its own id for a root) so a lineage is one index scan.
CREATE TABLE messages (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id      BIGINT  NOT NULL DEFAULT 0,
    root_id        BIGINT  NOT NULL DEFAULT 0,
    kind           TEXT    NOT NULL,
    direction      TEXT    NOT NULL,
    partner        TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL,
    doc_type       TEXT    NOT NULL DEFAULT '',
    doc_number     TEXT    NOT NULL DEFAULT '',
    control        TEXT    NOT NULL DEFAULT '',
    correlation_id TEXT    NOT NULL DEFAULT '',
    ref            TEXT    NOT NULL DEFAULT '',
    sha256         TEXT    NOT NULL DEFAULT '',
    error          TEXT    NOT NULL DEFAULT '',
    error_class    TEXT    NOT NULL DEFAULT '',
    created_ns     BIGINT  NOT NULL,
    updated_ns     BIGINT  NOT NULL
);
CREATE INDEX messages_root ON messages (root_id, id);
CREATE INDEX messages_partner ON messages (partner, id);
CREATE INDEX messages_status ON messages (status, id);
CREATE INDEX messages_doc_number ON messages (doc_number, id);
CREATE INDEX messages_sha256 ON messages (sha256);
CREATE INDEX messages_correlation ON messages (correlation_id);
CREATE INDEX messages_created ON messages (created_ns) WHERE parent_id = 0;

-- Status history of a message (what happened when, with the error).
CREATE TABLE message_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  BIGINT  NOT NULL,
    status      TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    error_class TEXT    NOT NULL DEFAULT '',
    at_ns       BIGINT  NOT NULL
);
CREATE INDEX message_events_message ON message_events (message_id, id);

-- Pickup ledger. pickups_file makes Record insert-or-nothing per remote file
-- version; pickups_original allows one original per partner and content,
-- so two instances recording the same bytes end with one original.
CREATE TABLE pickups (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner      TEXT    NOT NULL,
    mailbox      TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    mtime_ns     BIGINT  NOT NULL,
    seq          INTEGER NOT NULL DEFAULT 0, -- re-arrivals of the same name, size and time (transport.FileKey.Seq)
    sha256       TEXT    NOT NULL,
    spool_path   TEXT    NOT NULL DEFAULT '',
    picked_ns    BIGINT  NOT NULL,
    duplicate_of BIGINT  NOT NULL DEFAULT 0,
    post_done    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX pickups_file ON pickups (partner, mailbox, path, size, mtime_ns, seq);
CREATE UNIQUE INDEX pickups_original ON pickups (partner, sha256) WHERE duplicate_of = 0;
CREATE INDEX pickups_sha256 ON pickups (sha256);

-- Inbound control-number ledger. control_num is the numeric value (NULL
-- when the partner sent a non-numeric one) for gap detection. claimed_by
-- names the input that first presented the key, so re-reading the same
-- input (a retried job) is not a duplicate of itself.
CREATE TABLE inbound_interchanges (
    sender_qualifier   TEXT    NOT NULL,
    sender_id          TEXT    NOT NULL,
    receiver_qualifier TEXT    NOT NULL,
    receiver_id        TEXT    NOT NULL,
    control            TEXT    NOT NULL,
    control_num        BIGINT,
    claimed_by         TEXT    NOT NULL DEFAULT '',
    repeats            BIGINT  NOT NULL DEFAULT 0,
    first_seen_ns      BIGINT  NOT NULL,
    last_seen_ns       BIGINT  NOT NULL,
    PRIMARY KEY (sender_qualifier, sender_id, receiver_qualifier, receiver_id, control)
);
CREATE INDEX inbound_interchanges_seq ON inbound_interchanges (sender_qualifier, sender_id, control_num);

CREATE TABLE inbound_groups (
    sender_qualifier TEXT    NOT NULL,
    sender_id        TEXT    NOT NULL,
    app_sender       TEXT    NOT NULL,
    app_receiver     TEXT    NOT NULL,
    control          TEXT    NOT NULL,
    control_num      BIGINT,
    claimed_by       TEXT    NOT NULL DEFAULT '',
    repeats          BIGINT  NOT NULL DEFAULT 0,
    first_seen_ns    BIGINT  NOT NULL,
    last_seen_ns     BIGINT  NOT NULL,
    PRIMARY KEY (sender_qualifier, sender_id, app_sender, app_receiver, control)
);
CREATE INDEX inbound_groups_seq ON inbound_groups (sender_qualifier, sender_id, app_sender, control_num);

-- Outbound control-number sequences: last is the last number handed out.
CREATE TABLE control_numbers (
    partner    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    last       BIGINT  NOT NULL,
    updated_ns BIGINT  NOT NULL,
    PRIMARY KEY (partner, kind)
);

-- Audit trail of manual control-number changes (resets, sets).
CREATE TABLE control_audit (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ns        BIGINT  NOT NULL,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    before_value BIGINT  NOT NULL DEFAULT 0,
    after_value  BIGINT  NOT NULL DEFAULT 0,
    detail       TEXT    NOT NULL DEFAULT ''
);

-- Raw-file archive index: content hash → where the bytes are.
CREATE TABLE archive (
    sha256      TEXT    PRIMARY KEY,
    location    TEXT    NOT NULL,
    size        BIGINT  NOT NULL,
    received_ns BIGINT  NOT NULL,
    hold        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX archive_received ON archive (received_ns);

-- Outbound documents and the partner acknowledgment they wait for.
-- ack_status '' = still waiting.
CREATE TABLE outbound (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id          BIGINT  NOT NULL DEFAULT 0,
    partner             TEXT    NOT NULL,
    standard            TEXT    NOT NULL DEFAULT '',
    interchange_control TEXT    NOT NULL DEFAULT '',
    group_control       TEXT    NOT NULL DEFAULT '',
    set_control         TEXT    NOT NULL DEFAULT '',
    doc_type            TEXT    NOT NULL DEFAULT '',
    doc_number          TEXT    NOT NULL DEFAULT '',
    sent_ns             BIGINT  NOT NULL,
    ack_status          TEXT    NOT NULL DEFAULT '',
    ack_ns              BIGINT  NOT NULL DEFAULT 0,
    ack_message_id      BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX outbound_awaiting ON outbound (sent_ns) WHERE ack_status = '';
CREATE INDEX outbound_partner ON outbound (partner, group_control);
CREATE INDEX outbound_message ON outbound (message_id);
