// heapdiff writes two heap dumps of itself between which its own objects are
// known exactly, and the numbers a diff of the two must reproduce. Used to
// make tests/data/heapdump/heapdiff-*.
//
//	go build -trimpath -ldflags=-w -o heapdiff . && env -i ./heapdiff a.bin b.bin > expected.txt
//	zstd -19 a.bin b.bin   # tests/data/heapdump/heapdiff-a.bin.zst, heapdiff-b.bin.zst
//
// Between the dumps it keeps some objects, frees others and allocates new
// ones; some of the new ones land on addresses the freed ones held, with the
// same size but another pointer layout (into partly freed spans) or another
// size (into spans freed whole and given to another size class). It checks
// which addresses were reused itself, and prints them.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"unsafe"
)

// Survivors: 48-byte objects, and 64-byte ones interleaved with freed ones.
type kept48 struct {
	next *kept48
	v    [40]byte
}

type mix64 struct {
	a   *int
	pad [56]byte
}

// Freed: 64 bytes, pointers at 0 and 8.
type doomed64 struct {
	a, b *int
	pad  [48]byte
}

// New: 64 bytes with pointers at 48 and 56 (same size, another shape), 128
// bytes (another size class), 96 bytes.
type reshape64 struct {
	pad  [48]byte
	a, b *int
}

type big128 struct {
	p   *big128
	pad [120]byte
}

type fresh96 struct {
	p   *fresh96
	pad [88]byte
}

const (
	nKept     = 1000
	nMix      = 256
	nDoomed   = 1024 // whole spans of 64-byte objects, all freed
	nInterDoo = 256  // freed between the mix objects
	nReshape  = 256
	nBig      = 600
	nFresh    = 300
	nHuge     = 4 // 256 KiB objects freed, 192 KiB ones allocated: large spans skip the page cache
)

type hugeOld [256 << 10]byte
type hugeNew [192 << 10]byte

var (
	keptObjs    []*kept48
	mixObjs     []*mix64
	doomedObjs  []*doomed64
	reshapeObjs []*reshape64
	bigObjs     []*big128
	freshObjs   []*fresh96
	doomedAddrs []uintptr
	hugeOlds    []*hugeOld
	hugeNews    []*hugeNew
)

//go:noinline
func allocKept() *kept48 { return &kept48{} }

//go:noinline
func allocMix() *mix64 { return &mix64{} }

//go:noinline
func allocDoomed() *doomed64 { return &doomed64{} }

//go:noinline
func allocReshape() *reshape64 { return &reshape64{} }

//go:noinline
func allocBig() *big128 { return &big128{} }

//go:noinline
func allocFresh() *fresh96 { return &fresh96{} }

//go:noinline
func allocHugeOld() *hugeOld { return new(hugeOld) }

//go:noinline
func allocHugeNew() *hugeNew { return new(hugeNew) }

func dump(path string) {
	runtime.GC()
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	debug.WriteHeapDump(f.Fd())
	f.Close()
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: heapdiff A.bin B.bin > expected.txt")
		os.Exit(2)
	}
	runtime.MemProfileRate = 1
	keptObjs = make([]*kept48, 0, nKept)
	mixObjs = make([]*mix64, 0, nMix)
	doomedObjs = make([]*doomed64, 0, nDoomed+nInterDoo)
	reshapeObjs = make([]*reshape64, 0, nReshape)
	bigObjs = make([]*big128, 0, nBig)
	freshObjs = make([]*fresh96, 0, nFresh)
	doomedAddrs = make([]uintptr, 0, nDoomed+nInterDoo)
	for i := 0; i < nKept; i++ {
		k := allocKept()
		if i > 0 {
			k.next = keptObjs[i-1]
		}
		keptObjs = append(keptObjs, k)
	}
	for i := 0; i < nDoomed; i++ {
		doomedObjs = append(doomedObjs, allocDoomed())
	}
	for i := 0; i < nMix; i++ {
		mixObjs = append(mixObjs, allocMix())
		doomedObjs = append(doomedObjs, allocDoomed())
	}
	hugeOlds = make([]*hugeOld, 0, nHuge)
	hugeNews = make([]*hugeNew, 0, nHuge)
	for i := 0; i < nHuge; i++ {
		hugeOlds = append(hugeOlds, allocHugeOld())
	}
	for _, d := range doomedObjs {
		doomedAddrs = append(doomedAddrs, uintptr(unsafe.Pointer(d)))
	}
	for _, h := range hugeOlds {
		doomedAddrs = append(doomedAddrs, uintptr(unsafe.Pointer(h)))
	}
	sort.Slice(doomedAddrs, func(i, j int) bool { return doomedAddrs[i] < doomedAddrs[j] })
	dump(os.Args[1])

	// Free the doomed objects (their slice stays, emptied), let a collection
	// take them, then allocate the new ones.
	for i := range doomedObjs {
		doomedObjs[i] = nil
	}
	doomedObjs = doomedObjs[:0]
	for i := range hugeOlds {
		hugeOlds[i] = nil
	}
	hugeOlds = hugeOlds[:0]
	runtime.GC()
	runtime.GC()
	for i := 0; i < nReshape; i++ {
		reshapeObjs = append(reshapeObjs, allocReshape())
	}
	for i := 0; i < nBig; i++ {
		bigObjs = append(bigObjs, allocBig())
	}
	for i := 0; i < nFresh; i++ {
		freshObjs = append(freshObjs, allocFresh())
	}
	for i := 0; i < nHuge; i++ {
		hugeNews = append(hugeNews, allocHugeNew())
	}
	// The chain's links change; its objects' shapes do not.
	keptObjs[0].next = keptObjs[nKept-1]

	wasDoomed := func(p uintptr) bool {
		i := sort.Search(len(doomedAddrs), func(i int) bool { return doomedAddrs[i] >= p })
		return i < len(doomedAddrs) && doomedAddrs[i] == p
	}
	var sameSize, otherSize []uintptr
	for _, r := range reshapeObjs {
		if p := uintptr(unsafe.Pointer(r)); wasDoomed(p) {
			sameSize = append(sameSize, p)
		}
	}
	for _, b := range bigObjs {
		if p := uintptr(unsafe.Pointer(b)); wasDoomed(p) {
			otherSize = append(otherSize, p)
		}
	}
	for _, h := range hugeNews {
		if p := uintptr(unsafe.Pointer(h)); wasDoomed(p) {
			otherSize = append(otherSize, p)
		}
	}
	dump(os.Args[2])

	// What the diff must say of this program's own sites.
	fmt.Printf("site main.allocKept survivors %d %d\n", nKept, nKept*48)
	fmt.Printf("site main.allocMix survivors %d %d\n", nMix, nMix*64)
	fmt.Printf("site main.allocDoomed freed %d %d\n", nDoomed+nInterDoo, (nDoomed+nInterDoo)*64)
	fmt.Printf("site main.allocReshape new %d %d\n", nReshape, nReshape*64)
	fmt.Printf("site main.allocBig new %d %d\n", nBig, nBig*128)
	fmt.Printf("site main.allocFresh new %d %d\n", nFresh, nFresh*96)
	fmt.Printf("site main.allocHugeOld freed %d %d\n", nHuge, nHuge*(256<<10))
	fmt.Printf("site main.allocHugeNew new %d %d\n", nHuge, nHuge*(192<<10))
	fmt.Printf("reused_same_size %d\n", len(sameSize))
	fmt.Printf("reused_other_size %d\n", len(otherSize))
	for _, p := range sameSize {
		fmt.Printf("reused 0x%x 64\n", p)
	}
	for _, p := range otherSize {
		fmt.Printf("reused 0x%x other\n", p)
	}
	runtime.KeepAlive(keptObjs)
	runtime.KeepAlive(mixObjs)
	runtime.KeepAlive(reshapeObjs)
	runtime.KeepAlive(bigObjs)
	runtime.KeepAlive(freshObjs)
	runtime.KeepAlive(hugeNews)
}
