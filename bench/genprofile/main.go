// SPDX-License-Identifier: GPL-3.0-or-later

// genprofile writes a large, realistic heap profile (profile.proto, gzip'd)
// for memscope's benchmarks: many functions across packages, deep stacks that
// share prefixes the way real call graphs do, inlined frames, and the four
// heap sample types with values scaled as runtime/pprof writes them.
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go run . -samples 200000 -o big.pb.gz
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"time"

	"github.com/google/pprof/profile"
)

func main() {
	samples := flag.Int("samples", 200000, "number of samples")
	functions := flag.Int("functions", 40000, "number of distinct functions")
	seed := flag.Int64("seed", 1, "random seed")
	maxDepth := flag.Int("depth", 22, "deepest stack (frames); the shallowest is 8")
	out := flag.String("o", "big.pb.gz", "output file")
	flag.Parse()
	r := rand.New(rand.NewSource(*seed))

	p := &profile.Profile{
		SampleType: []*profile.ValueType{
			{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"},
			{Type: "inuse_objects", Unit: "count"}, {Type: "inuse_space", Unit: "bytes"},
		},
		PeriodType:    &profile.ValueType{Type: "space", Unit: "bytes"},
		Period:        524288,
		TimeNanos:     time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC).UnixNano(),
		DurationNanos: 0,
	}
	m := &profile.Mapping{ID: 1, Start: 0x400000, Limit: 0x4000000, File: "/usr/local/bin/bigsvc", HasFunctions: true}
	p.Mapping = []*profile.Mapping{m}

	pkgs := []string{"main", "net/http", "encoding/json", "bufio", "io", "bytes", "strings",
		"github.com/acme/store", "github.com/acme/cache", "github.com/acme/rpc", "google.golang.org/grpc",
		"database/sql", "github.com/acme/queue", "compress/gzip", "crypto/tls", "sync"}
	funcs := make([]*profile.Function, *functions)
	for i := range funcs {
		pkg := pkgs[r.Intn(len(pkgs))]
		name := fmt.Sprintf("%s.(*T%d).Method%d", pkg, i%97, i)
		if i%3 == 0 {
			name = fmt.Sprintf("%s.func%d", pkg, i)
		}
		funcs[i] = &profile.Function{ID: uint64(i + 1), Name: name, SystemName: name,
			Filename: fmt.Sprintf("%s/file%d.go", pkg, i%211)}
	}
	p.Function = funcs

	// A pool of locations; about one in six holds an inlined callee.
	nLoc := *functions * 2
	locs := make([]*profile.Location, nLoc)
	for i := range locs {
		f := funcs[r.Intn(len(funcs))]
		l := &profile.Location{ID: uint64(i + 1), Mapping: m, Address: 0x400000 + uint64(i)*16}
		if i%6 == 0 {
			inl := funcs[r.Intn(len(funcs))]
			l.Line = append(l.Line, profile.Line{Function: inl, Line: int64(10 + r.Intn(500))})
		}
		l.Line = append(l.Line, profile.Line{Function: f, Line: int64(10 + r.Intn(2000))})
		locs[i] = l
	}
	p.Location = locs

	// Call paths share their outer frames: a few hundred entry paths, then
	// random deeper frames, 8 to 32 in all (Go's 1.19 depth limit).
	roots := make([][]*profile.Location, 400)
	for i := range roots {
		depth := 3 + r.Intn(8)
		for d := 0; d < depth; d++ {
			roots[i] = append(roots[i], locs[r.Intn(nLoc)])
		}
	}
	sizes := []int64{16, 32, 48, 64, 96, 128, 208, 256, 512, 1024, 4096, 8192, 32768}
	for i := 0; i < *samples; i++ {
		root := roots[r.Intn(len(roots))]
		depth := 8 + r.Intn(*maxDepth-7)
		stack := make([]*profile.Location, 0, depth)
		for d := len(root); d < depth; d++ {
			stack = append(stack, locs[r.Intn(nLoc)])
		}
		// leaf first: the random part, then the shared root path reversed
		for d := len(root) - 1; d >= 0; d-- {
			stack = append(stack, root[d])
		}
		if len(stack) > 32 {
			stack = stack[:32]
		}
		size := sizes[r.Intn(len(sizes))]
		allocs := int64(1 + r.Intn(5000))
		inuse := allocs * int64(r.Intn(100)) / 100
		p.Sample = append(p.Sample, &profile.Sample{
			Location: stack,
			Value:    []int64{allocs, allocs * size, inuse, inuse * size},
			NumLabel: map[string][]int64{"bytes": {size}},
		})
	}
	if err := p.CheckValid(); err != nil {
		fmt.Fprintln(os.Stderr, "invalid:", err)
		os.Exit(1)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := p.Write(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}
