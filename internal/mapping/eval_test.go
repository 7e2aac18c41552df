package mapping

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/antchfx/xpath"
)

const sampleXML = "testdata/850/input.xml"

// TestFastPathAgreesWithXPath runs every expression both ways: the fast
// path must select exactly the nodes antchfx/xpath selects, in the same
// order, or the speed-up would change what mappings mean.
func TestFastPathAgreesWithXPath(t *testing.T) {
	t.Parallel()
	exprs := []string{
		"BEG/BEG03", "./BEG/BEG01", "REF[REF01='DP']/REF02", `REF[REF01="19"]/REF02`,
		"N1Loop[2]/N1/N102", "N1Loop[N1/N101='ST']/N4/N401", "DTM[DTM01='037'][1]/DTM02",
		"PO1Loop/PO1/PO102", "REF[1]", "REF[3]", "REF[4]", "REF[REF01='DP'][2]", "N1Loop[N1/N101='ST'][1]/N1",
		"PO1Loop[2]", "Nope/X", "N1Loop/N1[N101 = 'BY']/N102", "REF[2][REF01='DP']/REF02", "REF[REF01='DP'][1]/REF02",
		"PO1Loop/PIDLoop/PID/PID05", "N1Loop[N1/N101='ZZ']",
	}
	tr := mustXML(t, sampleXML)
	for _, src := range exprs {
		fp := compileFast(src)
		if fp == nil {
			t.Errorf("%s: not on the fast path", src)
			continue
		}
		fast := texts(tr, fp.selectAll(viewOf(tr), tr.Root(), nil))
		var slow []string
		it := xpath.MustCompile(src).Select(tr.Navigator(tr.Root()))
		for it.MoveNext() {
			slow = append(slow, it.Current().Value())
		}
		if strings.Join(fast, "|") != strings.Join(slow, "|") {
			t.Errorf("%s: fast %q, xpath %q", src, fast, slow)
		}
		first := fp.selectFirst(viewOf(tr), tr.Root())
		if (first == NoNode) != (len(slow) == 0) || first != NoNode && string(tr.Text(first)) != slow[0] {
			t.Errorf("%s: selectFirst disagrees with xpath %q", src, slow)
		}
	}
}

func texts(t Tree, ns []Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, string(t.Text(n)))
	}
	return out
}

// TestSlowPathExpressions lists expressions that must go to antchfx/xpath
// because the fast path would get them wrong.
func TestSlowPathExpressions(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"//PO1", "count(PO1Loop)", "REF[REF01=19]", "@id", "BEG/text()", "BEG/BEG03 | BEG/BEG01",
		"PO1Loop[last()]", "../BEG", "PO1Loop[0]", "ns:BEG", "BEG[BEG01='00' and BEG02='SA']", "concat(BEG/BEG03, '-x')",
		"REF[REF01!='DP']", "BEG/", "", "BEG[", "child::BEG",
	} {
		if compileFast(src) != nil {
			t.Errorf("%q was put on the fast path", src)
		}
	}
}

func TestConversions(t *testing.T) {
	t.Parallel()
	chicago := mustLoc(t, "America/Chicago")
	tests := []struct {
		name   string
		conv   conversion
		raw    string
		clock  string
		want   string // JSON
		wantEr error
	}{
		{name: "string", raw: "abc", want: `"abc"`},
		{name: "decimal keeps digits", conv: conversion{typ: "decimal"}, raw: "12.50", want: `12.50`},
		{name: "decimal leading dot", conv: conversion{typ: "decimal"}, raw: "-.5", want: `-0.5`},
		{name: "decimal trailing dot", conv: conversion{typ: "decimal"}, raw: "7.", want: `7`},
		{name: "decimal leading zeros", conv: conversion{typ: "decimal"}, raw: "007", want: `7`},
		{name: "decimal thousands separator", conv: conversion{typ: "decimal"}, raw: "1,250", wantEr: ErrNotNumber},
		{name: "decimal plus sign", conv: conversion{typ: "decimal"}, raw: "+5", wantEr: ErrNotNumber},
		{name: "decimal too many digits", conv: conversion{typ: "decimal"}, raw: "1234567890123456789", wantEr: ErrNotNumber},
		{name: "integer", conv: conversion{typ: "integer"}, raw: "0042", want: `42`},
		{name: "integer with point", conv: conversion{typ: "integer"}, raw: "4.0", wantEr: ErrNotNumber},
		{name: "implied 2", conv: conversion{typ: "implied", decimals: 2}, raw: "1250", want: `12.50`},
		{name: "implied short", conv: conversion{typ: "implied", decimals: 2}, raw: "5", want: `0.05`},
		{name: "implied negative", conv: conversion{typ: "implied", decimals: 3}, raw: "-5", want: `-0.005`},
		{name: "implied refuses a point", conv: conversion{typ: "implied", decimals: 2}, raw: "12.5", wantEr: ErrNotNumber},
		{name: "date CCYYMMDD", conv: conversion{typ: "date"}, raw: "20240229", want: `"2024-02-29"`},
		{name: "date YYMMDD window 20xx", conv: conversion{typ: "date"}, raw: "680101", want: `"2068-01-01"`},
		{name: "date YYMMDD window 19xx", conv: conversion{typ: "date"}, raw: "690101", want: `"1969-01-01"`},
		{name: "date ISO", conv: conversion{typ: "date"}, raw: "2024-03-01", want: `"2024-03-01"`},
		{name: "date not a day", conv: conversion{typ: "date"}, raw: "20230229", wantEr: ErrNotDate},
		{name: "date garbage", conv: conversion{typ: "date"}, raw: "tomorrow", wantEr: ErrNotDate},
		{name: "date with format", conv: conversion{typ: "date", layout: "01/02/2006"}, raw: "03/01/2024", want: `"2024-03-01"`},
		{name: "datetime with clock", conv: conversion{typ: "datetime"}, raw: "20240315", clock: "143005", want: `"2024-03-15T14:30:05-05:00"`},
		{name: "datetime no clock is midnight", conv: conversion{typ: "datetime"}, raw: "20240115", want: `"2024-01-15T00:00:00-06:00"`},
		{name: "datetime RFC 3339 kept", conv: conversion{typ: "datetime"}, raw: "2024-03-15T14:30:00Z", want: `"2024-03-15T14:30:00Z"`},
		{name: "datetime hour 24", conv: conversion{typ: "datetime"}, raw: "20240315", clock: "2400", wantEr: ErrNotTime},
		{name: "time", conv: conversion{typ: "time"}, raw: "143005", want: `"14:30:05"`},
		{name: "time hundredths", conv: conversion{typ: "time"}, raw: "14300550", want: `"14:30:05.5"`},
		{name: "boolean Y", conv: conversion{typ: "boolean"}, raw: "Y", want: `true`},
		{name: "boolean bad", conv: conversion{typ: "boolean"}, raw: "maybe", wantEr: ErrNotBoolean},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := tc.conv.inbound(tc.raw, tc.clock, chicago)
			if tc.wantEr != nil {
				if !errors.Is(err, tc.wantEr) {
					t.Fatalf("err = %v, want %v", err, tc.wantEr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFieldErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fields  string
		wantErr error
		want    string // the error's full text
	}{
		{
			name:    "required missing points at the context",
			fields:  "  lines:\n    foreach: PO1Loop\n    fields:\n      sku: {from: PO1/PO111, required: true}\n",
			wantErr: ErrRequired,
			want:    "m.yaml:7:7: lines[0].sku (PO1/PO111) at line 18: required value is missing\nm.yaml:7:7: lines[1].sku (PO1/PO111) at line 22: required value is missing",
		},
		{
			name:    "not a date",
			fields:  "  d: {from: \"REF[REF01='IA']/REF02\", type: date}\n",
			wantErr: ErrNotDate,
			want:    `m.yaml:4:3: d (REF[REF01='IA']/REF02) = "V-77" at line 5: not a date: want CCYYMMDD, YYMMDD or CCYY-MM-DD (set format: for other layouts)`,
		},
		{
			name:    "unknown code",
			fields:  "  p: {from: CUR/CUR01, codes: {SE: seller}}\n",
			wantErr: ErrUnknownCode,
			want:    `m.yaml:4:3: p (CUR/CUR01) = "BY" at line 4: code has no translation in code list inline`,
		},
		{
			name:    "required foreach with no items",
			fields:  "  x:\n    foreach: SAC\n    required: true\n    fields: {a: SAC01}\n",
			wantErr: ErrRequired,
			want:    "m.yaml:4:3: x (SAC) at line 1: required value is missing",
		},
		{
			name:    "slow path required",
			fields:  "  n: {from: \"count(PO1Loop[PO1/PO103='ZZ']) > 0 and 'x'\", required: true, type: integer}\n",
			wantErr: ErrNotNumber,
			want:    `m.yaml:4:3: n (count(PO1Loop[PO1/PO103='ZZ']) > 0 and 'x') = "false" at line 1: not a number: want a whole number`,
		},
	}
	tr := mustXML(t, sampleXML)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadString(t, head+"fields:\n"+tc.fields)
			_, err := m.Translate(tr)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err.Error() != tc.want {
				t.Errorf("error text:\n%s\nwant:\n%s", err, tc.want)
			}
		})
	}
}

func loadString(t testing.TB, body string) *Mapping {
	t.Helper()
	m, err := LoadFS(fstest.MapFS{"m.yaml": {Data: []byte(body)}}, "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFieldBehaviour(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fields string
		want   string
	}{
		{name: "absent fields are left out", fields: "  a: NOPE/X\n  b: BEG/BEG03\n", want: `{"b":"PO-1001"}`},
		{name: "default", fields: "  a: {from: NOPE, default: 7}\n", want: `{"a":7}`},
		{name: "trim off keeps spaces", fields: "  d: {from: PO1Loop/PIDLoop/PID/PID05, trim: false}\n", want: `{"d":"  Blue   widget "}`},
		{name: "when false leaves out", fields: "  a: {from: BEG/BEG03, when: \"BEG/BEG01 = '01'\"}\n", want: `{}`},
		{name: "when on the slow path", fields: "  a: {from: BEG/BEG03, when: \"count(PO1Loop) = 2\"}\n", want: `{"a":"PO-1001"}`},
		{name: "when not-equals", fields: "  a: {from: BEG/BEG03, when: \"BEG/BEG01 != '01'\"}\n", want: `{"a":"PO-1001"}`},
		{name: "array of values", fields: "  refs: {foreach: REF, from: REF02}\n", want: `{"refs":["V-77","042","D-9"]}`},
		{name: "empty object left out", fields: "  o: {fields: {a: NOPE}}\n", want: `{}`},
		{name: "code to null leaves out", fields: "  c: {from: CUR/CUR01, codes: {BY: ~}}\n", want: `{}`},
		{name: "code to boolean", fields: "  c: {from: CUR/CUR01, codes: {BY: true}}\n", want: `{"c":true}`},
		{name: "xpath number result", fields: "  n: {from: count(PO1Loop), type: integer}\n", want: `{"n":2}`},
		{name: "xpath string function", fields: "  s: \"concat(BEG/BEG03, '/', BEG/BEG02)\"\n", want: `{"s":"PO-1001/SA"}`},
		{name: "pair preference order", fields: "  g: {pair: {segment: PO1Loop/PO1, first: 6, last: 9, qualifier: [UP, EN]}}\n", want: `{"g":"012345678905"}`},
		{name: "nested foreach paths", fields: "  l: {foreach: PO1Loop, fields: {d: {foreach: PIDLoop/PID, from: PID05}}}\n", want: `{"l":[{"d":["Blue   widget"]},{}]}`},
	}
	tr := mustXML(t, sampleXML)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadString(t, head+"fields:\n"+tc.fields)
			v, err := m.Translate(tr)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestTraceGolden(t *testing.T) {
	t.Parallel()
	m, err := Load("testdata/850/partner-850.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, tr, err := m.TranslateTrace(mustXML(t, sampleXML))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tr.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "850-partner-trace.txt", b.Bytes())
}

// TestConcurrentTranslate shares one compiled mapping across goroutines,
// slow-path expressions included; run with -race.
func TestConcurrentTranslate(t *testing.T) {
	t.Parallel()
	m, err := Load("testdata/850/partner-850.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Translate(mustXML(t, sampleXML))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := m.Translate(mustXML(t, sampleXML))
				if err != nil || !got.Equal(want) {
					t.Errorf("concurrent result differs: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}
