package transport_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

func TestParseSchedule(t *testing.T) {
	from := time.Date(2024, 3, 9, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		spec    string
		want    time.Time
		wantErr bool
	}{
		{spec: "*/5 * * * *", want: from.Add(5 * time.Minute)},
		{spec: "30 */5 * * * *", want: from.Add(30 * time.Second)}, // seconds field
		{spec: "@every 90s", want: from.Add(90 * time.Second)},
		{spec: "CRON_TZ=Europe/Berlin 0 12 * * *", want: time.Date(2024, 3, 9, 11, 0, 0, 0, time.UTC)},
		{spec: "61 * * * *", wantErr: true},
		{spec: "every five minutes", wantErr: true},
		{spec: "CRON_TZ=Mars/Olympus 0 * * * *", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := transport.ParseSchedule(tc.spec, 0)
			if tc.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Next(from); !got.Equal(tc.want) {
				t.Errorf("Next = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := transport.ParseSchedule("* * * * *", -time.Second); err == nil {
		t.Error("negative jitter accepted")
	}
}

func TestCronSchedulerRunsWithJitterAndNoOverlap(t *testing.T) {
	start := time.Date(2024, 3, 9, 10, 0, 0, 0, time.UTC)
	clock := transporttest.NewFakeClock(start)
	s, err := transport.ParseSchedule("@every 1m", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	runs := make(chan time.Time, 10)
	release := make(chan struct{})
	sched := &transport.CronScheduler{Clock: clock, Rand: func(n int64) int64 { return int64(3 * time.Second) }}
	if err := sched.Add("acme-sftp", s, func(ctx context.Context) error {
		runs <- clock.Now()
		<-release // hold the run until the test lets go
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sched.Start(context.Background())
	defer sched.Stop()

	clock.BlockUntil(1)
	clock.Advance(time.Minute + 2*time.Second)
	select {
	case <-runs:
		t.Fatal("ran before the jitter passed")
	case <-time.After(20 * time.Millisecond):
	}
	clock.Advance(time.Second)
	if at := <-runs; !at.Equal(start.Add(time.Minute + 3*time.Second)) {
		t.Errorf("ran at %v, want 1m3s after start (jitter 3s)", at)
	}
	// While it runs, a manual run is refused and the schedule's own
	// activations are skipped.
	if err := sched.RunNow(context.Background(), "acme-sftp"); !errors.Is(err, transport.ErrPollRunning) {
		t.Errorf("RunNow during a run = %v, want ErrPollRunning", err)
	}
	clock.Advance(3 * time.Minute)
	close(release)
	clock.BlockUntil(1) // the loop is waiting for the next activation
	st, _ := sched.Stats("acme-sftp")
	if st.Runs != 1 || st.Skipped < 3 {
		t.Errorf("stats = %+v, want 1 run and the overlapped activations skipped", st)
	}
	if err := sched.Add("acme-sftp", s, nil); err == nil {
		t.Error("duplicate id accepted")
	}
}
