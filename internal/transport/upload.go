package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
)

// NameTemplate builds outbound file names from per-partner templates such
// as "997_{control}.x12" or "{partner}_{date:20060102}_{seq:6}.csv".
//
// Placeholders:
//
//	{partner}        partner id
//	{control}        interchange control number
//	{doctype}        document type ("997", "846", "INVRPT")
//	{date:LAYOUT}    the time in a Go layout; {date} alone is 20060102
//	{seq} {seq:N}    a sequence number, zero-padded to N digits
//
// "{{" and "}}" are literal braces. Anything else in braces is refused when
// the template is parsed, so a typo fails at configuration load, not when
// the first file goes out.
type NameTemplate struct {
	src   string
	parts []tmplPart
}

type tmplPart struct {
	lit   string
	field string // "" for a literal
	arg   string
	width int
}

// NameVars are the values a template may use.
type NameVars struct {
	Partner string
	Control string
	DocType string
	Time    time.Time
	Seq     int64
}

// ErrTemplate is wrapped by template parse and execution errors.
var ErrTemplate = errors.New("invalid file name template")

// ParseNameTemplate compiles a template strictly.
func ParseNameTemplate(src string) (*NameTemplate, error) {
	t := &NameTemplate{src: src}
	bad := func(pos int, why string) error {
		return fmt.Errorf("%w %q at byte %d: %s", ErrTemplate, src, pos, why)
	}
	var lit strings.Builder
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '{' && strings.HasPrefix(src[i:], "{{"):
			lit.WriteByte('{')
			i++
		case c == '}' && strings.HasPrefix(src[i:], "}}"):
			lit.WriteByte('}')
			i++
		case c == '}':
			return nil, bad(i, `unmatched "}" (write "}}" for a literal brace)`)
		case c == '{':
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				return nil, bad(i, `unclosed "{"`)
			}
			body := src[i+1 : i+end]
			field, arg, hasArg := strings.Cut(body, ":")
			p := tmplPart{field: field, arg: arg}
			switch field {
			case "partner", "control", "doctype":
				if hasArg {
					return nil, bad(i, fmt.Sprintf("{%s} takes no argument", field))
				}
			case "date":
				if !hasArg {
					p.arg = "20060102"
				} else if arg == "" {
					return nil, bad(i, "{date:} needs a Go time layout such as 20060102")
				}
			case "seq":
				if hasArg {
					w, err := strconv.Atoi(arg)
					if err != nil || w < 1 || w > 20 {
						return nil, bad(i, fmt.Sprintf("{seq:%s}: width must be a number from 1 to 20", arg))
					}
					p.width = w
				}
			default:
				return nil, bad(i, fmt.Sprintf("unknown placeholder {%s}; known: partner, control, doctype, date, seq", body))
			}
			if lit.Len() > 0 {
				t.parts = append(t.parts, tmplPart{lit: lit.String()})
				lit.Reset()
			}
			t.parts = append(t.parts, p)
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, tmplPart{lit: lit.String()})
	}
	if len(t.parts) == 0 {
		return nil, bad(0, "empty template")
	}
	return t, nil
}

// String returns the template source.
func (t *NameTemplate) String() string { return t.src }

// Execute renders a name. A placeholder whose value is empty, or a value
// containing '/' or '\' (which would create folders or escape), is an
// error; the result must pass SafeName.
func (t *NameTemplate) Execute(v NameVars) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		var val string
		switch p.field {
		case "":
			b.WriteString(p.lit)
			continue
		case "partner":
			val = v.Partner
		case "control":
			val = v.Control
		case "doctype":
			val = v.DocType
		case "date":
			if v.Time.IsZero() {
				return "", fmt.Errorf("%w %q: {date} needs a time", ErrTemplate, t.src)
			}
			val = v.Time.Format(p.arg)
		case "seq":
			if v.Seq < 0 {
				return "", fmt.Errorf("%w %q: negative sequence %d", ErrTemplate, t.src, v.Seq)
			}
			val = fmt.Sprintf("%0*d", p.width, v.Seq)
		}
		if val == "" {
			return "", fmt.Errorf("%w %q: no value for {%s}", ErrTemplate, t.src, p.field)
		}
		if strings.ContainsAny(val, `/\`) {
			return "", fmt.Errorf("%w %q: value %q for {%s} contains a path separator", ErrTemplate, t.src, val, p.field)
		}
		b.WriteString(val)
	}
	name := b.String()
	if err := SafeName(name); err != nil {
		return "", fmt.Errorf("%w %q: %w", ErrTemplate, t.src, err)
	}
	return name, nil
}

// ErrConflict: a different file already exists under the upload's name.
var ErrConflict = errors.New("a different file already exists under this name")

// Uploader writes outbound files to one partner mailbox.
type Uploader struct {
	Mailbox Mailbox
	// Partner and MailboxID name the destination in errors.
	Partner, MailboxID string
	// Overwrite replaces a different file already under the name. Off by
	// default: an existing name with other content usually means a
	// control-number reset or two feeds sharing a folder, which a human
	// should look at before the partner gets the wrong file.
	Overwrite bool
}

// UploadResult describes a finished upload.
type UploadResult struct {
	Name string
	Size int64
	// AlreadyPresent: the same content was already there (a retry after a
	// lost reply); nothing was written.
	AlreadyPresent bool
	// NotAtomic: the mailbox can neither put atomically nor rename, so
	// the partner could have seen a partial file while it was written.
	NotAtomic bool
}

// Upload stores content under dir/name: atomically (the backend's atomic
// Put, or a hidden temp name then Rename), then verifies the size the
// server reports. Uploading the same name and content again succeeds
// without writing; different content under an existing name is ErrConflict
// unless Overwrite is set. content is read twice (hash, then transfer), so
// it must be seekable: a spooled *os.File or a bytes.Reader.
func (u *Uploader) Upload(ctx context.Context, name string, content io.ReadSeeker) (UploadResult, error) {
	res := UploadResult{Name: name}
	fail := func(op, p string, err error) (UploadResult, error) {
		var te *Error
		if !errors.As(err, &te) {
			err = NewError(op, u.MailboxID, p, err)
		}
		return res, WithPartner(err, u.Partner)
	}
	if err := SafeName(name); err != nil {
		return fail("upload", name, err)
	}
	sum, size, err := hashSeeker(content)
	if err != nil {
		return fail("upload", name, fmt.Errorf("reading the local file: %w", err))
	}
	res.Size = size

	existing, exists, err := u.stat(ctx, name)
	if err != nil {
		return fail("stat", name, err)
	}
	if exists {
		same, err := u.sameContent(ctx, name, existing, size, sum)
		if err != nil {
			return fail("verify", name, err)
		}
		if same {
			res.AlreadyPresent = true
			return res, nil
		}
		if !u.Overwrite {
			return fail("upload", name, fmt.Errorf("%w (%d bytes there, %d to upload): set overwrite on the mailbox if replacing it is intended", ErrConflict, existing.Size, size))
		}
	}

	f := u.Mailbox.Features()
	rn, canRename := u.Mailbox.(Renamer)
	switch {
	case f.AtomicPut || !f.Rename || !canRename:
		res.NotAtomic = !f.AtomicPut
		if err := u.Mailbox.Put(ctx, name, content); err != nil {
			return fail("put", name, err)
		}
	default:
		tmp := path.Join(path.Dir(name), TempName(path.Base(name)))
		if err := u.Mailbox.Put(ctx, tmp, content); err != nil {
			_ = u.Mailbox.Remove(ctx, tmp)
			return fail("put", tmp, err)
		}
		if err := rn.Rename(ctx, tmp, name); err != nil {
			_ = u.Mailbox.Remove(ctx, tmp)
			return fail("rename", name, err)
		}
	}

	got, ok, err := u.stat(ctx, name)
	switch {
	case err != nil:
		return fail("verify", name, err)
	case !ok:
		return fail("verify", name, fmt.Errorf("%w: the file is missing right after the upload (a partner process may have taken it; check with the partner before resending)", ErrNotExist))
	case got.Size != size:
		return fail("verify", name, fmt.Errorf("%w: the server reports %d bytes, %d were sent; the upload is retried", ErrUnavailable, got.Size, size))
	}
	return res, nil
}

// stat uses Stater when available and a listing of the parent otherwise.
func (u *Uploader) stat(ctx context.Context, name string) (FileInfo, bool, error) {
	if st, ok := u.Mailbox.(Stater); ok && u.Mailbox.Features().Stat {
		fi, err := st.Stat(ctx, name)
		if errors.Is(err, ErrNotExist) {
			return FileInfo{}, false, nil
		}
		return fi, err == nil, err
	}
	dir := path.Dir(name)
	if dir == "." {
		dir = ""
	}
	list, err := u.Mailbox.List(ctx, dir)
	if errors.Is(err, ErrNotExist) {
		return FileInfo{}, false, nil
	} else if err != nil {
		return FileInfo{}, false, err
	}
	for _, fi := range list {
		if fi.Name == name && !fi.IsDir {
			return fi, true, nil
		}
	}
	return FileInfo{}, false, nil
}

// sameContent compares sizes first and hashes the remote copy only when
// they agree.
func (u *Uploader) sameContent(ctx context.Context, name string, fi FileInfo, size int64, sum []byte) (bool, error) {
	if fi.Size != size {
		return false, nil
	}
	rc, err := u.Mailbox.Open(ctx, name)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return false, err
	}
	return bytes.Equal(h.Sum(nil), sum), nil
}

func hashSeeker(r io.ReadSeeker) ([]byte, int64, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return nil, 0, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	return h.Sum(nil), n, nil
}
