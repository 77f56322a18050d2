// genheapdump builds a large heap of linked objects and writes a heap dump of
// itself, for bench/heapdump.sh.
//
//	genheapdump -objects 2000000 -o dump.bin
//
// Half the objects are 64-byte nodes with two pointers (a list, each node also
// pointing at a random earlier node and a buffer), a quarter are 1024-byte
// buffers, a quarter 256-byte buffers: about 350 bytes per object on average.
package main

import (
	"flag"
	"math/rand"
	"os"
	"runtime"
	"runtime/debug"
)

type node struct {
	next, other *node
	buf         []byte
	id          int64
}

var head *node
var index []*node

func main() {
	objects := flag.Int("objects", 2000000, "objects to allocate (about)")
	out := flag.String("o", "dump.bin", "output file")
	flag.Parse()
	rng := rand.New(rand.NewSource(1))
	n := *objects / 2
	index = make([]*node, 0, n/64+1)
	for i := 0; i < n; i++ {
		size := 1024
		if i%2 == 1 {
			size = 256
		}
		nd := &node{next: head, buf: make([]byte, size), id: int64(i)}
		if i > 0 && rng.Intn(4) == 0 {
			nd.other = index[rng.Intn(len(index))]
		}
		if i%64 == 0 {
			index = append(index, nd)
		}
		head = nd
	}
	runtime.GC()
	f, err := os.Create(*out)
	if err != nil {
		panic(err)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		panic(err)
	}
}
