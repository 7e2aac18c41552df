package errclass

import (
	"errors"
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"unclassified is permanent", base, Permanent},
		{"marked retryable", With(base, Retryable), Retryable},
		{"marked rejects-set", With(base, RejectsSet), RejectsSet},
		{"class survives wrapping", fmt.Errorf("posting order: %w", With(base, Retryable)), Retryable},
		{"outermost class wins", With(fmt.Errorf("x: %w", With(base, Retryable)), Permanent), Permanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Of(tc.err); got != tc.want {
				t.Errorf("Of = %v, want %v", got, tc.want)
			}
			if !errors.Is(tc.err, base) {
				t.Error("the cause is lost")
			}
		})
	}
	if With(nil, Retryable) != nil {
		t.Error("With(nil) must stay nil")
	}
	if IsRetryable(nil) {
		t.Error("nil is not retryable")
	}
}
