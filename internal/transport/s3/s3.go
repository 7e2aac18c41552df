package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/b2bgw/b2bgw/internal/transport"
)

// Mailbox is an S3 mailbox. It is safe for concurrent use.
type Mailbox struct {
	cfg    Config
	prefix string
	cl     *minio.Client
	tr     *http.Transport
	closed atomic.Bool
}

var (
	_ transport.Mailbox = (*Mailbox)(nil)
	_ transport.Renamer = (*Mailbox)(nil)
	_ transport.Stater  = (*Mailbox)(nil)
)

// New checks cfg and builds a client without a request.
func New(cfg Config) (*Mailbox, error) {
	c, r, err := cfg.withDefaults()
	if err == nil {
		val, gerr := r.creds.Get()
		if gerr != nil || val.AccessKeyID == "" {
			err = fmt.Errorf("%w: no S3 credentials: set access_key/secret_key, a credentials file, "+
				"or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment", transport.ErrAuth)
		}
	}
	if err != nil {
		mb := c.Mailbox
		if mb == "" {
			mb = "s3://" + c.Bucket + "/" + c.Prefix
		}
		return nil, transport.WithPartner(&transport.Error{Op: "configure", Mailbox: mb, Err: err}, c.Partner)
	}
	lookup := minio.BucketLookupAuto
	switch c.Addressing {
	case PathStyle:
		lookup = minio.BucketLookupPath
	case VirtualHost:
		lookup = minio.BucketLookupDNS
	}
	cl, err := minio.New(r.host, &minio.Options{
		Creds:        r.creds,
		Secure:       r.secure,
		Transport:    r.rt,
		Region:       c.Region,
		BucketLookup: lookup,
		MaxRetries:   c.MaxRetries,
	})
	if err != nil {
		return nil, transport.WithPartner(&transport.Error{Op: "configure", Mailbox: c.Mailbox, Err: err}, c.Partner)
	}
	cl.SetAppInfo("b2bgw", "1")
	return &Mailbox{cfg: c, prefix: r.prefix, cl: cl, tr: r.rt}, nil
}

// Dial is New followed by one listing request, so that wrong credentials,
// a missing bucket or a wrong endpoint show up at once.
func Dial(ctx context.Context, cfg Config) (*Mailbox, error) {
	m, err := New(cfg)
	if err != nil {
		return nil, err
	}
	for obj := range m.cl.ListObjects(ctx, m.cfg.Bucket, minio.ListObjectsOptions{Prefix: m.prefix, MaxKeys: 1}) {
		if obj.Err != nil {
			return nil, m.wrap("connect", "", obj.Err)
		}
		break
	}
	return m, nil
}

// Features: S3 has no folders of its own (prefixes) and reports times in
// seconds; Rename is a server-side copy plus delete.
func (m *Mailbox) Features() transport.Features {
	return transport.Features{
		AtomicPut:        true,
		Rename:           true,
		Stat:             true,
		Dirs:             false,
		ModTimePrecision: time.Second,
	}
}

func (m *Mailbox) key(name string) string { return m.prefix + name }

func (m *Mailbox) wrap(op, name string, err error) error {
	if err == nil {
		return nil
	}
	if minio.ToErrorResponse(err).Code == "NoSuchBucket" {
		// Not ErrNotExist: a missing bucket is a configuration error, never
		// an empty mailbox or a vanished file.
		err = fmt.Errorf("bucket %q does not exist at %s: check bucket, endpoint and region: %w",
			m.cfg.Bucket, m.cfg.Endpoint, err)
	} else {
		err = classify(err)
	}
	if errors.Is(err, transport.ErrClosed) || errors.Is(err, transport.ErrUnsafeName) {
		return transport.WithPartner(&transport.Error{Op: op, Mailbox: m.cfg.Mailbox, Path: name, Err: err}, m.cfg.Partner)
	}
	return transport.WithPartner(transport.NewError(op, m.cfg.Mailbox, name, err), m.cfg.Partner)
}

// classify attaches a sentinel from the S3 error code, the HTTP status (HEAD
// answers carry no body) or the network error.
func classify(err error) error {
	if err == nil || errors.Is(err, transport.ErrClosed) || errors.Is(err, transport.ErrUnsafeName) {
		return err
	}
	var sentinel error
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case "NoSuchKey", "NotFound", "NoSuchUpload":
		sentinel = transport.ErrNotExist
	case "AccessDenied", "AllAccessDisabled", "AccountProblem", "InvalidObjectState":
		sentinel = transport.ErrPermission
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
		"TokenRefreshRequired", "InvalidSecurity", "AuthorizationHeaderMalformed", "AuthorizationQueryParametersError":
		sentinel = transport.ErrAuth
	case "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "OperationAborted", "Throttling":
		sentinel = transport.ErrUnavailable
	case "QuotaExceeded", "XMinioStorageFull":
		sentinel = transport.ErrNoSpace
	case "":
		switch {
		case resp.StatusCode == http.StatusNotFound:
			sentinel = transport.ErrNotExist
		case resp.StatusCode == http.StatusForbidden:
			sentinel = transport.ErrPermission
		case resp.StatusCode >= 500:
			sentinel = transport.ErrUnavailable
		case netErr(err):
			sentinel = transport.ErrUnavailable
		}
	default:
		if resp.StatusCode >= 500 {
			sentinel = transport.ErrUnavailable
		}
	}
	if sentinel == nil {
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}

func netErr(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded)
}

func (m *Mailbox) check(op, name string) error {
	if m.closed.Load() {
		return m.wrap(op, name, transport.ErrClosed)
	}
	if err := transport.SafeName(name); err != nil {
		return m.wrap(op, name, err)
	}
	return nil
}

// List returns the objects and common prefixes directly inside dir. A dir
// that holds nothing is an empty list (S3 has no folders to miss).
func (m *Mailbox) List(ctx context.Context, dir string) ([]transport.FileInfo, error) {
	if m.closed.Load() {
		return nil, m.wrap("list", dir, transport.ErrClosed)
	}
	d, err := transport.SafeDir(dir)
	if err != nil {
		return nil, m.wrap("list", dir, err)
	}
	pfx := m.prefix
	if d != "" {
		pfx += d + "/"
	}
	var out []transport.FileInfo
	for obj := range m.cl.ListObjects(ctx, m.cfg.Bucket, minio.ListObjectsOptions{Prefix: pfx}) {
		if obj.Err != nil {
			return nil, m.wrap("list", d, obj.Err)
		}
		rel := strings.TrimPrefix(obj.Key, pfx)
		isDir := strings.HasSuffix(rel, "/")
		rel = strings.TrimSuffix(rel, "/")
		if rel == "" {
			continue // the folder marker object "dir/" itself
		}
		name, err := transport.Join(d, rel)
		if err != nil || strings.Contains(rel, "/") {
			m.cfg.Logger.Warn("s3: listing holds a key that could escape the mailbox; ignored, tell the partner",
				"partner", m.cfg.Partner, "mailbox", m.cfg.Mailbox, "dir", d, "key", obj.Key)
			continue
		}
		fi := transport.FileInfo{Name: name, IsDir: isDir}
		if !isDir {
			fi.Size, fi.ModTime = obj.Size, obj.LastModified
		}
		out = append(out, fi)
	}
	if err := ctx.Err(); err != nil {
		return nil, m.wrap("list", d, err)
	}
	return out, nil
}

// Stat describes one object.
func (m *Mailbox) Stat(ctx context.Context, name string) (transport.FileInfo, error) {
	if err := m.check("stat", name); err != nil {
		return transport.FileInfo{}, err
	}
	st, err := m.cl.StatObject(ctx, m.cfg.Bucket, m.key(name), minio.StatObjectOptions{})
	if err != nil {
		return transport.FileInfo{}, m.wrap("stat", name, err)
	}
	return transport.FileInfo{Name: name, Size: st.Size, ModTime: st.LastModified}, nil
}

// Open streams an object; a missing object is reported here, not on the
// first read. The reader holds a transfer slot of Config.Limit until closed.
func (m *Mailbox) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := m.check("open", name); err != nil {
		return nil, err
	}
	release, err := m.cfg.Limit.Acquire(ctx)
	if err != nil {
		return nil, m.wrap("open", name, err)
	}
	obj, err := m.cl.GetObject(ctx, m.cfg.Bucket, m.key(name), minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat() // sends the GET; errors (missing, denied) come back here
		if err != nil {
			obj.Close()
		}
	}
	if err != nil {
		release()
		return nil, m.wrap("open", name, err)
	}
	return &reader{m: m, name: name, obj: obj, release: release}, nil
}

type reader struct {
	m       *Mailbox
	name    string
	obj     *minio.Object
	release func()
	closed  bool
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.obj.Read(p)
	if err != nil && err != io.EOF {
		err = r.m.wrap("read", r.name, err)
	}
	return n, err
}

func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.obj.Close()
	r.release()
	return r.m.wrap("close", r.name, err)
}

// Put stores r as one object: a single PUT, or a multipart upload (parts of
// Config.PartSize) for large or unsized streams. Either way S3 shows the
// object only once it is complete; a failed multipart upload is aborted.
func (m *Mailbox) Put(ctx context.Context, name string, r io.Reader) error {
	if err := m.check("put", name); err != nil {
		return err
	}
	release, err := m.cfg.Limit.Acquire(ctx)
	if err != nil {
		return m.wrap("put", name, err)
	}
	defer release()
	size := int64(-1)
	switch s := r.(type) {
	case interface{ Size() int64 }:
		size = s.Size()
		if l, ok := r.(interface{ Len() int }); ok {
			size = int64(l.Len()) // bytes.Reader: what is left to read
		}
	case interface{ Len() int }:
		size = int64(s.Len())
	case *os.File:
		if st, err := s.Stat(); err == nil && st.Mode().IsRegular() {
			if off, err := s.Seek(0, io.SeekCurrent); err == nil {
				size = st.Size() - off
			}
		}
	}
	_, err = m.cl.PutObject(ctx, m.cfg.Bucket, m.key(name), r, size, minio.PutObjectOptions{
		PartSize:    m.cfg.PartSize,
		ContentType: "application/octet-stream",
	})
	return m.wrap("put", name, err)
}

// Remove deletes an object; a missing one is ErrNotExist (S3's DELETE would
// succeed silently, so the object is checked first).
func (m *Mailbox) Remove(ctx context.Context, name string) error {
	if err := m.check("remove", name); err != nil {
		return err
	}
	if _, err := m.cl.StatObject(ctx, m.cfg.Bucket, m.key(name), minio.StatObjectOptions{}); err != nil {
		return m.wrap("remove", name, err)
	}
	return m.wrap("remove", name, m.cl.RemoveObject(ctx, m.cfg.Bucket, m.key(name), minio.RemoveObjectOptions{}))
}

// Rename copies from to to server-side, then deletes from. It is not
// atomic: if the delete fails, both exist and the error says so. Objects
// over 5 GiB cannot be copied in one request and fail.
func (m *Mailbox) Rename(ctx context.Context, from, to string) error {
	for _, n := range []string{from, to} {
		if err := m.check("rename", n); err != nil {
			return err
		}
	}
	if _, err := m.cl.StatObject(ctx, m.cfg.Bucket, m.key(from), minio.StatObjectOptions{}); err != nil {
		return m.wrap("rename", from, err)
	}
	_, err := m.cl.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: m.cfg.Bucket, Object: m.key(to)},
		minio.CopySrcOptions{Bucket: m.cfg.Bucket, Object: m.key(from)})
	if err != nil {
		return m.wrap("rename", from, fmt.Errorf("copying to %s: %w", to, err))
	}
	if err := m.cl.RemoveObject(ctx, m.cfg.Bucket, m.key(from), minio.RemoveObjectOptions{}); err != nil {
		return m.wrap("rename", from, fmt.Errorf("copied to %s but could not delete the original, which now exists twice: %w", to, err))
	}
	return nil
}

// Close marks the mailbox closed; idle HTTP connections are released.
func (m *Mailbox) Close() error {
	if m.closed.Swap(true) {
		return nil
	}
	m.tr.CloseIdleConnections()
	return nil
}
