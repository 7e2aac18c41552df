//go:build unix

package edifact

import "syscall"

// processCPU returns the CPU time (user and system) the process has used,
// in nanoseconds: benchmarks report it per op because wall time is
// meaningless on a machine shared with other jobs.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
