package specsnap

import (
	"errors"
	"reflect"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var e Encoder
	e.Uint(0)
	e.Uint(300)
	e.Bool(true)
	e.Str("D96A")
	e.Strs(nil)
	e.Strs([]string{"a", "", "ccc"})
	dc := Decoder{S: string(e.B)}
	got := []any{dc.Uint(), dc.Uint(), dc.Bool(), dc.Str(), dc.Strs(), dc.Strs()}
	want := []any{0, 300, true, "D96A", []string(nil), []string{"a", "", "ccc"}}
	if !reflect.DeepEqual(got, want) || !dc.Done() {
		t.Fatalf("got %v (done %v), want %v", got, dc.Done(), want)
	}
}

// TestCorrupt: every truncation and bad value is ErrCorrupt through
// Recover, never another panic or a huge allocation.
func TestCorrupt(t *testing.T) {
	var e Encoder
	e.Str("hello")
	e.Strs([]string{"x", "y"})
	e.Bool(false)
	full := string(e.B)
	inputs := []string{"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "\x02", "\x80\x80\x80\x80\x80\x80\x80\x80\x80", "\x05ab"}
	for n := 0; n < len(full); n++ {
		inputs = append(inputs, full[:n])
	}
	for _, in := range inputs {
		err := func() (err error) {
			reset := false
			defer func() {
				if err != nil && !reset {
					t.Errorf("%q: reset not called", in)
				}
			}()
			defer Recover(&err, func() { reset = true })
			dc := Decoder{S: in}
			dc.Str()
			dc.Strs()
			if dc.Bool() {
				t.Errorf("%q: decoded true", in)
			}
			return nil
		}()
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%q: err %v, want ErrCorrupt", in, err)
		}
	}
	// A bad boolean.
	err := func() (err error) {
		defer Recover(&err, func() {})
		dc := Decoder{S: "\x02"}
		dc.Bool()
		return nil
	}()
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("bool 2: err %v", err)
	}
}

func TestRecoverPassesOtherPanics(t *testing.T) {
	defer func() {
		if p := recover(); p != "other" {
			t.Errorf("recovered %v, want the original panic", p)
		}
	}()
	func() {
		var err error
		defer Recover(&err, func() {})
		panic("other")
	}()
}
