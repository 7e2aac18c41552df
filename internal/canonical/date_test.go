package canonical

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // named zones in tests do not depend on the host
)

func TestParseEDIDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" = error
	}{
		{"20250131", "2025-01-31"},
		{"250131", "2025-01-31"},
		{"680101", "2068-01-01"}, // last year of the 2000s window
		{"690101", "1969-01-01"}, // first year of the 1900s window
		{"991231", "1999-12-31"},
		{"20240229", "2024-02-29"},
		{"20250229", ""},
		{"20251301", ""},
		{"2025013", ""},
		{"2025-01-31", ""},
		{"2025013A", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			d, err := ParseEDIDate(tc.in)
			if tc.want == "" {
				if err == nil || !errors.Is(err, ErrDateSyntax) {
					t.Errorf("ParseEDIDate(%q) = %s, %v; want ErrDateSyntax", tc.in, d, err)
				}
				return
			}
			if err != nil || d.String() != tc.want {
				t.Errorf("ParseEDIDate(%q) = %s, %v; want %s", tc.in, d, err, tc.want)
			}
		})
	}
}

func TestDateAt(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		date, clock string
		loc         *time.Location
		want        string // "" = error
	}{
		{"20250131", "1430", ny, "2025-01-31T14:30:00-05:00"},
		{"20250731", "1430", ny, "2025-07-31T14:30:00-04:00"}, // DST picked by the zone
		{"20250131", "143005", time.UTC, "2025-01-31T14:30:05Z"},
		{"20250131", "14300525", time.UTC, "2025-01-31T14:30:05.25Z"},
		{"20250131", "1430051", time.UTC, "2025-01-31T14:30:05.1Z"},
		{"20250131", "", time.UTC, "2025-01-31T00:00:00Z"},
		{"250131", "0905", time.FixedZone("", 3600), "2025-01-31T09:05:00+01:00"},
		{"20250131", "2400", time.UTC, ""},
		{"20250131", "1260", time.UTC, ""},
		{"20250131", "143", time.UTC, ""},
		{"20250131", "14305", time.UTC, ""},
		{"20250131", "14:30", time.UTC, ""},
		{"20250131", "1430", nil, ""},
		{"20250230", "1430", time.UTC, ""},
	}
	for _, tc := range tests {
		dt, err := ParseEDIDateTime(tc.date, tc.clock, tc.loc)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ParseEDIDateTime(%q, %q) = %s, want error", tc.date, tc.clock, dt)
			}
			continue
		}
		if err != nil || dt.String() != tc.want {
			t.Errorf("ParseEDIDateTime(%q, %q) = %s, %v; want %s", tc.date, tc.clock, dt, err, tc.want)
		}
	}
}

func TestDateJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		D  Date     `json:"d,omitzero"`
		DT DateTime `json:"dt,omitzero"`
	}
	tests := []struct {
		in, out string
	}{
		{`{}`, `{}`},
		{`{"d":"2025-01-31","dt":"2025-01-31T14:30:00-05:00"}`, `{"d":"2025-01-31","dt":"2025-01-31T14:30:00-05:00"}`},
		{`{"dt":"2025-01-31T14:30:00+00:00"}`, `{"dt":"2025-01-31T14:30:00Z"}`},
		{`{"d":null,"dt":null}`, `{}`},
		{`{"d":"2025-02-30"}`, ``},
		{`{"d":"20250131"}`, ``},
		{`{"d":20250131}`, ``},
		{`{"dt":"2025-01-31 14:30:00"}`, ``},
	}
	for _, tc := range tests {
		var d doc
		err := json.Unmarshal([]byte(tc.in), &d)
		if tc.out == "" {
			if err == nil {
				t.Errorf("Unmarshal(%s) succeeded: %+v", tc.in, d)
			}
			continue
		}
		if err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		b, err := json.Marshal(d)
		if err != nil || string(b) != tc.out {
			t.Errorf("%s → %s, %v; want %s", tc.in, b, err, tc.out)
		}
	}
	if _, err := json.Marshal(NewDate(2025, 2, 30)); err == nil {
		t.Error("marshalled an impossible date")
	}
}

// TestDateTimeRoundTripEqual: a DateTime made in a named zone equals its
// JSON round trip, which is what golden round-trip tests rely on.
func TestDateTimeRoundTripEqual(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	dt := NewDateTime(time.Date(2025, 1, 31, 14, 30, 0, 0, ny))
	b, _ := json.Marshal(dt)
	var back DateTime
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != dt {
		t.Errorf("round trip: %#v != %#v", back, dt)
	}
	if got := dt.Date(); got != NewDate(2025, 1, 31) {
		t.Errorf("Date() = %s", got)
	}
	if !NewDateTime(time.Time{}).IsZero() {
		t.Error("zero time is not a zero DateTime")
	}
}

func TestDateCompare(t *testing.T) {
	t.Parallel()
	a, b := NewDate(2025, 1, 31), NewDate(2025, 2, 1)
	if !a.Before(b) || !b.After(a) || a.Compare(a) != 0 || NewDate(2024, 12, 31).Compare(a) != -1 {
		t.Error("Compare is wrong")
	}
	if !DateOf(a.In(time.UTC)).Valid() || (Date{}).Valid() {
		t.Error("Valid is wrong")
	}
}
