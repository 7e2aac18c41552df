package store

// WrapForTest classifies err as a store operation would.
func WrapForTest(err error) error { return wrapErr(Postgres, "test", err) }
