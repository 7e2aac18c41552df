package pipeline

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/ftp"
	"github.com/b2bgw/b2bgw/internal/transport/s3"
	"github.com/b2bgw/b2bgw/internal/transport/sftp"
)

// openMailbox connects the mailbox a profile describes. Relative local
// folders are taken from dataDir.
func openMailbox(p *partner.Profile, id string, t partner.Transport, dataDir string, log *slog.Logger) (transport.Mailbox, error) {
	abs := func(d string) string {
		if d == "" || filepath.IsAbs(d) || dataDir == "" {
			return d
		}
		return filepath.Join(dataDir, d)
	}
	switch {
	case t.Local != nil:
		return transport.NewLocal(transport.LocalConfig{Name: id, Dir: abs(t.Local.Dir), ReadOnly: t.Local.ReadOnly})
	case t.AS2Drop != nil:
		return transport.NewAS2Drop(transport.AS2DropConfig{Name: id, Dir: abs(t.AS2Drop.Dir),
			Rules: []transport.RouteRule{{Partner: p.ID, Dir: t.AS2Drop.Route.Dir, Name: t.AS2Drop.Route.Name}}})
	case t.SFTP != nil:
		c := t.SFTP
		return sftp.New(sftp.Config{Partner: p.ID, Mailbox: id, Addr: c.Addr, User: c.User, Password: c.Password.Reveal(),
			PrivateKeyFile: c.PrivateKeyFile, Passphrase: c.Passphrase.Reveal(), KnownHostsFiles: c.KnownHosts,
			HostKeyFingerprints: c.HostKeyFingerprints, InsecureIgnoreHostKey: c.InsecureIgnoreHostKey, Root: c.Root,
			DialTimeout: c.DialTimeout, IOTimeout: c.IOTimeout, Limit: transport.NewTransferLimit(max(c.MaxTransfers, 1)), Logger: log})
	case t.FTP != nil:
		c := t.FTP
		return ftp.New(ftp.Config{Partner: p.ID, Mailbox: id, Addr: c.Addr, User: c.User, Password: c.Password.Reveal(),
			TLS: ftp.TLSMode(c.TLS), CAFile: c.CAFile, ServerName: c.ServerName, InsecureSkipVerify: c.InsecureSkipVerify,
			Root: c.Root, DialTimeout: c.DialTimeout, IOTimeout: c.IOTimeout, DisableEPSV: c.DisableEPSV,
			Limit: transport.NewTransferLimit(max(c.MaxTransfers, 1)), Logger: log})
	case t.S3 != nil:
		c := t.S3
		addr := s3.Auto
		if c.PathStyle {
			addr = s3.PathStyle
		}
		return s3.New(s3.Config{Partner: p.ID, Mailbox: id, Endpoint: c.Endpoint, Insecure: c.Insecure, Region: c.Region,
			Bucket: c.Bucket, Prefix: c.Prefix, Addressing: addr, AccessKey: c.AccessKeyID.Reveal(),
			SecretKey: c.SecretAccessKey.Reveal(), Logger: log})
	}
	return nil, fmt.Errorf("partner %s mailbox %s: no transport configured", p.ID, id)
}

// pollerConfig is the transport.PollerConfig of an inbound mailbox.
func pollerConfig(p *partner.Profile, m *partner.Inbound, spool string, ledger transport.Ledger) transport.PollerConfig {
	after := transport.Delete
	switch strings.ToLower(m.After) {
	case "leave":
		after = transport.Leave
	case "move":
		after = transport.Move
	}
	pc := transport.PollerConfig{Partner: p.ID, Mailbox: m.ID, Dir: m.Dir, Recursive: m.Recursive,
		Include: m.Include, Exclude: m.Exclude, MaxSize: m.MaxSize, After: after, ArchiveDir: m.ArchiveDir,
		SpoolDir: spool, Ledger: ledger,
		Stability: transport.Stability{Window: m.Stability.Window, MinAge: m.Stability.MinAge,
			Markers: m.Stability.Markers, Immediate: m.Stability.Immediate}}
	if m.AS2Drop != nil {
		pc.Partner = "" // a shared drop routes per file
	}
	return pc
}

// jittered adds up to Jitter to each activation of a poll schedule.
type jittered struct {
	s transport.Schedule
}

func (j jittered) Next(t time.Time) time.Time {
	n := j.s.Next(t)
	if j.s.Jitter > 0 {
		n = n.Add(time.Duration(randInt64(int64(j.s.Jitter))))
	}
	return n
}
