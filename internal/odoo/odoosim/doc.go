// Package odoosim is a protocol-faithful Odoo server simulator for tests
// and the demo: an http.Handler that speaks Odoo's external APIs over an
// in-memory database, so the gateway's Odoo client and its reliability can
// be tested without an Odoo.
//
// It serves
//
//   - XML-RPC: /xmlrpc/2/common and /xmlrpc/2/object (integer fault codes)
//     and the legacy /xmlrpc/common, /xmlrpc/object (string fault codes);
//   - JSON-RPC: /jsonrpc, services common and object (execute_kw, execute);
//   - JSON-2 (Options.Version "19.0"): POST /json/2/<model>/<method> with a
//     bearer API key, and GET /web/version;
//
// with Odoo's wire format: the same keys in the same order, Python's JSON
// and XML-RPC formatting, the same fault codes and messages, HTTP 200 for
// RPC faults and JSON-2's statuses. The fidelity reference is a set of
// bodies captured from a real Odoo 18.0 (testdata/captures-18.0), which
// the tests replay byte for byte.
//
// Behind the protocols is a small ORM: models with typed fields (false for
// empty values, [id, display_name] for many2one), domains, order, limit,
// offset, x2many commands, access rights per group, per-call transactions
// rolled back on error, and the business flows a gateway drives: sale
// orders and their deliveries, purchase orders and their receipts,
// reservation against quants, button_validate with backorders and lots,
// external ids. Options.Version switches field names and messages between
// Odoo 16.0, 17.0, 18.0 and 19.0.
//
// For reliability tests, Inject adds faults (latency, serialization
// failures, proxy 502/503/504, dropped connections, hangs) by model and
// method, with a probability or for the next N calls, and Calls counts the
// calls per "model/method".
//
// A Server is safe for concurrent use; calls run one at a time, like
// transactions on one database.
package odoosim
