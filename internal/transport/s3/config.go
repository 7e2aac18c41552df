// Package s3 is the S3 mailbox backend (AWS S3 and S3-compatible stores:
// MinIO, versitygw, Ceph RGW, ...), built on github.com/minio/minio-go/v7.
//
// A mailbox is a bucket plus an optional key prefix; "folders" are key
// prefixes, so they exist only while they hold objects (Features.Dirs is
// false). Put is one PUT (a multipart upload for large streams), which S3
// makes visible all at once or not at all. Rename is a server-side copy
// followed by a delete. Credentials come from the configuration, the
// environment or an AWS credentials file, and are never logged.
package s3

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/b2bgw/b2bgw/internal/transport"
)

// Addressing selects how the bucket appears in request URLs.
type Addressing string

const (
	// Auto uses virtual-host style for AWS and path style elsewhere.
	Auto Addressing = "auto"
	// PathStyle puts the bucket in the path: https://host/bucket/key.
	PathStyle Addressing = "path"
	// VirtualHost puts it in the host name: https://bucket.host/key.
	VirtualHost Addressing = "virtual-host"
)

// Config describes one S3 mailbox.
type Config struct {
	// Partner is the partner id, used in errors and logs.
	Partner string
	// Mailbox is the mailbox id from the configuration, used in errors and
	// logs; "s3://Bucket/Prefix" when empty.
	Mailbox string

	// Endpoint is host[:port] or a URL ("https://s3.eu-central-1.amazonaws.com",
	// "http://127.0.0.1:7070"). A URL's scheme decides TLS; a bare host uses
	// TLS unless Insecure is set.
	Endpoint string
	// Insecure uses plain HTTP for a bare host Endpoint.
	Insecure bool
	// Region of the bucket ("us-east-1" when empty and the store does not
	// say).
	Region string
	// Bucket holds the mailbox; Prefix (optional, "partners/acme") is the
	// key prefix that is the mailbox root.
	Bucket string
	Prefix string
	// Addressing is Auto (default), PathStyle or VirtualHost.
	Addressing Addressing

	// AccessKey and SecretKey (and SessionToken for temporary credentials)
	// are static credentials. When AccessKey is empty, credentials come
	// from CredentialsFile (AWS shared credentials format, Profile or
	// "default"), else from the environment (AWS_ACCESS_KEY_ID,
	// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; MINIO_ROOT_USER/_PASSWORD).
	AccessKey       string
	SecretKey       string
	SessionToken    string
	CredentialsFile string
	Profile         string

	// CAFile is a PEM file of CA certificates for a store with a private
	// CA, instead of the system roots.
	CAFile string

	// DialTimeout bounds each TCP connect and TLS handshake (default 30 s).
	DialTimeout time.Duration
	// IOTimeout bounds the wait for response headers and every read or write
	// on the connection (default 60 s).
	IOTimeout time.Duration
	// MaxRetries is the number of attempts minio-go makes per request
	// (default 3; the job engine retries on top with backoff).
	MaxRetries int
	// PartSize is the multipart part size for uploads of unknown length,
	// which is also the memory a Put buffers (default 16 MiB, minimum 5 MiB).
	PartSize uint64
	// Limit caps the concurrent transfers of every mailbox sharing it; give
	// all mailboxes of one partner the same Limit. Nil means no cap.
	Limit *transport.TransferLimit

	// DialContext replaces net.Dialer.DialContext (tests cut connections
	// mid-transfer with it).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger receives warnings; slog.Default() when nil.
	Logger *slog.Logger
}

const (
	defaultDialTimeout = 30 * time.Second
	defaultIOTimeout   = 60 * time.Second
	defaultPartSize    = 16 << 20
	minPartSize        = 5 << 20
)

// resolved is Config turned into what minio.New wants.
type resolved struct {
	host   string
	secure bool
	prefix string // "" or ending in "/"
	creds  *credentials.Credentials
	rt     *http.Transport
}

func (c Config) withDefaults() (Config, resolved, error) {
	var r resolved
	if c.Bucket == "" {
		return c, r, errors.New("bucket is empty: set the bucket that holds the partner's mailbox")
	}
	if c.Endpoint == "" {
		return c, r, errors.New("endpoint is empty: set the S3 endpoint (e.g. s3.eu-central-1.amazonaws.com)")
	}
	r.host, r.secure = c.Endpoint, !c.Insecure
	if strings.Contains(c.Endpoint, "://") {
		u, err := url.Parse(c.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return c, r, fmt.Errorf("endpoint %q: want host[:port] or an http(s) URL", c.Endpoint)
		}
		if u.Path != "" && u.Path != "/" {
			return c, r, fmt.Errorf("endpoint %q has a path: put the bucket in bucket and the folder in prefix", c.Endpoint)
		}
		r.host, r.secure = u.Host, u.Scheme == "https"
	}
	c.Prefix = strings.Trim(c.Prefix, "/")
	if c.Prefix != "" {
		r.prefix = c.Prefix + "/"
	}
	switch c.Addressing {
	case "":
		c.Addressing = Auto
	case Auto, PathStyle, VirtualHost:
	default:
		return c, r, fmt.Errorf("addressing %q: use auto, path or virtual-host", c.Addressing)
	}
	if c.Mailbox == "" {
		c.Mailbox = "s3://" + c.Bucket + "/" + c.Prefix
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = defaultDialTimeout
	}
	if c.IOTimeout <= 0 {
		c.IOTimeout = defaultIOTimeout
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = 3
	}
	if c.PartSize == 0 {
		c.PartSize = defaultPartSize
	}
	if c.PartSize < minPartSize {
		return c, r, fmt.Errorf("part size %d is below S3's minimum of 5 MiB", c.PartSize)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	switch {
	case c.AccessKey != "":
		if c.SecretKey == "" {
			return c, r, errors.New("access key set without a secret key")
		}
		r.creds = credentials.NewStaticV4(c.AccessKey, c.SecretKey, c.SessionToken)
	case c.CredentialsFile != "":
		if _, err := os.Stat(c.CredentialsFile); err != nil {
			return c, r, fmt.Errorf("credentials file: %w", err)
		}
		r.creds = credentials.NewFileAWSCredentials(c.CredentialsFile, c.Profile)
	default:
		r.creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{}, &credentials.EnvMinio{},
		})
	}
	tr, err := c.transport()
	if err != nil {
		return c, r, err
	}
	r.rt = tr
	return c, r, nil
}

// transport is an http.Transport with the configured timeouts, CA and dial
// hook.
func (c Config) transport() (*http.Transport, error) {
	dial := c.DialContext
	if dial == nil {
		d := &net.Dialer{Timeout: c.DialTimeout, KeepAlive: 30 * time.Second}
		dial = d.DialContext
	}
	io := c.IOTimeout
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			ctx, cancel := context.WithTimeout(ctx, c.DialTimeout)
			defer cancel()
			nc, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &ioConn{Conn: nc, timeout: io}, nil
		},
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   c.DialTimeout,
		ResponseHeaderTimeout: io,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true, // S3 objects are sent as stored
	}
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the CA file %s holds no PEM certificate", c.CAFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return tr, nil
}

// ioConn refreshes read and write deadlines on every call: a store that
// stops sending mid-body fails the read after IOTimeout.
type ioConn struct {
	net.Conn
	timeout time.Duration
}

func (c *ioConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c *ioConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}
