// Package pipeline is the gateway's durable work: River jobs on the
// store's database that carry a partner file from its mailbox to Odoo and
// the acknowledgment back to the partner.
//
// The job graph (every arrow is a job inserted in the transaction that
// records the state it follows from, with River's InsertTx, and every job
// that ends a step completes itself in that same transaction with
// JobCompleteTx):
//
//	poll (periodic, per inbound mailbox; River's leader inserts it)
//	  └─ per picked file, in the pickup ledger's transaction:
//	     archive entry + file message ─▶ ingest
//	ingest (per file): per interchange, one transaction: interchange,
//	  group and set messages (statuses from validation and the duplicate
//	  policy), the 997/999/TA1 built with control numbers from the store
//	  allocator (same transaction), its ack message ─▶ send;
//	  inbound 997s reconciled against tracked outbound documents;
//	  last transaction: file accepted, with its translation (done
//	  before it, documents archived) recorded as translate would ─▶ post;
//	  ─▶ translate instead when translating there failed
//	translate (per file; that fallback and replays): canonical documents
//	  archived, document messages ─▶ post (one job for the file's documents)
//	post: Odoo flows (idempotent by partner + document number and the
//	  external-id reservation); odoo_record messages, documents and sets
//	  posted, or failed with the error and its class
//	send (per outbound message): upload to the partner's outbound
//	  mailbox (temp name + rename; the same name and content again is a
//	  no-op), then sent/done; feeds are tracked until the partner's 997
//	atp (periodic, per partner with a feed): ATP read from Odoo, 846 built
//	  with allocated control numbers, feed message ─▶ send
//	overdue (periodic): outbound documents waiting too long for their
//	  acknowledgment are logged and counted
//
// Every step is idempotent, so a process may be killed at any point: a
// job that ran but did not complete runs again and finds its state
// already recorded (statuses, the interchange index of a file, the
// pickup ledger, the inbound control-number claim by file hash, the
// upload's same-content check, Odoo's reservation).
//
// Retryable errors (errclass.Retryable) are retried with exponential
// backoff and full jitter up to MaxAttempts; permanent ones, and
// retryable ones on the last attempt, stop the message in status failed
// with the error and its class (the dead letter): `b2bgw messages
// --status failed` lists them, `b2bgw replay` runs them again.
package pipeline
