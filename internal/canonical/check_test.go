package canonical

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// goldenDocs are every canonical document the repository holds as a golden
// file: this package's, the CLI's and the built-in mappings' expectations.
func goldenDocs(t testing.TB) [][]byte {
	t.Helper()
	var docs [][]byte
	var files []string
	for _, glob := range []string{"testdata/*.json", "../../cmd/b2bgw/testdata/translate-*.json*", "../../mappings/testdata/*.expected.json"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				break
			}
			raw = bytes.TrimSpace(raw)
			if len(raw) > 0 && raw[0] == '[' {
				var arr []json.RawMessage
				if err := json.Unmarshal(raw, &arr); err != nil {
					t.Fatal(err)
				}
				for _, a := range arr {
					docs = append(docs, compact(t, a))
				}
			} else {
				docs = append(docs, compact(t, raw))
			}
		}
	}
	if len(docs) < 10 {
		t.Fatalf("only %d golden documents found", len(docs))
	}
	return docs
}

func compact(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func kindOfDoc(b []byte) DocumentKind {
	var head struct {
		Meta struct {
			Kind DocumentKind `json:"kind"`
		} `json:"meta"`
	}
	json.Unmarshal(b, &head)
	if head.Meta.Kind == "" || !head.Meta.Kind.Valid() {
		for _, k := range documentKinds { // no meta: the kind it decodes as
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			if dec.Decode(New(k)) == nil {
				return k
			}
		}
		return KindOrder
	}
	return head.Meta.Kind
}

// node is a JSON value with its key order kept, for mutating documents.
type node struct {
	raw     string // leaf: its JSON text
	keys    []string
	members []*node // object members (with keys) or array items
	array   bool
}

func parseNode(dec *json.Decoder) *node {
	tok, err := dec.Token()
	if err != nil {
		panic(err)
	}
	switch v := tok.(type) {
	case json.Delim:
		n := &node{array: v == '['}
		for dec.More() {
			if !n.array {
				k, _ := dec.Token()
				n.keys = append(n.keys, k.(string))
			}
			n.members = append(n.members, parseNode(dec))
		}
		dec.Token()
		return n
	case string:
		b, _ := json.Marshal(v)
		return &node{raw: string(b)}
	case json.Number:
		return &node{raw: v.String()}
	case bool:
		return &node{raw: strconv.FormatBool(v)}
	}
	return &node{raw: "null"}
}

func (n *node) isLeaf() bool { return n.members == nil && n.keys == nil && n.raw != "" }

func (n *node) write(b *bytes.Buffer) {
	if n.raw != "" {
		b.WriteString(n.raw)
		return
	}
	if n.array {
		b.WriteByte('[')
	} else {
		b.WriteByte('{')
	}
	for i, m := range n.members {
		if i > 0 {
			b.WriteByte(',')
		}
		if !n.array {
			k, _ := json.Marshal(n.keys[i])
			if strings.HasPrefix(n.keys[i], "RAW:") {
				k = []byte(n.keys[i][4:])
			}
			b.Write(k)
			b.WriteByte(':')
		}
		m.write(b)
	}
	if n.array {
		b.WriteByte(']')
	} else {
		b.WriteByte('}')
	}
}

func (n *node) clone() *node {
	c := &node{raw: n.raw, array: n.array, keys: append([]string(nil), n.keys...)}
	if n.members != nil {
		c.members = make([]*node, len(n.members))
		for i, m := range n.members {
			c.members[i] = m.clone()
		}
	}
	return c
}

// all lists every node of the tree in document order.
func (n *node) all(out []*node) []*node {
	out = append(out, n)
	for _, m := range n.members {
		out = m.all(out)
	}
	return out
}

// leafValues are what a mutation puts in place of a value.
var leafValues = []string{
	`""`, `" "`, `"x"`, `"XYZ"`, `"ABCD"`, `"AB"`, `"us"`, `"US"`, `"0"`, `"-1"`, `"12.50"`, `"1e2"`, `"abc"`,
	`"2025-02-30"`, `"2025-13-01"`, `"0000-01-01"`, `"2024-02-29"`, `"2025-1-01"`, `"2025-01-31T10:00:00Z"`, `"2025-01-31T10:00:00-05:00"`,
	`"\u0041BC"`, `"caf\u00e9"`, `"café"`, `"a\"b"`, `"\ud83d\ude00"`, `"\ud800"`, `"\t"`, `"\u0020"`,
	`"0614141000005"`, `"0614141000006"`, `"00012345678905"`, `"00012345678906"`, `"123456789"`, `"1234567890"`,
	`"d816d12b14c0acbd01a37e15ab1ea08499dcfe3cb280fe4cc8a3cdd4cd68e6d0"`, `"D816D12B14C0ACBD01A37E15AB1EA08499DCFE3CB280FE4CC8A3CDD4CD68E6D0"`,
	`"cancellation"`, `"original"`, `"buyer"`, `"ship_to"`, `"order"`, `"shipment_notice"`, `"2.0"`, `"1.7"`, `"inbound"`, `"x12"`, `"EA"`, `"C62"`, `"ltl"`,
	`0`, `-1`, `1`, `1.5`, `-0`, `1e2`, `1E+2`, `2.5e-1`, `01`, `1.`, `99999999999999999999`, `1e400`, `12.50`, `0.000`, `123456789012345678`, `1234567890123456789`,
	`true`, `false`, `null`, `[]`, `{}`, `[1]`, `{"a":1}`,
}

type mutation struct {
	name string
	doc  []byte
}

// mutations yields documents derived from doc by one change each.
func mutations(t testing.TB, doc []byte, rng *rand.Rand) []mutation {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	root := parseNode(dec)
	var out []mutation
	emit := func(name string, r *node) {
		var b bytes.Buffer
		r.write(&b)
		out = append(out, mutation{name, b.Bytes()})
	}
	count := len(root.all(nil))
	for idx := range count {
		// each mutation works on a fresh copy, finding node idx again
		at := func() (*node, *node) {
			r := root.clone()
			return r, r.all(nil)[idx]
		}
		_, n := at()
		switch {
		case n.isLeaf():
			// a sample of replacement values per leaf, all of them for short docs
			for _, v := range leafValues {
				if count > 150 && rng.IntN(4) != 0 {
					continue
				}
				r, m := at()
				m.raw = v
				emit("leaf "+strconv.Itoa(idx)+" = "+v, r)
			}
		case n.array:
			r, m := at()
			m.members = m.members[:0]
			emit("empty array", r)
			if len(n.members) > 0 {
				r, m = at()
				m.members = append(m.members, m.members[0].clone())
				emit("duplicate item", r)
				r, m = at()
				m.members = m.members[1:]
				emit("drop first item", r)
			}
			r, m = at()
			*m = node{raw: "null"}
			emit("null array", r)
		default: // object
			for i := range n.members {
				r, m := at()
				m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
				m.members = append(m.members[:i:i], m.members[i+1:]...)
				emit("delete member", r)
				if i == 0 || rng.IntN(3) == 0 {
					r, m = at()
					m.keys = append(m.keys, m.keys[i])
					m.members = append(m.members, m.members[i].clone())
					emit("duplicate key", r)
					r, m = at()
					m.keys[i] = strings.ToUpper(m.keys[i])
					emit("upper-case key", r)
					r, m = at()
					m.keys[i] = "RAW:\"" + strings.Replace(m.keys[i], m.keys[i][:1], `\u00`+strconv.FormatInt(int64(m.keys[i][0]), 16), 1) + "\""
					emit("escaped key", r)
				}
			}
			r, m := at()
			m.keys = append(m.keys, "zz_unknown")
			m.members = append(m.members, &node{raw: `"x"`})
			emit("unknown member", r)
			r, m = at()
			*m = node{raw: `"x"`}
			emit("object to string", r)
		}
	}
	// byte-level damage
	for range 200 {
		b := append([]byte(nil), doc...)
		i := rng.IntN(len(b))
		switch rng.IntN(3) {
		case 0:
			b = append(b[:i], b[i+1:]...)
		case 1:
			b = append(b[:i], append([]byte{"{}[]\",:0a -\\\x01é"[rng.IntN(15)]}, b[i:]...)...)
		default:
			b[i] = "{}[]\",:0a -\\\x01"[rng.IntN(13)]
		}
		out = append(out, mutation{"bytes", b})
	}
	return out
}

func problemPaths(err error) []string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var ps []string
	for _, p := range ve.Problems {
		ps = append(ps, p.String())
	}
	return ps
}

// TestCheckEquivalence holds the fast checker to the strict path
// (encoding/json + Validate): over the golden documents and many thousands
// of mutated and broken ones, the fast checker never accepts a document
// the strict path rejects, Check gives exactly the strict path's error,
// and whenever the fast decoder decodes, it decodes what encoding/json
// does.
func TestCheckEquivalence(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var total, agree, strictValid, fastAccepted, decoded int
	for gi, doc := range goldenDocs(t) {
		k := kindOfDoc(doc)
		if err := checkStrict(k, doc); err != nil {
			// a mapping test's expectation without meta: still mutated
			t.Logf("golden %d (%s) does not validate: %v", gi, k, err)
		} else if !fastValid(k, doc) {
			t.Errorf("golden %d (%s): the fast checker does not accept it", gi, k)
		}
		for _, m := range append(mutations(t, doc, rng), mutation{"original", doc}) {
			total++
			strict := checkStrict(k, m.doc)
			fast := fastValid(k, m.doc)
			if strict == nil {
				strictValid++
			}
			if fast {
				fastAccepted++
			}
			if fast && strict != nil {
				t.Errorf("golden %d, %s: fast accepts, strict rejects: %v\n%s", gi, m.name, strict, m.doc)
				continue
			}
			if fast == (strict == nil) {
				agree++
			}
			got := Check(k, m.doc)
			if (got == nil) != (strict == nil) || (got != nil && got.Error() != strict.Error()) ||
				!reflect.DeepEqual(problemPaths(got), problemPaths(strict)) {
				t.Errorf("golden %d, %s: Check = %v, strict = %v", gi, m.name, got, strict)
			}
			// Decoding itself: the same value as encoding/json.
			if fd, ok := fastDecode(k, m.doc); ok {
				decoded++
				want := New(k)
				dec := json.NewDecoder(bytes.NewReader(m.doc))
				dec.DisallowUnknownFields()
				if err := dec.Decode(want); err != nil {
					t.Errorf("golden %d, %s: fast decodes, encoding/json fails: %v\n%s", gi, m.name, err, m.doc)
					continue
				}
				if !reflect.DeepEqual(fd, want) {
					a, _ := json.Marshal(fd)
					b, _ := json.Marshal(want)
					t.Errorf("golden %d, %s: decoded differently\nfast:   %s\nstrict: %s", gi, m.name, a, b)
				}
				if fastValidate(fd) != (want.Validate() == nil) {
					t.Errorf("golden %d, %s: fast validation %v, Validate %v", gi, m.name, fastValidate(fd), want.Validate())
				}
			}
		}
	}
	t.Logf("%d documents: %d valid by the strict path, %d accepted by the fast path, %d same verdict without fallback, %d decoded by the fast decoder",
		total, strictValid, fastAccepted, agree, decoded)
	if total < 5000 {
		t.Errorf("only %d documents checked", total)
	}
	if float64(agree) < 0.9*float64(total) {
		t.Errorf("the fast path agrees on only %d of %d documents", agree, total)
	}
}

func BenchmarkCheckOrder(b *testing.B) {
	docs := goldenDocs(b)
	var doc []byte
	for _, d := range docs {
		if kindOfDoc(d) == KindOrder {
			doc = d
			break
		}
	}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if Check(KindOrder, doc) != nil {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("strict", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if checkStrict(KindOrder, doc) != nil {
				b.Fatal("invalid")
			}
		}
	})
}

// BenchmarkCheck measures Check on the first golden document of each kind
// that validates.
func BenchmarkCheck(b *testing.B) {
	docs := goldenDocs(b)
	for _, k := range []DocumentKind{KindOrder, KindShipmentNotice, KindWarehouseShippingAdvice, KindInventoryAdvice} {
		var doc []byte
		for _, d := range docs {
			if kindOfDoc(d) == k && checkStrict(k, d) == nil {
				doc = d
				break
			}
		}
		if doc == nil {
			b.Fatalf("no valid golden %s", k)
		}
		b.Run(string(k), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if Check(k, doc) != nil {
					b.Fatal("invalid")
				}
			}
		})
	}
}

// BenchmarkCheckTranslated measures Check on orders as the translate
// command writes them (the first documents of the 50 MB benchmark files):
// one op checks them all, ns/doc is per document.
func BenchmarkCheckTranslated(b *testing.B) {
	for _, name := range []string{"orders-x12.jsonl", "orders-edifact.jsonl"} {
		data, err := os.ReadFile(filepath.Join("testdata", "bench", name))
		if err != nil {
			b.Fatal(err)
		}
		docs := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
		b.Run(strings.TrimSuffix(name, ".jsonl"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				for _, doc := range docs {
					if Check(KindOrder, doc) != nil {
						b.Fatal("invalid")
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(docs)), "ns/doc")
		})
	}
}
