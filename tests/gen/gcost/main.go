// gcost runs goroutine groups whose cost is known, then writes what a case
// needs to measure it: two debug=2 goroutine dumps three seconds apart, a heap
// dump and a /proc bundle (status, net/tcp, fd links) at the second one.
// Used to make tests/data/gcost/.
//
//	go build -trimpath -o gcost . && env -i ./gcost OUTDIR
//
// The groups:
//   - main.hold: 4 goroutines at the first dump, 8 at the second. Each keeps
//     a 64 KiB buffer live on its stack and one TCP connection it dialled to
//     the listener below, blocked reading it (the server never writes).
//   - main.idle: 5 goroutines blocked on a channel, holding nothing.
//   - main.acceptLoop: the listener's goroutine; the accepted connections are
//     kept in a global, so no goroutine serves them.
//
// OUTDIR/expected.txt says the numbers the test asserts.
package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"
)

const holdersFirst, holdersLast, idlers = 4, 8, 5

// Not a constant: a constant-size buffer this small could live on the stack.
var bufSize = 64 << 10

var accepted []net.Conn

func acceptLoop(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		accepted = append(accepted, c)
	}
}

func hold(addr string, ready chan<- struct{}) {
	buf := make([]byte, bufSize)
	for i := range buf {
		buf[i] = byte(i)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	ready <- struct{}{}
	one := make([]byte, 1)
	c.Read(one) // never returns: the server side never writes
	runtime.KeepAlive(buf)
}

func idle(ch <-chan struct{}) { <-ch }

// A file name memscope dates by: goroutines-20261203T193000Z.txt.
func stamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Sleeps to the start of the next second, so a name's second is the moment.
func nextSecond() time.Time {
	now := time.Now()
	t := now.Truncate(time.Second).Add(time.Second)
	time.Sleep(t.Sub(now))
	return t
}

func writeGoroutines(dir string, t time.Time) {
	f, err := os.Create(filepath.Join(dir, "goroutines-"+stamp(t)+".txt"))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	pprof.Lookup("goroutine").WriteTo(f, 2)
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "# error: " + err.Error() + "\n"
	}
	return string(b)
}

// The bundle `memscope capture --pid` writes: a header, then each file under
// a `== PATH` line, the fd directory as `N -> target` lines.
func writeProcBundle(dir string, t time.Time) {
	base := "/proc/" + strconv.Itoa(os.Getpid())
	var b strings.Builder
	fmt.Fprintf(&b, "# memscope proc bundle pid=%d time_unix_nano=%d\n", os.Getpid(), t.UnixNano())
	ents, _ := os.ReadDir(base + "/fd")
	var fds []int
	for _, e := range ents {
		n, _ := strconv.Atoi(e.Name())
		fds = append(fds, n)
	}
	sort.Ints(fds)
	var links strings.Builder
	mine := map[string]bool{} // socket inodes of this process
	for _, n := range fds {
		if target, err := os.Readlink(base + "/fd/" + strconv.Itoa(n)); err == nil {
			fmt.Fprintf(&links, "%d -> %s\n", n, target)
			if strings.HasPrefix(target, "socket:[") {
				mine[strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")] = true
			}
		}
	}
	b.WriteString("== " + base + "/status\n" + readFile(base+"/status"))
	// The socket tables list the whole network namespace: only this
	// process's rows are kept (the header line and the rows of its inodes),
	// so the test data stays small and says nothing of the machine.
	for _, name := range []string{"net/tcp", "net/tcp6"} {
		b.WriteString("== " + base + "/" + name + "\n")
		for i, line := range strings.Split(readFile(base+"/"+name), "\n") {
			f := strings.Fields(line)
			if i == 0 || (len(f) > 9 && mine[f[9]]) {
				b.WriteString(line + "\n")
			}
		}
	}
	b.WriteString("== " + base + "/fd\n" + links.String())
	if err := os.WriteFile(filepath.Join(dir, "proc-"+stamp(t)+".txt"), []byte(b.String()), 0o644); err != nil {
		panic(err)
	}
}

func main() {
	dir := os.Args[1]
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go acceptLoop(l)
	stop := make(chan struct{})
	for i := 0; i < idlers; i++ {
		go idle(stop)
	}
	ready := make(chan struct{})
	start := func(n int) {
		for i := 0; i < n; i++ {
			go hold(l.Addr().String(), ready)
			<-ready
		}
	}
	start(holdersFirst)
	writeGoroutines(dir, nextSecond())
	time.Sleep(2 * time.Second)
	start(holdersLast - holdersFirst)
	for len(accepted) < holdersLast { // the accepts land in the global
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // every holder blocked in its read
	t := nextSecond()
	writeGoroutines(dir, t)
	writeProcBundle(dir, t)
	runtime.GC() // the dump then holds what is live, not what died since the last cycle
	f, err := os.Create(filepath.Join(dir, "heapdump-"+stamp(t)+".bin"))
	if err != nil {
		panic(err)
	}
	debug.WriteHeapDump(f.Fd())
	f.Close()
	exp := fmt.Sprintf("group main.hold: count %d -> %d, buffer %d bytes each, %d client sockets\n"+
		"group main.idle: count %d, 0 sockets\n"+
		"listener %s, accepted %d (held by the global main.accepted)\n",
		holdersFirst, holdersLast, bufSize, holdersLast, idlers, l.Addr(), len(accepted))
	os.WriteFile(filepath.Join(dir, "expected.txt"), []byte(exp), 0o644)
	close(stop)
}
