// Package odoo posts canonical documents to Odoo 16–19 and reads stock
// back.
//
// The Client speaks JSON-RPC (/jsonrpc, 16–19) or JSON-2
// (/json/2/<model>/<method> with a bearer API key, 19+), chosen from
// common.version. Errors are typed from the response's structure
// (JSON-RPC data.name, JSON-2 name and HTTP status), never from message
// text, and speak errclass: transient ones (serialization failures, lock
// conflicts, proxy 502/503/504, dropped connections, timeouts) are retried
// with exponential backoff and full jitter, a bounded number of times;
// a call that may have been applied although its answer was lost is
// marked Ambiguous and never blindly resent if it creates something.
// Calls per instance are limited by a semaphore; connections are reused.
//
// The posting flows, each driven by a per-partner Policy:
//
//   - PostOrder / PostOrders: Order → sale.order. Originals are created
//     once per partner + PO number, guarded by an external id
//     (ir.model.data b2bgw.so_<partner>__<po>) reserved before the
//     create, so concurrent gateways and lost answers never double an
//     order. Cancellations cancel unshipped orders; replacements rewrite
//     quotations.
//   - PostShipmentNotice: ShipmentNotice → the receipt of our purchase
//     order (quantities, lots/serials, tracking, validation).
//   - PostWarehouseShippingAdvice: 945 → the delivery of our sales order.
//   - PostCatalog: CatalogItem rows → product.supplierinfo upserts.
//   - ATP: free_qty per warehouse → canonical.InventoryAdvice.
//
// Check verifies connectivity, version, login, modules and rights for
// `b2bgw odoo check`. See docs/odoo.md for setup and behaviour.
package odoo
