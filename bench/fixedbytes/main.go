// Command fixedbytes is bench/load.sh's reference: a net/http server that answers every request with the same
// bytes, nothing else. Its latency and memory under the same wrk load are what the machine, Go's HTTP server and
// the loopback give before any of patrimap's work; bench/load.sh prints patrimap's beside them.
//
//	go run ./bench/fixedbytes -addr 127.0.0.1:0 -bytes 8192
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "`address` to listen on")
	size := flag.Int("bytes", 8192, "size of every answer, in `bytes` (bench/load.sh gives the mean of patrimap's)")
	flag.Parse()
	if *size < 0 || *size > 64<<20 {
		fmt.Fprintln(os.Stderr, "fixedbytes: -bytes must be from 0 to 67108864")
		os.Exit(2)
	}
	body := bytes.Repeat([]byte("x"), *size)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixedbytes:", err)
		os.Exit(1)
	}
	// The address on stdout, as patrimap serve logs it, for the script to read.
	fmt.Printf("addr=http://%s\n", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "fixedbytes:", err)
		os.Exit(1)
	}
}
