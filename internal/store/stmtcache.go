package store

import (
	"context"
	sqldriver "database/sql/driver"
	"errors"
	"reflect"
)

// The SQLite driver compiles every query it is given (sqlite3_prepare)
// and throws the program away afterwards; with one writer connection,
// compiling was half of the time the connection was held, and every other
// job waited for it. stmtCacheConnector keeps each connection's compiled
// statements by query text and runs repeated queries (the store's and
// River's alike, as both go through the same connections) from them. A
// statement whose rows are still open is not shared: a second run of the
// same query meanwhile compiles its own, as without the cache.

// maxCachedStmts bounds a connection's cache; queries beyond it run
// uncached (the store and River use far fewer distinct queries).
const maxCachedStmts = 256

type stmtCacheConnector struct {
	dsn string
	drv sqldriver.Driver
}

func (c stmtCacheConnector) Connect(context.Context) (sqldriver.Conn, error) {
	cn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sc, ok := cn.(sqliteConn)
	if !ok {
		_ = cn.Close()
		return nil, errors.New("store: the SQLite driver's connection lacks the context methods the statement cache needs")
	}
	return &stmtCacheConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

func (c stmtCacheConnector) Driver() sqldriver.Driver { return c.drv }

// sqliteConn is what database/sql uses of modernc.org/sqlite's connection.
type sqliteConn interface {
	sqldriver.Conn
	sqldriver.ConnBeginTx
	sqldriver.ConnPrepareContext
	sqldriver.ExecerContext
	sqldriver.QueryerContext
	sqldriver.Pinger
	sqldriver.SessionResetter
	sqldriver.Validator
}

type cachedStmt struct {
	s    sqldriver.Stmt
	busy bool // its rows are open
}

// stmtCacheConn is used by one goroutine at a time (database/sql holds
// the connection's lock around each call), so the map needs no lock.
type stmtCacheConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
}

// stmt returns the cached statement for query, compiling it on first
// use; nil when it is busy or the cache is full.
func (c *stmtCacheConn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil, nil
		}
		return cs, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil, nil
	}
	s, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	_, execOK := s.(sqldriver.StmtExecContext)
	_, queryOK := s.(sqldriver.StmtQueryContext)
	if !execOK || !queryOK {
		_ = s.Close()
		return nil, nil
	}
	cs := &cachedStmt{s: s}
	c.stmts[query] = cs
	return cs, nil
}

func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return cs.s.(sqldriver.StmtExecContext).ExecContext(ctx, args)
}

func (c *stmtCacheConn) QueryContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	r, err := cs.s.(sqldriver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: r, cs: cs}, nil
}

func (c *stmtCacheConn) Close() error {
	for q, cs := range c.stmts {
		_ = cs.s.Close()
		delete(c.stmts, q)
	}
	return c.sqliteConn.Close()
}

// cachedRows gives the statement back when closed. It passes on the
// column type methods database/sql's ColumnTypes asks for.
type cachedRows struct {
	sqldriver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
