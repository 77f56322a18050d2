// promtext prints what a Go service's /metrics serves with the Prometheus Go
// client's default registry (go_*, process_*) and the runtime/metrics
// collector switched fully on, plus one counter and one histogram of its own:
// the sample tests/data/capture/responses/metrics.txt.
//
//	go run . > ../../data/capture/responses/metrics.txt
package main

import (
	"net/http/httptest"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsAll)),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	quotes := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "quotes_total", Help: "Quotes served."}, []string{"host"})
	latency := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "quote_seconds", Help: "Quote latency."})
	reg.MustRegister(quotes, latency)
	quotes.WithLabelValues("127.0.0.5").Add(1234)
	quotes.WithLabelValues("127.0.0.6").Add(987)
	latency.Observe(0.004)
	latency.Observe(0.3)
	keep := make([][]byte, 0, 64)
	for i := 0; i < 64; i++ {
		keep = append(keep, make([]byte, 64<<10))
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, req)
	os.Stdout.Write(rec.Body.Bytes())
	_ = keep
}
