// genheapdump builds a large heap of linked objects and writes a heap dump of
// itself, for bench/heapdump.sh.
//
//	genheapdump -objects 2000000 [-shape list|chains|tree] [-depth N] [-rate1] -o dump.bin [-churn second.bin]
//
// Half the objects are 64-byte nodes with two pointers, a quarter are
// 1024-byte buffers, a quarter 256-byte buffers: about 350 bytes per object
// on average. The nodes are linked by -shape:
//
//   - list: one list from a global, each node also pointing at a random
//     earlier node;
//   - chains: lists of -depth nodes (default 1000) from a global slice;
//   - tree: spines of -depth nodes (default 100000), each spine node's other
//     pointer holding a short branch of three nodes, from a global slice.
//
// -rate1 sets runtime.MemProfileRate = 1 before anything is allocated, so every
// object carries its allocation stack, as when debugging memory.
//
// -churn writes a second dump of the same process after a quarter of the
// nodes were let go (the list cut at three quarters, every fourth chain or
// spine dropped) and as many new ones allocated: the pair a heap diff reads.
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
var heads []*node

func buffer(i int) []byte {
	if i%2 == 1 {
		return make([]byte, 256)
	}
	return make([]byte, 1024)
}

// list: n nodes in one list, a quarter of them also linked to an earlier one.
func buildList(n int) {
	rng := rand.New(rand.NewSource(1))
	index = make([]*node, 0, n/64+1)
	for i := 0; i < n; i++ {
		nd := &node{next: head, buf: buffer(i), id: int64(i)}
		if i > 0 && rng.Intn(4) == 0 {
			nd.other = index[rng.Intn(len(index))]
		}
		if i%64 == 0 {
			index = append(index, nd)
		}
		head = nd
	}
}

// chains: n nodes in lists of depth nodes each.
func buildChains(n, depth int) {
	var cur *node
	for i := 0; i < n; i++ {
		if i%depth == 0 && cur != nil {
			heads = append(heads, cur)
			cur = nil
		}
		cur = &node{next: cur, buf: buffer(i), id: int64(i)}
	}
	if cur != nil {
		heads = append(heads, cur)
	}
}

// tree: spines of depth nodes; every fourth node is a spine node whose other
// pointer holds a branch of the next three.
func buildTree(n, depth int) {
	var spine *node
	spineLen := 0
	for i := 0; i+4 <= n; i += 4 {
		if spineLen == depth {
			heads = append(heads, spine)
			spine, spineLen = nil, 0
		}
		var branch *node
		for k := 1; k <= 3; k++ {
			branch = &node{next: branch, buf: buffer(i + k), id: int64(i + k)}
		}
		spine = &node{next: spine, other: branch, buf: buffer(i), id: int64(i)}
		spineLen++
	}
	if spine != nil {
		heads = append(heads, spine)
	}
}

// churn lets about a quarter of the nodes go and allocates as many anew.
func churn(n int, shape string) {
	switch shape {
	case "list":
		nd := head
		for i := 0; i < n*3/4 && nd != nil; i++ {
			nd = nd.next
		}
		if nd != nil {
			nd.next = nil
		}
		kept := index[:0]
		for i, x := range index {
			if i < len(index)/4 { // the oldest nodes sit past the cut
				continue
			}
			kept = append(kept, x)
		}
		index = kept
	default:
		for i := range heads {
			if i%4 == 0 {
				heads[i] = nil
			}
		}
	}
	// Collected before the new nodes come, so they may take the freed slots.
	runtime.GC()
	var cur *node
	for i := 0; i < n/4; i++ {
		if i%1000 == 0 && cur != nil {
			heads = append(heads, cur)
			cur = nil
		}
		cur = &node{next: cur, buf: buffer(i), id: int64(n + i)}
	}
	if cur != nil {
		heads = append(heads, cur)
	}
}

func dump(path string) {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func main() {
	objects := flag.Int("objects", 2000000, "objects to allocate (about)")
	out := flag.String("o", "dump.bin", "output file")
	shape := flag.String("shape", "list", "list, chains or tree")
	depth := flag.Int("depth", 0, "chain length (chains, default 1000) or spine depth (tree, default 100000)")
	rate1 := flag.Bool("rate1", false, "sample every allocation (runtime.MemProfileRate = 1)")
	second := flag.String("churn", "", "a second dump after a quarter of the nodes were replaced")
	flag.Parse()
	if *rate1 {
		runtime.MemProfileRate = 1
	}
	n := *objects / 2
	switch *shape {
	case "list":
		buildList(n)
	case "chains":
		if *depth <= 0 {
			*depth = 1000
		}
		buildChains(n, *depth)
	case "tree":
		if *depth <= 0 {
			*depth = 100000
		}
		buildTree(n, *depth)
	default:
		println("genheapdump: -shape takes list, chains or tree")
		os.Exit(2)
	}
	dump(*out)
	if *second != "" {
		churn(n, *shape)
		dump(*second)
	}
}
