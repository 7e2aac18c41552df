package doctree

import (
	"fmt"
	"sync"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12"
)

// TestConcurrentUse runs what the pipeline does on all cores at once: many
// goroutines reading one tree, and building trees whose unknown tags and
// composites grow the shared name cache. Run with -race.
func TestConcurrentUse(t *testing.T) {
	tr := FromSet(oneSet(t, isa4010, "004010", "850", body850), Compile(spec850))
	want := eval(t, tr.Navigator(), "N1Loop[N1/N101='ST']/N1/N102")
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if got := eval(t, tr.Navigator(), "N1Loop[N1/N101='ST']/N1/N102"); got != want {
					errs <- fmt.Sprintf("goroutine %d: got %q, want %q", g, got, want)
					return
				}
				// A fresh tag per goroutine and round, with a composite of
				// growing width: every reader races a cache writer.
				tag := fmt.Sprintf("Q%d%d", g, i%10)
				comp := "A>B"
				for range i % 12 {
					comp += ">B"
				}
				seg := x12.NewSegment(x12.DefaultDelimiters, tag, "x", comp)
				own := FromSet(&x12.Set{Segments: []x12.Segment{seg}}, nil)
				last := own.Root().FirstChild().Elem(2).FirstChild()
				for c := last; !c.IsZero(); c = c.NextSibling() {
					last = c
				}
				if wantName := fmt.Sprintf("%s02_%02d", tag, i%12+2); last.Name() != wantName {
					errs <- fmt.Sprintf("goroutine %d: last component named %q, want %q", g, last.Name(), wantName)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
