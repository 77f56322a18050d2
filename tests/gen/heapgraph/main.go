// heapgraph builds a heap whose retention is known exactly, then writes a
// heap dump of itself. Used to make tests/data/heapgraph-*.
//
//	go build -trimpath -ldflags=-w -o heapgraph . && env -i ./heapgraph dump.bin
//	zstd -19 dump.bin heapgraph   # tests/data/heapdump/heapgraph-dump.bin.zst, heapgraph.zst
//
// With a second argument N it also links N 16-byte nodes into one list from
// the global `list`, the long path `memscope paths` must print in a few lines:
//
//	env -i ./heapgraph list.bin 20000 && zstd -19 list.bin  # tests/data/heapdump/list20000-dump.bin.zst
package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
	"unsafe"
)

// A global holding a chain: 1000 nodes of 112 bytes (size class of 108).
type node struct {
	next    *node
	payload [100]byte
}

var chain *node

// An optional long list of small nodes.
type link struct {
	next *link
	v    int64
}

var list *link

// A global map of unsafe views of buffers: 20 buffers of 4096 bytes.
var views = map[int]unsafe.Pointer{}

// A goroutine's local holding a binary tree: 2047 nodes of 64 bytes.
type tnode struct {
	l, r *tnode
	v    [40]byte
}

func buildTree(depth int) *tnode {
	if depth == 0 {
		return nil
	}
	return &tnode{l: buildTree(depth - 1), r: buildTree(depth - 1)}
}

func holdTree(ready chan<- struct{}, stop <-chan struct{}) {
	root := buildTree(11)
	ready <- struct{}{}
	<-stop
	runtime.KeepAlive(root)
}

// Objects with finalizers that queue behind one that never returns: 1024 bytes each.
type resource struct {
	id   int
	data [1000]byte
}

var block = make(chan struct{})

func slowFinalizer(r *resource) {
	<-block
}

func main() {
	runtime.MemProfileRate = 1
	for i := 0; i < 1000; i++ {
		chain = &node{next: chain}
	}
	if len(os.Args) > 2 {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil {
			panic(err)
		}
		for i := 0; i < n; i++ {
			list = &link{next: list, v: int64(i)}
		}
	}
	for i := 0; i < 20; i++ {
		buf := make([]byte, 4096)
		views[i] = unsafe.Pointer(&buf[0])
	}
	ready := make(chan struct{})
	stop := make(chan struct{})
	go holdTree(ready, stop)
	<-ready
	for i := 0; i < 50; i++ {
		r := &resource{id: i}
		runtime.SetFinalizer(r, slowFinalizer)
	}
	runtime.GC()
	runtime.GC()
	time.Sleep(200 * time.Millisecond)
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	debug.WriteHeapDump(f.Fd())
	f.Close()
	close(stop)
}
