// Command tilebench is the measuring side of the tile, search and warm-path benchmarks in bench/ (the shell
// scripts start the servers and call it). It never starts a server itself.
//
//	tilebench tiles -sample URL[,URL...] -zooms 0-14 -per 25       tiles where the data is, one "z x y" a line
//	tilebench compare -layer 'NAME=URL_A|URL_B|TILES' ...          uncached latency per zoom band, A against B
//	tilebench get -urls FILE                                        latency and sizes of a list of URLs
//
// URL templates hold {z}, {x} and {y}. Every request asks for gzip, as browsers do; sizes are of the tile itself
// (after gunzip), latency is from the request to the last byte.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "tiles":
		err = runTiles(os.Args[2:])
	case "compare":
		err = runCompare(os.Args[2:])
	case "get":
		err = runGet(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tilebench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  tilebench tiles -sample URL[,URL...] [-zooms 0-14] [-per 25] [-seed 1]
  tilebench compare -layer 'NAME=URL_A|URL_B|TILES' [-layer ...] [-a patrimap] [-b reference] [-runs 3]
  tilebench get -urls FILE [-runs 3] [-limit-p95 50ms] [-limit-max 0] [-limit-size 0]`)
	os.Exit(2)
}
