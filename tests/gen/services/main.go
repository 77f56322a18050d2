// services runs a small order-pricing service under load with one trap
// switched on (or none), and captures itself the way an engineer would:
// heap profiles, goroutine dumps, lsof, heap dumps. Used to make the captures
// in tests/data/services; see capture.sh.
//
//	services -mode transport|churn|finalizer|global|goroutine|healthy -out DIR
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"time"
	"unsafe"
)

var mode = flag.String("mode", "healthy", "transport, churn, finalizer, global, goroutine or healthy")
var out = flag.String("out", "out", "capture folder")
var rounds = flag.Int("rounds", 6, "capture rounds")
var every = flag.Duration("every", 1500*time.Millisecond, "time between rounds")

// ---- backends: quote servers on their own loopback addresses

func startBackend(addr string, delay time.Duration) string {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		w.Write(make([]byte, 2048))
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/quote"
}

// ---- the service's work, one trap per mode

var sharedClient = &http.Client{Timeout: 5 * time.Second}

var churnClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// transport: a fresh client and transport for every quote.
func quoteWithOwnTransport(url string) {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	resp, err := c.Get(url)
	if err != nil {
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func quote(c *http.Client, url string) []byte {
	resp, err := c.Get(url)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

// finalizer: every pricing session releases itself in a slow finalizer.
type pricingSession struct {
	id      int
	scratch [3000]byte
}

var ledgerMu sync.Mutex

func (s *pricingSession) release() {
	ledgerMu.Lock()
	time.Sleep(25 * time.Millisecond) // "flush to the ledger"
	ledgerMu.Unlock()
}

func openSession(id int) *pricingSession {
	s := &pricingSession{id: id}
	runtime.SetFinalizer(s, (*pricingSession).release)
	return s
}

// global: views into every response body, kept in a package-level slice.
var recentViews []unsafe.Pointer

func remember(body []byte) {
	if len(body) > 0 {
		big := make([]byte, 64<<10)
		copy(big, body)
		recentViews = append(recentViews, unsafe.Pointer(&big[100]))
	}
}

// goroutine: a watcher per request that waits for a signal never sent.
var neverClosed = make(chan struct{})

func watchOrder(id int) {
	select {
	case <-neverClosed:
	}
}

func work(urls []string, worker int) {
	for i := 0; ; i++ {
		url := urls[(i+worker)%len(urls)]
		switch *mode {
		case "transport":
			quoteWithOwnTransport(url)
		case "churn":
			quote(churnClient, url)
		case "finalizer":
			s := openSession(i)
			s.scratch[0] = byte(i)
			quote(sharedClient, url)
		case "global":
			remember(quote(sharedClient, url))
		case "goroutine":
			go watchOrder(i)
			quote(sharedClient, url)
		default:
			b := quote(sharedClient, url)
			_ = append([]byte(nil), b...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ---- captures

func stamp(round int, kind, ext string) string {
	return filepath.Join(*out, fmt.Sprintf("%s-%03d-%s.%s", kind, round, time.Now().UTC().Format("20060102T150405Z"), ext))
}

func capture(round int) {
	runtime.GC()
	f, _ := os.Create(stamp(round, "heap", "pb.gz"))
	pprof.WriteHeapProfile(f)
	f.Close()
	g, _ := os.Create(stamp(round, "goroutine", "txt"))
	pprof.Lookup("goroutine").WriteTo(g, 2)
	g.Close()
	lsof, err := exec.Command("lsof", "-n", "-P", "-F", "pcfatnPTs", "-T", "fqs", "-p", fmt.Sprint(os.Getpid())).Output()
	if err == nil {
		os.WriteFile(stamp(round, "lsof", "lsofF"), lsof, 0o644)
	}
	if (round == 2 || round == *rounds) && (*mode == "finalizer" || *mode == "global" || *mode == "healthy") {
		h, _ := os.Create(stamp(round, "heapdump", "bin"))
		debug.WriteHeapDump(h.Fd())
		h.Close()
	}
}

func main() {
	flag.Parse()
	os.MkdirAll(*out, 0o755)
	delay := 5 * time.Millisecond
	workers := 6
	if *mode == "churn" {
		delay = 300 * time.Millisecond // keeps connections open at any moment
		workers = 16
	}
	urls := []string{
		startBackend("127.0.0.5:0", delay),
		startBackend("127.0.0.6:0", delay),
	}
	for w := 0; w < workers; w++ {
		go work(urls, w)
	}
	for r := 1; r <= *rounds; r++ {
		time.Sleep(*every)
		capture(r)
	}
}
