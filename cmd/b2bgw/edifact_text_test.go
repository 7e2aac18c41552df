package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestEDIFACTTranslateText: names and texts sent in an ISO 8859 syntax
// level reach the canonical JSON as the right UTF-8 characters, release
// characters next to them included; bytes outside the level's repertoire
// still reject the message. The input is orders-latin.edi (UNOC: "Müller
// Großhandel", "Café?+Bar ?été") with the syntax identifier and those
// bytes replaced per case.
func TestEDIFACTTranslateText(t *testing.T) {
	base, err := os.ReadFile(ediSample + "orders-latin.edi")
	if err != nil {
		t.Fatal(err)
	}
	const (
		name = "M\xfcller Gro\xdfhandel"
		note = "Caf\xe9?+Bar ?\xe9t\xe9"
	)
	tests := []struct {
		name               string
		syntax             string
		nameIn, noteIn     string
		wantName, wantNote string
		code               int
	}{
		{"UNOC latin-1", "UNOC", name, note, "Müller Großhandel", "Café+Bar été", 0},
		{"UNOD latin-2", "UNOD", "\xa3\xf3d\xbc Sp. z o.o.", "\xa9koda?:\xe8", "Łódź Sp. z o.o.", "Škoda:č", 0},
		{"UNOE cyrillic", "UNOE", "\xbc\xde\xe1\xda\xd2\xd0", "?+\xbc", "Москва", "+М", 0},
		{"UNOL latin-9", "UNOL", "\xbcuvre", "12 \xa4?'", "Œuvre", "12 €'", 0},
		{"UNOW UTF-8 unchanged", "UNOW", "Müller", "Café", "Müller", "Café", 0},
		{"UNOB ASCII unchanged", "UNOB", "Europa Foods B.V.", "ring?+bell", "Europa Foods B.V.", "ring+bell", 0},
		{"UNOC C1 control rejected", "UNOC", "M\x85ller", note, "", "", 1},
		{"UNOB high byte rejected", "UNOB", name, note, "", "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := bytes.Replace(base, []byte("UNOC:3"), []byte(tc.syntax+":3"), 1)
			in = bytes.Replace(in, []byte(name), []byte(tc.nameIn), 1)
			in = bytes.Replace(in, []byte(note), []byte(tc.noteIn), 1)
			path := filepath.Join(t.TempDir(), "orders.edi")
			if err := os.WriteFile(path, in, 0o644); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := run(t, "translate", "--jsonl", path)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			if tc.code != 0 {
				if out != "" {
					t.Errorf("a rejected message was translated:\n%s", out)
				}
				return
			}
			var doc struct {
				Parties []struct{ Role, Name string }
				Notes   []struct{ Text string }
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if len(doc.Parties) == 0 || doc.Parties[0].Role != "buyer" || doc.Parties[0].Name != tc.wantName {
				t.Errorf("parties %+v, want the buyer named %q", doc.Parties, tc.wantName)
			}
			if len(doc.Notes) != 1 || doc.Notes[0].Text != tc.wantNote {
				t.Errorf("notes %+v, want %q", doc.Notes, tc.wantNote)
			}
		})
	}
}
