// SPDX-License-Identifier: GPL-3.0-or-later
// Captures of Go 1.26's newer constructs for memscope's format tests:
// goroutine leak profiles (GOEXPERIMENT=goroutineleakprofile), labels in
// traceback headers (GODEBUG=tracebacklabels=1), generic function names in
// a heap profile, and the legacy threadcreate text. Run by capture.sh.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

// A goroutine blocked on a channel nobody else can reach: the leak
// detector's textbook case.
func leakSend() {
	ch := make(chan int)
	go func() { ch <- 1 }()
}

// One waiting on a channel the program keeps: blocked, not leaked.
var kept = make(chan int)

func waitKept() { <-kept }

type Stack[T any] struct{ items []T }

func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }

//go:noinline
func Fill[T any](n int, v T) *Stack[T] {
	s := &Stack[T]{}
	for i := 0; i < n; i++ {
		s.Push(v)
	}
	return s
}

var sink []any

func write(dir, name string, f func(*os.File) error) {
	out, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	if err := f(out); err != nil {
		panic(err)
	}
	out.Close()
}

func main() {
	dir := os.Args[1]
	runtime.MemProfileRate = 1
	for i := 0; i < 3; i++ {
		leakSend()
	}
	go waitKept()
	labels := pprof.Labels("job", "sync", "tenant", "a")
	pprof.Do(context.Background(), labels, func(context.Context) {
		go waitKept()
	})
	for i := 0; i < 200; i++ {
		sink = append(sink, Fill[[64]byte](8, [64]byte{}), Fill[string](16, "x"))
	}
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	if p := pprof.Lookup("goroutineleak"); p != nil {
		for _, d := range []int{0, 1, 2} {
			write(dir, fmt.Sprintf("goroutineleak_debug%d_go126.txt", d),
				func(f *os.File) error { return p.WriteTo(f, d) })
		}
	}
	write(dir, "goroutine_labels_debug1_go126.txt",
		func(f *os.File) error { return pprof.Lookup("goroutine").WriteTo(f, 1) })
	write(dir, "goroutine_labels_debug2_go126.txt",
		func(f *os.File) error { return pprof.Lookup("goroutine").WriteTo(f, 2) })
	write(dir, "heap_generics_go126.pb.gz",
		func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 0) })
	write(dir, "threadcreate_debug1_go126.txt",
		func(f *os.File) error { return pprof.Lookup("threadcreate").WriteTo(f, 1) })
	close(kept)
}
