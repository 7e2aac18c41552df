package edifact

import (
	"errors"
	"fmt"
	"strings"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// Sentinel errors wrapped by SyntaxError. Test with errors.Is.
var (
	ErrEmpty          = errors.New("the input is empty")
	ErrNoUNB          = errors.New("the input does not start with a UNA or UNB segment")
	ErrBOM            = errors.New("the input starts with a UTF-8 byte-order mark")
	ErrLeadingSpace   = errors.New("the input starts with white space before the UNA/UNB")
	ErrUNA            = errors.New("the service string advice (UNA) is invalid")
	ErrServiceChars   = errors.New("the interchange uses separators other than those advised")
	ErrSegmentTooLong = errors.New("segment is longer than the maximum segment size")
	ErrTruncated      = errors.New("the input ends inside a segment (no segment terminator)")
	ErrReleaseAtEnd   = errors.New("the input ends with a release character")
	ErrBadTag         = errors.New("segment tag is not 3 upper-case letters or digits starting with a letter")
	ErrEmptySegment   = errors.New("empty segment (two terminators in a row)")
)

// SyntaxError is an error at a position in the input, in the style of
// encoding/csv's ParseError: positions are fields, the cause is wrapped.
type SyntaxError struct {
	Pos       Position
	SegmentID string // the tag, when known
	Element   int    // 1-based element position, 0 when the whole segment is concerned
	Component int    // 1-based component position, 0 when not applicable
	Err       error  // one of the Err* sentinels, or a more specific error
	Hint      string // what to do about it, for operators and analysts
}

func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.String())
	if e.SegmentID != "" {
		b.WriteString(", segment ")
		b.WriteString(e.SegmentID)
		if e.Element > 0 {
			fmt.Fprintf(&b, "%02d", e.Element)
			if e.Component > 0 {
				fmt.Fprintf(&b, "-%d", e.Component)
			}
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Class: a syntax error makes the interchange (or the rest of the input)
// unreadable; retrying will not help.
func (e *SyntaxError) Class() errclass.Class { return errclass.Permanent }

// Fatal reports whether reading cannot continue after err. A too-long
// segment (skipped), a bad tag or an empty segment (returned for context)
// leave the reader usable.
func Fatal(err error) bool {
	return err != nil && !errors.Is(err, ErrSegmentTooLong) && !errors.Is(err, ErrBadTag) && !errors.Is(err, ErrEmptySegment)
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
