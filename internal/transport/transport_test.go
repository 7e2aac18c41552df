package transport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/transport"
)

func TestSafeName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"a.x12", true},
		{"inbox/ORDERS 0001.edi", true},
		{"注文/発注.x12", true},
		{"..hidden-but-not-traversal", true},
		{"", false},
		{".", false},
		{"..", false},
		{"../etc/passwd", false},
		{"inbox/../../etc", false},
		{"inbox/./a", false},
		{"/etc/passwd", false},
		{"inbox//a", false},
		{"inbox/", false},
		{`..\..\win.ini`, false},
		{`inbox\a.x12`, false},
		{"C:evil.x12", false},
		{"c:/evil", false},
		{"a\x00b", false},
		{"a\nb", false},
		{"bad\xffutf8", false},
		{strings.Repeat("a", 1025), false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.name), func(t *testing.T) {
			err := transport.SafeName(tc.name)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, transport.ErrUnsafeName) {
				t.Fatalf("err = %v, want ErrUnsafeName", err)
			}
		})
	}
}

func TestErrorClassAndMessage(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		sentinel error
		class    errclass.Class
		says     string
	}{
		{"not exist", os.ErrNotExist, transport.ErrNotExist, errclass.Permanent, "gone"},
		{"permission", os.ErrPermission, transport.ErrPermission, errclass.Permanent, "grant"},
		{"auth", transport.ErrAuth, transport.ErrAuth, errclass.Permanent, "retrying will not help"},
		{"host key", transport.ErrHostKey, transport.ErrHostKey, errclass.Permanent, "out of band"},
		{"timeout", context.DeadlineExceeded, transport.ErrUnavailable, errclass.Retryable, "retries"},
		{"reset", syscall.ECONNRESET, transport.ErrUnavailable, errclass.Retryable, "retries"},
		{"short read", io.ErrUnexpectedEOF, transport.ErrUnavailable, errclass.Retryable, "retries"},
		{"disk full", syscall.ENOSPC, transport.ErrNoSpace, errclass.Retryable, "free disk space"},
		{"explicit class wins", errclass.With(errors.New("odd"), errclass.Retryable), nil, errclass.Retryable, "odd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := transport.WithPartner(transport.NewError("open", "acme-sftp", "inbox/a.x12", tc.err), "acme")
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("%v does not wrap %v", err, tc.sentinel)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("the cause is lost: %v", err)
			}
			if got := errclass.Of(err); got != tc.class {
				t.Errorf("class = %v, want %v", got, tc.class)
			}
			msg := err.Error()
			for _, want := range []string{`"inbox/a.x12"`, `mailbox "acme-sftp"`, `partner "acme"`, tc.says} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
		})
	}
	if transport.NewError("open", "m", "p", nil) != nil {
		t.Error("NewError(nil) must be nil")
	}
}

func TestIsTempName(t *testing.T) {
	for name, want := range map[string]bool{
		"a.x12": false, "a.x12.part": true, "A.X12.PART": true, "a.filepart": true, "a.tmp": true,
		"a~": true, ".a.x12": true, "a.crdownload": true, "partner.x12": false, "tmp.x12": false,
	} {
		if got := transport.IsTempName(name); got != want {
			t.Errorf("IsTempName(%q) = %v, want %v", name, got, want)
		}
	}
}
