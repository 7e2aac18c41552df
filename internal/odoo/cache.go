package odoo

import (
	"sync"
	"time"
)

// cache holds master-data lookups (partner, product and unit ids by
// key) for a while. Only hits are cached: a product missing now may be
// created in Odoo a minute later, and the gateway should see it then.
// Expiry bounds how long a renamed barcode or merged partner keeps
// resolving to the old record.
type cache struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]cacheEntry
}

type cacheEntry struct {
	id      int64
	expires time.Time
}

func newCache(ttl time.Duration) *cache {
	return &cache{ttl: ttl, now: time.Now, m: map[string]cacheEntry{}}
}

func (c *cache) get(key string) (int64, bool) {
	if c.ttl < 0 {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return 0, false
	}
	if c.now().After(e.expires) {
		delete(c.m, key)
		return 0, false
	}
	return e.id, true
}

func (c *cache) put(key string, id int64) {
	if c.ttl < 0 || id == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = cacheEntry{id: id, expires: c.now().Add(c.ttl)}
}

func (c *cache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

// Flush empties the master-data cache, e.g. after someone fixed product
// barcodes in Odoo and wants the gateway to see them at once.
func (c *Client) Flush() {
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	clear(c.cache.m)
}
