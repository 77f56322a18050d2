// SPDX-License-Identifier: GPL-3.0-or-later

// gendump parks many goroutines in varied states and stacks, then writes a
// goroutine dump (debug=2) for memscope's import benchmark.
//
//	go run . -n 70000 -o big-goroutines.txt
//	go run . -n 40000 -deep -o deep-goroutines.txt   (stacks of 50-100 frames, many groups)
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"net"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var (
	mu       sync.Mutex
	cond     = sync.NewCond(&sync.Mutex{})
	recvOnly = make(chan int) // received from, never sent to
	sendOnly = make(chan int) // sent to, never received from
)

// Recursion makes stacks of different depths, so groups differ by more than state.
func descend(depth int, park func()) {
	if depth == 0 {
		park()
		return
	}
	if depth%3 == 0 {
		descendAlt(depth-1, park)
		return
	}
	descend(depth-1, park)
}

func descendAlt(depth int, park func()) { descend(depth, park) }

// A path of depth frames picked by the bits of pattern: each pattern and depth
// is a group of its own.
func pathA(depth int, pattern uint32, park func()) {
	if depth == 0 {
		park()
		return
	}
	if pattern&1 == 0 {
		pathA(depth-1, pattern>>1|pattern<<31, park)
		return
	}
	pathB(depth-1, pattern>>1|pattern<<31, park)
}

func pathB(depth int, pattern uint32, park func()) { pathA(depth, pattern, park) }

func main() {
	n := flag.Int("n", 70000, "goroutines to park")
	out := flag.String("o", "big-goroutines.txt", "dump file")
	deep := flag.Bool("deep", false, "stacks of 50-100 frames in about 2,000 distinct groups")
	flag.Parse()
	r := rand.New(rand.NewSource(1))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	mu.Lock() // held: lockers park in semacquire

	parks := []func(){
		func() { <-recvOnly },
		func() { sendOnly <- 1 },
		func() {
			select {
			case <-recvOnly:
			case sendOnly <- 2:
			}
		},
		func() { time.Sleep(time.Hour) },
		func() { mu.Lock() },
		func() { cond.L.Lock(); cond.Wait() },
		func() { var nilc chan int; <-nilc },
		func() {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				<-recvOnly
			}
			buf := make([]byte, 1)
			c.Read(buf) // IO wait
		},
	}
	var started sync.WaitGroup
	for i := 0; i < *n; i++ {
		kind := r.Intn(len(parks))
		if kind == 7 && i%50 != 0 {
			kind = r.Intn(7) // sockets are costly: keep them to a few hundred
		}
		depth := 2 + r.Intn(9)
		pattern := uint32(0)
		if *deep {
			depth = 50 + r.Intn(51)
			pattern = uint32(r.Intn(40)) * 0x9e3779b1
		}
		started.Add(1)
		go func(park func(), depth int, pattern uint32) {
			started.Done()
			if *deep {
				pathA(depth, pattern, park)
				return
			}
			descend(depth, park)
		}(parks[kind], depth, pattern)
	}
	started.Wait()
	time.Sleep(500 * time.Millisecond) // let them park
	f, err := os.Create(*out)
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
	f.Close()
	st, _ := os.Stat(*out)
	fmt.Printf("%s: %d goroutines, %d bytes\n", *out, *n, st.Size())
}
