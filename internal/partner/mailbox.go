package partner

import (
	"time"

	"github.com/b2bgw/b2bgw/internal/config/option"
)

// Mailboxes are the partner's inbound and outbound mailboxes.
type Mailboxes struct {
	Inbound  []Inbound  `yaml:"inbound" doc:"Mailboxes polled for the partner's files."`
	Outbound []Outbound `yaml:"outbound" doc:"Mailboxes our acknowledgments and documents are delivered to."`
}

// Transport is where a mailbox lives: exactly one of its keys is set.
type Transport struct {
	_ struct{} `oneof:"local|as2drop|sftp|ftp|s3"`

	Local   *LocalBox   `yaml:"local" doc:"A local folder (a mounted share, the inbox of a co-located server, the demo)."`
	AS2Drop *AS2DropBox `yaml:"as2drop" doc:"The drop folder of an AS2 server (OpenAS2, pyAS2), shared by partners; files are routed to this partner by folder or name."`
	SFTP    *SFTPBox    `yaml:"sftp" doc:"An SFTP server."`
	FTP     *FTPBox     `yaml:"ftp" doc:"An FTP or FTPS server."`
	S3      *S3Box      `yaml:"s3" doc:"An S3 bucket (AWS, MinIO, any S3-compatible store)."`
}

// Type names the transport that is set: local, as2drop, sftp, ftp or s3.
func (t Transport) Type() string {
	switch {
	case t.Local != nil:
		return "local"
	case t.AS2Drop != nil:
		return "as2drop"
	case t.SFTP != nil:
		return "sftp"
	case t.FTP != nil:
		return "ftp"
	case t.S3 != nil:
		return "s3"
	}
	return ""
}

// Inbound is a mailbox the gateway polls.
type Inbound struct {
	ID        string `yaml:"id" doc:"Mailbox id in the ledger, logs and the API; default <partner>-in-<n> (n from 1). Keep it stable: the ledger remembers picked files by it."`
	Transport `yaml:",inline"`

	Dir        string        `yaml:"dir" doc:"Folder polled, relative to the mailbox root; empty is the root." example:"outbound"`
	Recursive  bool          `yaml:"recursive" doc:"Also poll sub-folders (always on for an AS2 drop)."`
	Schedule   string        `yaml:"schedule" default:"*/5 * * * *" doc:"Cron schedule of the poll: 5 fields, 6 with seconds first, or @every 2m; CRON_TZ=Zone/Name prefix for a zone."`
	Jitter     time.Duration `yaml:"jitter" default:"10s" doc:"Random delay added to each poll, so many mailboxes do not hit one server in the same second."`
	Include    []string      `yaml:"include" doc:"Glob patterns (path.Match) of files to pick up; a pattern without / matches the base name. Empty picks every file." example:"[\"*.x12\", \"*.edi\"]"`
	Exclude    []string      `yaml:"exclude" doc:"Glob patterns of files to leave alone."`
	MaxSize    int64         `yaml:"max_size" doc:"Larger files (bytes) are refused with an error for an operator to look at; 0 means no limit."`
	Stability  Stability     `yaml:"stability" doc:"When a file counts as completely written."`
	After      string        `yaml:"after" enum:"delete|move|leave" default:"delete" doc:"What happens to a file once it is safely recorded and archived: delete it, move it to archive_dir, or leave it (read-only mailboxes; the ledger stops a second pickup)."`
	ArchiveDir string        `yaml:"archive_dir" doc:"Folder picked files are moved to when after is move." example:"processed"`
}

// Stability says when a remote file is complete.
type Stability struct {
	_ struct{} `exclusive:"immediate|window" `

	Window    time.Duration `yaml:"window" doc:"Size and modification time must stay unchanged this long (default 1m when no rule is set)."`
	MinAge    time.Duration `yaml:"min_age" doc:"The file's modification time must be at least this old."`
	Markers   []string      `yaml:"markers" doc:"Suffixes of marker files the partner writes when a file is complete (.done, .ok); a file without one is never picked." example:"[\".done\"]"`
	Immediate bool          `yaml:"immediate" doc:"Pick files as soon as they are listed: only for senders that write atomically (temp name, then rename)."`
}

// Outbound is a mailbox the gateway delivers to.
type Outbound struct {
	ID        string `yaml:"id" doc:"Mailbox id; default <partner>-out-<n>. Documents and the ATP feed name it in mailbox:."`
	Transport `yaml:",inline"`

	Dir       string `yaml:"dir" doc:"Folder written to, relative to the mailbox root." example:"inbound"`
	Name      string `yaml:"name" default:"{partner}_{doctype}_{control}.edi" doc:"File name template: {partner}, {control}, {doctype}, {date} or {date:LAYOUT} (Go layout), {seq} or {seq:N}; {{ and }} are literal braces."`
	Overwrite bool   `yaml:"overwrite" doc:"Replace a file of the same name; otherwise a name clash is an error (or, for identical content, a no-op)."`
}

// LocalBox is a local folder.
type LocalBox struct {
	Dir      string `yaml:"dir" required:"true" doc:"The folder (relative paths are taken from the gateway's data directory)." example:"/srv/edi/acme"`
	ReadOnly bool   `yaml:"read_only" doc:"The gateway may only read here: it never deletes, moves or writes."`
}

// AS2DropBox is a share of an AS2 server's drop folder.
type AS2DropBox struct {
	Dir   string `yaml:"dir" required:"true" doc:"The folder the AS2 server writes decrypted payloads to; partners with the same dir share one mailbox." example:"/var/lib/openas2/data"`
	Route Route  `yaml:"route" required:"true" doc:"Which files in the drop belong to this partner."`
}

// Route selects a partner's files in a shared drop (transport.RouteRule).
type Route struct {
	Dir  string `yaml:"dir" doc:"path.Match pattern of the folder (OpenAS2: <sender as2 id>-<receiver as2 id>/inbox)." example:"ACMEAS2-*/inbox"`
	Name string `yaml:"name" doc:"path.Match pattern of the base name, for servers that drop everything in one folder." example:"ACME_*"`
}

// SFTPBox is an SFTP server (transport/sftp.Config).
type SFTPBox struct {
	Addr                  string        `yaml:"addr" required:"true" doc:"host:port; port 22 when missing." example:"sftp.acme.example:22"`
	User                  string        `yaml:"user" required:"true" doc:"Login name."`
	Password              option.Secret `yaml:"password" doc:"Password."`
	PrivateKeyFile        string        `yaml:"private_key_file" doc:"File holding a PEM or OpenSSH private key (ed25519, RSA, ECDSA); readable only by the gateway."`
	Passphrase            option.Secret `yaml:"passphrase" doc:"Passphrase of an encrypted private key."`
	KnownHosts            []string      `yaml:"known_hosts" doc:"OpenSSH known_hosts files the server key must match."`
	HostKeyFingerprints   []string      `yaml:"host_key_fingerprints" doc:"SHA256 fingerprints of the server key as ssh-keygen -l prints them; two allow a rollover." example:"[\"SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8\"]"`
	InsecureIgnoreHostKey bool          `yaml:"insecure_ignore_host_key" doc:"Accept any server key (a man in the middle could read and change files); logged as a warning on every connect."`
	Root                  string        `yaml:"root" doc:"Server folder that is the mailbox root; default the login folder."`
	DialTimeout           time.Duration `yaml:"dial_timeout" default:"30s" doc:"Bound on connect plus SSH handshake."`
	IOTimeout             time.Duration `yaml:"io_timeout" default:"60s" doc:"An operation fails when the server sends nothing this long."`
	MaxTransfers          int           `yaml:"max_transfers" default:"4" doc:"Concurrent transfers to this server, shared by the partner's mailboxes on it."`
}

// FTPBox is an FTP(S) server (transport/ftp.Config).
type FTPBox struct {
	Addr               string        `yaml:"addr" required:"true" doc:"host:port; port 21 (990 for implicit TLS) when missing."`
	User               string        `yaml:"user" required:"true" doc:"Login name."`
	Password           option.Secret `yaml:"password" required:"true" doc:"Password."`
	TLS                string        `yaml:"tls" enum:"explicit|implicit|plain" default:"explicit" doc:"explicit FTPS (AUTH TLS), implicit FTPS, or plain FTP (passwords in clear text: only when the partner offers nothing else)."`
	CAFile             string        `yaml:"ca_file" doc:"PEM file of the CA the server certificate must chain to, instead of the system roots."`
	ServerName         string        `yaml:"server_name" doc:"Name checked in the certificate; default the host of addr."`
	InsecureSkipVerify bool          `yaml:"insecure_skip_verify" doc:"Accept any certificate; logged as a warning on every connect."`
	Root               string        `yaml:"root" doc:"Server folder that is the mailbox root; default the login folder."`
	DisableEPSV        bool          `yaml:"disable_epsv" doc:"Use PASV only, for servers and firewalls that mishandle EPSV."`
	DialTimeout        time.Duration `yaml:"dial_timeout" default:"30s" doc:"Bound on connect, TLS handshake and login."`
	IOTimeout          time.Duration `yaml:"io_timeout" default:"60s" doc:"A call fails when the server is silent this long."`
	MaxTransfers       int           `yaml:"max_transfers" default:"2" doc:"Concurrent transfers to this server, shared by the partner's mailboxes on it."`
}

// S3Box is an S3 bucket (prefix = mailbox root).
type S3Box struct {
	Endpoint        string        `yaml:"endpoint" default:"s3.amazonaws.com" doc:"host[:port] of the S3 API." example:"minio.acme.example:9000"`
	Region          string        `yaml:"region" doc:"Bucket region (AWS)." example:"eu-central-1"`
	Bucket          string        `yaml:"bucket" required:"true" doc:"Bucket name."`
	Prefix          string        `yaml:"prefix" doc:"Key prefix that is the mailbox root." example:"partners/acme/"`
	AccessKeyID     option.Secret `yaml:"access_key_id" doc:"Access key id; with secret_access_key. Absent: the environment's credentials (IAM role, AWS_* variables)."`
	SecretAccessKey option.Secret `yaml:"secret_access_key" doc:"Secret access key."`
	Insecure        bool          `yaml:"insecure" doc:"Plain HTTP instead of HTTPS (a local MinIO only)."`
	PathStyle       bool          `yaml:"path_style" doc:"Path-style requests (endpoint/bucket/key) for stores without virtual-host buckets."`
}
