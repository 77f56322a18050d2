package main

// With -serve ADDR the service captures nothing itself: it serves
// net/http/pprof, expvar and a heap dump endpoint on ADDR for `memscope
// capture`, with the traps of -mode (a comma-separated list) switched on,
// until it is killed. It lives in init so that main.go's lines, which the
// recorded captures in tests/data/services name, stay where they are.

import (
	"expvar"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime/debug"
	"strings"
	"time"
)

var serve = flag.String("serve", "", "serve the debug endpoints on this address instead of capturing")

var quotes = expvar.NewInt("quotes")

// heapDump serves debug.WriteHeapDump: the runtime has no endpoint for it, so
// a service that wants `memscope capture --heapdump-every` adds these lines.
func heapDump(w http.ResponseWriter, r *http.Request) {
	f, err := os.CreateTemp("", "heapdump")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	debug.WriteHeapDump(f.Fd())
	f.Seek(0, io.SeekStart)
	w.Header().Set("Content-Type", "application/octet-stream")
	io.Copy(w, f)
}

func serveWork(urls []string, worker int, modes map[string]bool) {
	for i := 0; ; i++ {
		url := urls[(i+worker)%len(urls)]
		quotes.Add(1)
		switch {
		case modes["transport"]:
			quoteWithOwnTransport(url)
		case modes["churn"]:
			quote(churnClient, url)
		case modes["global"]:
			remember(quote(sharedClient, url))
		default:
			b := quote(sharedClient, url)
			_ = append([]byte(nil), b...)
		}
		// The traps combine: with another client mode on, a body is still
		// fetched and a view into it kept.
		if modes["global"] && (modes["transport"] || modes["churn"]) {
			remember(quote(sharedClient, url))
		}
		if modes["finalizer"] {
			s := openSession(i)
			s.scratch[0] = byte(i)
		}
		if modes["goroutine"] {
			go watchOrder(i)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func init() {
	flag.Parse()
	if *serve == "" {
		return
	}
	modes := map[string]bool{}
	for _, m := range strings.Split(*mode, ",") {
		modes[m] = true
	}
	delay, workers := 5*time.Millisecond, 6
	if modes["churn"] {
		delay, workers = 300*time.Millisecond, 16
	}
	urls := []string{startBackend("127.0.0.5:0", delay), startBackend("127.0.0.6:0", delay)}
	for w := 0; w < workers; w++ {
		go serveWork(urls, w, modes)
	}
	http.HandleFunc("/debug/heapdump", heapDump)
	ln, err := net.Listen("tcp", *serve)
	if err != nil {
		panic(err)
	}
	fmt.Println("listening on", ln.Addr().String())
	panic(http.Serve(ln, nil))
}
